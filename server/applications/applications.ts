/**
 * Capability applications: a merchant asks for capabilities for an app in an environment, with a
 * reason each; ops grant (optionally with a quota) or refuse, one by one.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { AuditActor, AuditLog } from '../audit/audit.ts';
import type { GrantService } from '../grants/grants.ts';
import type { Env, GrantQuota } from '../policies/gates.ts';
import type { Doc, Store } from '../store/types.ts';

/** A stored application (one per app × environment × capability; a new one replaces a decided one). */
export interface ApplicationDoc extends Doc {
  appId: string;
  merchantId: string;
  env: Env;
  capability: string;
  reason: string;
  status: 'pending' | 'granted' | 'refused';
  submittedAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  decisionReason: string | null;
  quota: GrantQuota | null;
}

/** The id of an application. */
export function applicationId(appId: string, env: Env, capability: string): string {
  return `${appId}|${env}|${capability}`;
}

/**
 * The application service.
 *
 * @example
 * ```ts
 * await applications.apply({ appId, merchantId, env: 'production', items: [{ capability: 'payment.cashier', reason: 'ride fares' }] });
 * await applications.decide(id, { grant: true, quota: { dailyAmount: 5_000_000 }, reason: 'ok' }, ops);
 * ```
 */
export class ApplicationService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly grants: GrantService,
    private readonly now: () => number = Date.now,
  ) {}

  async init(): Promise<void> {
    await this.store.collection('capability_applications').createIndex({ status: 1, submittedAt: 1 });
    await this.store.collection('capability_applications').createIndex({ appId: 1 });
  }

  /** Files applications; a pending one for the same capability is updated, a decided one reopened. */
  async apply(input: { appId: string; merchantId: string; env: Env; items: { capability: string; reason: string }[] }): Promise<ApplicationDoc[]> {
    const out: ApplicationDoc[] = [];
    await this.store.transaction(async (tx) => {
      out.length = 0; // the body may be retried
      for (const item of input.items) {
        const doc = await tx.collection<ApplicationDoc>('capability_applications').findOneAndUpdate(
          { _id: applicationId(input.appId, input.env, item.capability) },
          {
            $set: {
              appId: input.appId,
              merchantId: input.merchantId,
              env: input.env,
              capability: item.capability,
              reason: item.reason,
              status: 'pending',
              submittedAt: new Date(this.now()),
              decidedAt: null,
              decidedBy: null,
              decisionReason: null,
              quota: null,
            },
          },
          { upsert: true, returnDocument: 'after' },
        );
        out.push(doc!);
      }
      await this.audit.append(
        {
          action: 'capability.applied',
          actor: { kind: 'merchant', id: input.merchantId },
          target: { kind: 'app', id: input.appId },
          data: { env: input.env, capabilities: input.items.map((i) => i.capability) },
        },
        tx,
      );
    });
    return out;
  }

  /** Applications of an app. */
  async forApp(appId: string): Promise<ApplicationDoc[]> {
    return this.store.collection<ApplicationDoc>('capability_applications').find({ appId }, { sort: { env: 1, capability: 1 } }).toArray();
  }

  /** The ops queue: pending applications, oldest first. */
  async pending(): Promise<ApplicationDoc[]> {
    return this.store
      .collection<ApplicationDoc>('capability_applications')
      .find({ status: 'pending' }, { sort: { submittedAt: 1 }, limit: 500 })
      .toArray();
  }

  /** Grants (with an optional quota) or refuses a pending application. */
  async decide(id: string, decision: { grant: boolean; quota?: GrantQuota | null; reason: string }, actor: AuditActor): Promise<ApplicationDoc> {
    const col = this.store.collection<ApplicationDoc>('capability_applications');
    const app = await col.findOne({ _id: id });
    if (!app) throw new LilyError('NOT_FOUND', 'No such application.');
    if (app.status !== 'pending') throw new LilyError('INVALID_STATE', `The application was already ${app.status}.`);
    if (decision.grant) {
      // The grant is idempotent, so if marking the application fails below, deciding again is safe.
      await this.grants.grant({ appId: app.appId, env: app.env, capability: app.capability, quota: decision.quota ?? null, reason: decision.reason }, actor);
    }
    const updated = await col.findOneAndUpdate(
      { _id: id, status: 'pending' },
      {
        $set: {
          status: decision.grant ? 'granted' : 'refused',
          decidedAt: new Date(this.now()),
          decidedBy: actor.id,
          decisionReason: decision.reason,
          quota: decision.quota ?? null,
        },
      },
      { returnDocument: 'after' },
    );
    if (!updated) throw new LilyError('CONFLICT', 'The application was decided meanwhile.');
    if (!decision.grant) {
      await this.audit.append({
        action: 'capability.refused',
        actor,
        target: { kind: 'app', id: app.appId },
        reason: decision.reason,
        data: { env: app.env, capability: app.capability },
      });
    }
    return updated;
  }
}
