/**
 * Partner admission: a merchant account registers its business (name, licence number, contact);
 * ops admit or reject it with a reason. Only an admitted merchant may create mini-apps.
 */
import { randomBytes } from 'node:crypto';
import { LilyError } from '../../protocol/errors.ts';
import type { AuditActor, AuditLog } from '../audit/audit.ts';
import { DuplicateKeyError, type Doc, type Store } from '../store/types.ts';

/** A merchant's admission status. */
export type MerchantStatus = 'pending' | 'admitted' | 'rejected';

/** A stored merchant (the business behind a merchant account). */
export interface MerchantDoc extends Doc {
  accountId: string;
  businessName: string;
  licenceNo: string;
  contact: { name: string; phone: string; email: string };
  status: MerchantStatus;
  submittedAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  reason: string | null;
}

/** What a merchant submits to be admitted. */
export interface MerchantApplication {
  businessName: string;
  licenceNo: string;
  contact: { name: string; phone: string; email: string };
}

/**
 * The merchant service.
 *
 * @example
 * ```ts
 * const m = await merchants.register(accountId, { businessName: '快行出行', licenceNo: '91310000MA1FL8XQ3K', contact });
 * await merchants.decide(m._id, { admit: true, reason: 'licence checked' }, opsActor);
 * ```
 */
export class MerchantService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  async init(): Promise<void> {
    await this.store.collection('merchants').createIndex({ accountId: 1 }, { unique: true });
    await this.store.collection('merchants').createIndex({ licenceNo: 1 }, { unique: true });
    await this.store.collection('merchants').createIndex({ status: 1, submittedAt: 1 });
  }

  /**
   * Registers the business of a merchant account (one per account; one account per licence).
   * A rejected merchant may resubmit, which puts it back in the queue.
   */
  async register(accountId: string, input: MerchantApplication): Promise<MerchantDoc> {
    const col = this.store.collection<MerchantDoc>('merchants');
    const existing = await col.findOne({ accountId });
    const fields = {
      businessName: input.businessName.trim(),
      licenceNo: input.licenceNo.trim().toUpperCase(),
      contact: input.contact,
      status: 'pending' as const,
      submittedAt: new Date(this.now()),
      decidedAt: null,
      decidedBy: null,
      reason: null,
    };
    try {
      if (existing) {
        if (existing.status !== 'rejected') throw new LilyError('DUPLICATE', 'This account has already registered a business.');
        const updated = await col.findOneAndUpdate({ _id: existing._id, status: 'rejected' }, { $set: fields }, { returnDocument: 'after' });
        if (!updated) throw new LilyError('CONFLICT', 'The registration changed meanwhile; reload and try again.');
        await this.audit.append({ action: 'merchant.resubmitted', actor: { kind: 'merchant', id: accountId }, target: { kind: 'merchant', id: existing._id } });
        return updated;
      }
      const doc: MerchantDoc = { _id: `m_${randomBytes(8).toString('hex')}`, accountId, ...fields };
      await this.store.transaction(async (tx) => {
        await tx.collection<MerchantDoc>('merchants').insertOne(doc);
        await this.audit.append(
          { action: 'merchant.registered', actor: { kind: 'merchant', id: accountId }, target: { kind: 'merchant', id: doc._id }, data: { businessName: doc.businessName } },
          tx,
        );
      });
      return doc;
    } catch (err) {
      if (err instanceof DuplicateKeyError) {
        throw new LilyError('DUPLICATE', err.index.includes('licence') ? 'That licence number is already registered.' : 'This account has already registered a business.');
      }
      throw err;
    }
  }

  /** The merchant of an account, or null. */
  async forAccount(accountId: string): Promise<MerchantDoc | null> {
    return this.store.collection<MerchantDoc>('merchants').findOne({ accountId });
  }

  /** The admitted merchant of an account; FORBIDDEN when not registered or not admitted. */
  async requireAdmitted(accountId: string): Promise<MerchantDoc> {
    const merchant = await this.forAccount(accountId);
    if (!merchant) throw new LilyError('FORBIDDEN', 'Register your business first.');
    if (merchant.status !== 'admitted') throw new LilyError('FORBIDDEN', `Your business is ${merchant.status}; apps can be created once it is admitted.`);
    return merchant;
  }

  /** A merchant by id, or NOT_FOUND. */
  async get(id: string): Promise<MerchantDoc> {
    const merchant = await this.store.collection<MerchantDoc>('merchants').findOne({ _id: id });
    if (!merchant) throw new LilyError('NOT_FOUND', `No merchant ${id}.`);
    return merchant;
  }

  /** Merchants by status, oldest submission first (the admission queue). */
  async list(status?: MerchantStatus): Promise<MerchantDoc[]> {
    return this.store
      .collection<MerchantDoc>('merchants')
      .find(status ? { status } : {}, { sort: { submittedAt: 1 }, limit: 500 })
      .toArray();
  }

  /** Admits or rejects a pending merchant. INVALID_STATE when it was already decided. */
  async decide(id: string, decision: { admit: boolean; reason: string }, actor: AuditActor): Promise<MerchantDoc> {
    return this.store.transaction(async (tx) => {
      const updated = await tx.collection<MerchantDoc>('merchants').findOneAndUpdate(
        { _id: id, status: 'pending' },
        {
          $set: {
            status: decision.admit ? 'admitted' : 'rejected',
            decidedAt: new Date(this.now()),
            decidedBy: actor.id,
            reason: decision.reason,
          },
        },
        { returnDocument: 'after' },
      );
      if (!updated) {
        const exists = await tx.collection<MerchantDoc>('merchants').findOne({ _id: id });
        if (!exists) throw new LilyError('NOT_FOUND', `No merchant ${id}.`);
        throw new LilyError('INVALID_STATE', `The merchant is already ${exists.status}.`);
      }
      await this.audit.append(
        { action: decision.admit ? 'merchant.admitted' : 'merchant.rejected', actor, target: { kind: 'merchant', id }, reason: decision.reason },
        tx,
      );
      return updated;
    });
  }
}
