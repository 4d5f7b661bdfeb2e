/**
 * The audit log: an append-only hash chain. Each entry's hash is SM3 over the previous entry's
 * hash and the canonical JSON of the entry, so altering, inserting or deleting any entry breaks
 * every hash after it, and `verify()` finds the first break.
 */
import { canonicalJson } from '../../runtime/package/canonical.ts';
import { sm3 } from '../crypto/sm3.ts';
import type { Doc, Store, Transaction } from '../store/types.ts';

/** Who did it. */
export interface AuditActor {
  kind: 'user' | 'merchant' | 'ops' | 'app' | 'system';
  id: string;
}

/** What is recorded. */
export interface AuditInput {
  /** Dotted event name, e.g. `grant.revoked`, `gate.denied`, `consent.granted`. */
  action: string;
  actor: AuditActor;
  /** What it was done to, e.g. `{kind: 'app', id: 'app_123'}`. */
  target?: { kind: string; id: string };
  /** Why (ops reasons, denial reasons). */
  reason?: string;
  /** Facts worth keeping; no secrets, no raw personal data. */
  data?: Record<string, unknown>;
}

/** A stored entry. */
export interface AuditEntry extends Doc {
  seq: number;
  at: Date;
  action: string;
  actor: AuditActor;
  target: { kind: string; id: string } | null;
  reason: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

interface HeadDoc extends Doc {
  seq: number;
  hash: string;
}

/** The hash before the first entry. */
export const GENESIS_HASH = '0'.repeat(64);
const HEAD_ID = 'audit_head';

/** The hash of an entry given the previous hash. */
export function entryHash(prevHash: string, entry: Pick<AuditEntry, 'seq' | 'at' | 'action' | 'actor' | 'target' | 'reason' | 'data'>): string {
  const body = canonicalJson({
    seq: entry.seq,
    at: entry.at.toISOString(),
    action: entry.action,
    actor: entry.actor,
    target: entry.target,
    reason: entry.reason,
    data: entry.data,
  });
  return sm3(prevHash + body);
}

/** The result of verifying the chain. */
export type ChainVerdict =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; brokenAtSeq: number; problem: string };

/**
 * The audit log service.
 *
 * @example
 * ```ts
 * await audit.append({ action: 'grant.revoked', actor: { kind: 'ops', id }, target: { kind: 'app', id: appId }, reason });
 * (await audit.verify()).ok; // true
 * ```
 */
export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates the indexes the chain relies on. */
  async init(): Promise<void> {
    await this.store.collection('audit').createIndex({ seq: 1 }, { unique: true });
    await this.store.collection('audit').createIndex({ 'target.id': 1, seq: -1 });
  }

  /**
   * Appends an entry. Pass `tx` to append inside a caller's transaction, so that the decision and
   * its audit entry commit together; otherwise the append runs in its own transaction.
   */
  async append(input: AuditInput, tx?: Transaction): Promise<AuditEntry> {
    if (tx) return this.appendIn(tx, input);
    return this.store.transaction((t) => this.appendIn(t, input));
  }

  private async appendIn(tx: Transaction, input: AuditInput): Promise<AuditEntry> {
    const meta = tx.collection<HeadDoc>('meta');
    const head = (await meta.findOne({ _id: HEAD_ID })) ?? { _id: HEAD_ID, seq: 0, hash: GENESIS_HASH };
    const base = {
      seq: head.seq + 1,
      at: new Date(this.now()),
      action: input.action,
      actor: input.actor,
      target: input.target ?? null,
      reason: input.reason ?? null,
      data: input.data ?? {},
    };
    const entry: AuditEntry = { _id: `audit_${base.seq}`, ...base, prevHash: head.hash, hash: entryHash(head.hash, base) };
    // The unique seq index makes two concurrent appenders collide instead of forking the chain.
    await tx.collection<AuditEntry>('audit').insertOne(entry);
    await meta.updateOne({ _id: HEAD_ID }, { $set: { seq: entry.seq, hash: entry.hash } }, { upsert: true });
    return entry;
  }

  /** Entries, newest first, optionally for one target or action. */
  async list(filter: { targetId?: string; action?: string; limit?: number; beforeSeq?: number } = {}): Promise<AuditEntry[]> {
    const query: Record<string, unknown> = {};
    if (filter.targetId) query['target.id'] = filter.targetId;
    if (filter.action) query.action = filter.action;
    if (filter.beforeSeq) query.seq = { $lt: filter.beforeSeq };
    return this.store
      .collection<AuditEntry>('audit')
      .find(query, { sort: { seq: -1 }, limit: Math.min(filter.limit ?? 100, 1000) })
      .toArray();
  }

  /** Walks the whole chain and reports the first altered, inserted or missing entry. */
  async verify(): Promise<ChainVerdict> {
    let prev = GENESIS_HASH;
    let expectedSeq = 1;
    for await (const entry of this.store.collection<AuditEntry>('audit').find({}, { sort: { seq: 1 } })) {
      if (entry.seq !== expectedSeq) {
        return { ok: false, entries: expectedSeq - 1, brokenAtSeq: expectedSeq, problem: `entry ${expectedSeq} is missing` };
      }
      if (entry.prevHash !== prev) {
        return { ok: false, entries: expectedSeq - 1, brokenAtSeq: entry.seq, problem: 'previous-hash link does not match' };
      }
      if (entryHash(prev, entry) !== entry.hash) {
        return { ok: false, entries: expectedSeq - 1, brokenAtSeq: entry.seq, problem: 'entry content does not match its hash' };
      }
      prev = entry.hash;
      expectedSeq++;
    }
    const head = await this.store.collection<HeadDoc>('meta').findOne({ _id: HEAD_ID });
    const count = expectedSeq - 1;
    if ((head?.seq ?? 0) !== count || (head?.hash ?? GENESIS_HASH) !== prev) {
      return {
        ok: false,
        entries: count,
        brokenAtSeq: Math.min(count, head?.seq ?? 0) + 1,
        problem: `the chain head (${head?.seq ?? 0} entries) does not match the ${count} entries found`,
      };
    }
    return { ok: true, entries: count, headHash: prev };
  }
}
