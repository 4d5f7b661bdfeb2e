/**
 * Grants: which capabilities ops lent to which app, per environment, with optional quotas.
 * Every change is audited in the same transaction and announced at once so open mini-apps learn
 * of a revocation within a second.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { AuditActor, AuditLog } from '../audit/audit.ts';
import type { EventBus } from '../events.ts';
import type { Env, GrantFacts, GrantQuota } from '../policies/gates.ts';
import type { Doc, Store } from '../store/types.ts';

/** A stored grant. */
export interface GrantDoc extends Doc {
  appId: string;
  env: Env;
  capability: string;
  status: 'granted' | 'revoked';
  quota: GrantQuota | null;
  grantedBy: string;
  grantedAt: Date;
  revokedBy: string | null;
  revokedAt: Date | null;
  reason: string | null;
}

/** The id of the grant of a capability to an app in an environment. */
export function grantId(appId: string, env: Env, capability: string): string {
  return `${appId}|${env}|${capability}`;
}

/**
 * The grant service.
 *
 * @example
 * ```ts
 * await grants.grant({ appId, env: 'sandbox', capability: 'base.storage', quota: { perMinute: 100 } }, actor);
 * await grants.revoke({ appId, env: 'sandbox', capability: 'base.storage', reason: 'abuse' }, actor);
 * ```
 */
export class GrantService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {}

  async init(): Promise<void> {
    await this.store.collection('grants').createIndex({ appId: 1, env: 1 });
  }

  /** The grant facts for one capability (null when never granted). */
  async facts(appId: string, env: Env, capability: string): Promise<GrantFacts | null> {
    const grant = await this.store.collection<GrantDoc>('grants').findOne({ _id: grantId(appId, env, capability) });
    return grant ? { capability, status: grant.status, quota: grant.quota } : null;
  }

  /** Every grant of an app in an environment (granted and revoked). */
  async list(appId: string, env: Env): Promise<GrantDoc[]> {
    return this.store.collection<GrantDoc>('grants').find({ appId, env }, { sort: { capability: 1 } }).toArray();
  }

  /** The snapshot the host receives at launch: capability → quota, granted ones only. */
  async snapshot(appId: string, env: Env): Promise<Record<string, GrantQuota | null>> {
    const out: Record<string, GrantQuota | null> = {};
    for (const g of await this.list(appId, env)) if (g.status === 'granted') out[g.capability] = g.quota;
    return out;
  }

  /** Grants (or re-grants, or changes the quota of) a capability. */
  async grant(input: { appId: string; env: Env; capability: string; quota?: GrantQuota | null; reason?: string }, actor: AuditActor): Promise<GrantDoc> {
    validateQuota(input.quota ?? null);
    const id = grantId(input.appId, input.env, input.capability);
    const now = new Date(this.now());
    const doc = await this.store.transaction(async (tx) => {
      const updated = await tx.collection<GrantDoc>('grants').findOneAndUpdate(
        { _id: id },
        {
          $set: {
            appId: input.appId,
            env: input.env,
            capability: input.capability,
            status: 'granted',
            quota: input.quota ?? null,
            grantedBy: actor.id,
            grantedAt: now,
            revokedBy: null,
            revokedAt: null,
            reason: input.reason ?? null,
          },
        },
        { upsert: true, returnDocument: 'after' },
      );
      await this.audit.append(
        {
          action: 'grant.granted',
          actor,
          target: { kind: 'app', id: input.appId },
          ...(input.reason ? { reason: input.reason } : {}),
          data: { env: input.env, capability: input.capability, quota: input.quota ?? null },
        },
        tx,
      );
      return updated!;
    });
    this.bus.emit('grant.changed', { appId: input.appId, env: input.env, capability: input.capability, status: 'granted' });
    return doc;
  }

  /** Revokes a grant; NOT_FOUND when it was never granted. Takes effect on the next call. */
  async revoke(input: { appId: string; env: Env; capability: string; reason: string }, actor: AuditActor): Promise<GrantDoc> {
    const id = grantId(input.appId, input.env, input.capability);
    const doc = await this.store.transaction(async (tx) => {
      const updated = await tx.collection<GrantDoc>('grants').findOneAndUpdate(
        { _id: id, status: 'granted' },
        { $set: { status: 'revoked', revokedBy: actor.id, revokedAt: new Date(this.now()), reason: input.reason } },
        { returnDocument: 'after' },
      );
      if (!updated) throw new LilyError('NOT_FOUND', `${input.capability} is not granted to this app in ${input.env}.`);
      await this.audit.append(
        {
          action: 'grant.revoked',
          actor,
          target: { kind: 'app', id: input.appId },
          reason: input.reason,
          data: { env: input.env, capability: input.capability },
        },
        tx,
      );
      return updated;
    });
    this.bus.emit('grant.changed', { appId: input.appId, env: input.env, capability: input.capability, status: 'revoked' });
    return doc;
  }
}

function validateQuota(quota: GrantQuota | null): void {
  if (quota === null) return;
  for (const [key, value] of Object.entries(quota)) {
    if (key !== 'perMinute' && key !== 'dailyAmount') throw new LilyError('INVALID_PARAMS', `unknown quota ${key}`, { field: `quota.${key}` });
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw new LilyError('INVALID_PARAMS', `quota.${key} must be a positive whole number`, { field: `quota.${key}` });
    }
  }
}
