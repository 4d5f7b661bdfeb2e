/**
 * Consents: what a user agreed to share with one mini-app, per scope, with the purpose they were
 * shown and an expiry. Stored server-side, revocable in settings, every change audited.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { EventBus } from '../events.ts';
import type { ConsentFacts } from '../policies/gates.ts';
import type { Bilingual } from '../../protocol/text.ts';
import type { Doc, Store } from '../store/types.ts';

/** A stored consent. */
export interface ConsentDoc extends Doc {
  userId: string;
  appId: string;
  scope: string;
  status: 'granted' | 'refused' | 'revoked';
  /** The purpose shown in the consent sheet when the user decided (a string in records from before the sheet was bilingual). */
  purpose: Bilingual | string;
  decidedAt: Date;
  expiresAt: Date | null;
}

/** The purpose of a stored consent in both languages (older records hold one string). */
export function storedPurpose(purpose: ConsentDoc['purpose']): Bilingual {
  return typeof purpose === 'string' ? { zh: purpose, en: purpose } : purpose;
}

/** Default lifetime of a consent: one year, after which the user is asked again. */
export const CONSENT_TTL_MS = 365 * 24 * 3600 * 1000;

/** The id of a user's consent to a scope for an app. */
export function consentId(userId: string, appId: string, scope: string): string {
  return `${userId}|${appId}|${scope}`;
}

/**
 * The consent service.
 *
 * @example
 * ```ts
 * await consents.decide({ userId, appId, scope: 'scope.userInfo', purpose, granted: true });
 * (await consents.facts(userId, appId, 'scope.userInfo'))?.status; // 'granted'
 * ```
 */
export class ConsentService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {}

  async init(): Promise<void> {
    await this.store.collection('consents').createIndex({ userId: 1, appId: 1 });
  }

  /** The consent facts the gate needs (null when the user was never asked). */
  async facts(userId: string, appId: string, scope: string): Promise<ConsentFacts | null> {
    const doc = await this.store.collection<ConsentDoc>('consents').findOne({ _id: consentId(userId, appId, scope) });
    return doc ? { scope, status: doc.status, expiresAt: doc.expiresAt?.getTime() ?? null } : null;
  }

  /** A user's consents, optionally for one app. */
  async list(userId: string, appId?: string): Promise<ConsentDoc[]> {
    const filter: Record<string, unknown> = { userId };
    if (appId) filter.appId = appId;
    return this.store.collection<ConsentDoc>('consents').find(filter, { sort: { appId: 1, scope: 1 } }).toArray();
  }

  /** Records the user's answer in the consent sheet. */
  async decide(input: { userId: string; appId: string; scope: string; purpose: Bilingual; granted: boolean; ttlMs?: number }): Promise<ConsentDoc> {
    const status = input.granted ? 'granted' : 'refused';
    const now = this.now();
    const doc = await this.store.transaction(async (tx) => {
      const updated = await tx.collection<ConsentDoc>('consents').findOneAndUpdate(
        { _id: consentId(input.userId, input.appId, input.scope) },
        {
          $set: {
            userId: input.userId,
            appId: input.appId,
            scope: input.scope,
            status,
            purpose: input.purpose,
            decidedAt: new Date(now),
            expiresAt: input.granted ? new Date(now + (input.ttlMs ?? CONSENT_TTL_MS)) : null,
          },
        },
        { upsert: true, returnDocument: 'after' },
      );
      await this.audit.append(
        {
          action: `consent.${status}`,
          actor: { kind: 'user', id: input.userId },
          target: { kind: 'app', id: input.appId },
          data: { scope: input.scope },
        },
        tx,
      );
      return updated!;
    });
    this.bus.emit('consent.changed', { userId: input.userId, appId: input.appId, scope: input.scope, status });
    return doc;
  }

  /** Revokes a granted consent; NOT_FOUND when there is none to revoke. */
  async revoke(userId: string, appId: string, scope: string): Promise<ConsentDoc> {
    const doc = await this.store.transaction(async (tx) => {
      const updated = await tx.collection<ConsentDoc>('consents').findOneAndUpdate(
        { _id: consentId(userId, appId, scope), status: 'granted' },
        { $set: { status: 'revoked', decidedAt: new Date(this.now()), expiresAt: null } },
        { returnDocument: 'after' },
      );
      if (!updated) throw new LilyError('NOT_FOUND', 'There is no consent to revoke.');
      await this.audit.append(
        { action: 'consent.revoked', actor: { kind: 'user', id: userId }, target: { kind: 'app', id: appId }, data: { scope } },
        tx,
      );
      return updated;
    });
    this.bus.emit('consent.changed', { userId, appId, scope, status: 'revoked' });
    return doc;
  }
}
