/**
 * The double-entry ledger, in integer fen.
 *
 * Every movement of money is one journal entry whose postings sum to zero. `post(tx, entry)` runs
 * inside the caller's store transaction, so the entry, the balance changes and the caller's
 * business state change (an order paid, a hold captured) commit together or not at all. A debit
 * is a conditional update (`balance >= amount`), so no balance that must stay non-negative can
 * go below zero however transactions interleave. A journal entry's `ref` is unique per
 * environment: the same business event can never be booked twice.
 *
 * `replay()` recomputes every balance from the journal; `checkInvariants()` also checks that each
 * entry balances, stays in one environment, and that no forbidden balance is negative.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { Env } from '../policies/gates.ts';
import { newId } from '../store/ids.ts';
import { DuplicateKeyError, type Doc, type Store, type Transaction } from '../store/types.ts';
import { ENVS, mayGoNegative, parseAccountId, type AccountKind } from './accounts.ts';

/** The collection of account balances. */
export const ACCOUNTS_COLLECTION = 'ledger_accounts';
/** The collection of journal entries (append-only). */
export const JOURNAL_COLLECTION = 'ledger_journal';

/** A stored account. */
export interface AccountDoc extends Doc {
  env: Env;
  kind: AccountKind;
  owner: string;
  /** Integer fen. */
  balance: number;
  allowNegative: boolean;
  createdAt: number;
  updatedAt: number;
}

/** One line of an entry: a signed amount on one account (positive credits, negative debits). */
export interface Posting {
  account: string;
  /** Integer fen, never zero once stored. */
  amount: number;
}

/** What the business layer records about an entry (statements read it); flat and JSON-safe. */
export type EntryMeta = Record<string, string | number | boolean | null>;

/** An entry to post. */
export interface EntryInput {
  env: Env;
  /** What kind of movement (`payment`, `refund`, `hold.capture`, `topup`, `seed`…). */
  kind: string;
  /** Unique per environment: the business event this entry books (`pay:ord_…`). */
  ref: string;
  /** Postings; zero amounts are dropped, postings to one account are merged. */
  postings: readonly Posting[];
  /** When, ms since the epoch. */
  at: number;
  /** The app the movement belongs to, if any (statements are per app). */
  appId?: string | null;
  meta?: EntryMeta;
}

/** A stored journal entry. */
export interface JournalDoc extends Doc {
  env: Env;
  kind: string;
  ref: string;
  appId: string | null;
  postings: Posting[];
  at: number;
  meta: EntryMeta;
}

/** Thrown for entries that can never be valid (a programming error, never a caller's): INTERNAL. */
export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerError';
  }
}

/** A balance that differs from the journal. */
export interface Mismatch {
  account: string;
  stored: number | null;
  replayed: number;
}

/** What `replay()` found. */
export interface ReplayReport {
  ok: boolean;
  entries: number;
  accounts: number;
  mismatches: Mismatch[];
}

/** What `checkInvariants()` found. */
export interface InvariantReport {
  ok: boolean;
  entries: number;
  accounts: number;
  /** One line per broken rule, empty when `ok`. */
  problems: string[];
}

const MAX_POSTINGS = 64;

/** Validates an entry and returns its postings merged per account, sorted by account id. */
export function normalizePostings(entry: EntryInput): Posting[] {
  if (!ENVS.includes(entry.env)) throw new LedgerError(`unknown environment ${JSON.stringify(entry.env)}`);
  if (typeof entry.ref !== 'string' || entry.ref.length === 0 || entry.ref.length > 200) throw new LedgerError('an entry needs a ref');
  if (!Number.isSafeInteger(entry.at)) throw new LedgerError('an entry needs a time (ms)');
  if (entry.postings.length > MAX_POSTINGS) throw new LedgerError('too many postings');
  const merged = new Map<string, number>();
  for (const p of entry.postings) {
    if (!Number.isSafeInteger(p.amount)) throw new LedgerError(`posting to ${p.account}: amounts are integer fen`);
    const ref = parseAccountId(p.account);
    if (!ref) throw new LedgerError(`not an account id: ${JSON.stringify(p.account)}`);
    if (ref.env !== entry.env) {
      throw new LedgerError(`posting to ${p.account} in a ${entry.env} entry: environments never mix`);
    }
    merged.set(p.account, (merged.get(p.account) ?? 0) + p.amount);
  }
  const postings = [...merged].filter(([, amount]) => amount !== 0).map(([account, amount]) => ({ account, amount }));
  postings.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  if (postings.length < 2) throw new LedgerError(`entry ${entry.ref} moves nothing`);
  const sum = postings.reduce((s, p) => s + p.amount, 0);
  if (sum !== 0) throw new LedgerError(`entry ${entry.ref} does not balance (sum ${sum})`);
  if (!postings.every((p) => Number.isSafeInteger(p.amount))) throw new LedgerError('amount overflow');
  return postings;
}

const FUNDS_MESSAGE: Partial<Record<AccountKind, string>> = {
  wallet: 'The wallet balance is not enough for this payment.',
  merchant: "The merchant's settlement balance does not cover this.",
  marketing: 'The marketing budget is used up.',
  hold: 'The hold does not cover this.',
  escrow: 'The escrow does not cover this.',
};

/**
 * Posts one entry inside the caller's transaction: inserts the journal entry and applies every
 * posting to its account. Accounts are created on their first credit. A debit that would take an
 * account below zero (other than an `external` one) throws INSUFFICIENT_FUNDS, which rolls the
 * whole transaction back. A `ref` already booked in the environment throws INVALID_STATE.
 *
 * @example
 * ```ts
 * await store.transaction(async (tx) => {
 *   await postEntry(tx, { env, kind: 'payment', ref: `pay:${orderId}`, at: now, appId,
 *     postings: [{ account: accounts.wallet(env, userId), amount: -100 }, { account: accounts.merchant(env, appId), amount: 100 }] });
 *   await tx.collection('payment_orders').updateOne({ _id: orderId, status: 'created' }, { $set: { status: 'paid' } });
 * });
 * ```
 */
export async function postEntry(tx: Transaction, entry: EntryInput): Promise<JournalDoc> {
  const postings = normalizePostings(entry);
  const doc: JournalDoc = {
    _id: `jrn_${newId()}`,
    env: entry.env,
    kind: entry.kind,
    ref: entry.ref,
    appId: entry.appId ?? null,
    postings,
    at: entry.at,
    meta: entry.meta ?? {},
  };
  try {
    await tx.collection<JournalDoc>(JOURNAL_COLLECTION).insertOne(doc);
  } catch (err) {
    if (err instanceof DuplicateKeyError) throw new LilyError('INVALID_STATE', 'This movement has already been booked.');
    throw err;
  }
  const accountsCol = tx.collection<AccountDoc>(ACCOUNTS_COLLECTION);
  for (const { account, amount } of postings) {
    const ref = parseAccountId(account)!;
    const negativeOk = mayGoNegative(ref.kind);
    if (amount < 0 && !negativeOk) {
      const res = await accountsCol.updateOne(
        { _id: account, balance: { $gte: -amount } },
        { $inc: { balance: amount }, $set: { updatedAt: entry.at } },
      );
      if (res.matchedCount !== 1) {
        throw new LilyError('INSUFFICIENT_FUNDS', FUNDS_MESSAGE[ref.kind], { account: ref.kind });
      }
    } else {
      await accountsCol.updateOne(
        { _id: account },
        {
          $inc: { balance: amount },
          $set: { updatedAt: entry.at },
          $setOnInsert: { env: ref.env, kind: ref.kind, owner: ref.owner, allowNegative: negativeOk, createdAt: entry.at },
        },
        { upsert: true },
      );
    }
  }
  return doc;
}

const indexed = new WeakMap<Store, Promise<void>>();

/** Creates the ledger's indexes once per store (safe to call often). */
export function ensureLedgerIndexes(store: Store): Promise<void> {
  let p = indexed.get(store);
  if (!p) {
    p = (async () => {
      const journal = store.collection(JOURNAL_COLLECTION);
      await journal.createIndex({ env: 1, ref: 1 }, { unique: true, name: 'env_ref_unique' });
      await journal.createIndex({ env: 1, appId: 1, at: 1 });
    })();
    p.catch(() => indexed.delete(store));
    indexed.set(store, p);
  }
  return p;
}

/**
 * The ledger of one store.
 *
 * @example
 * ```ts
 * const ledger = new Ledger(store);
 * await ledger.init();
 * await store.transaction((tx) => ledger.post(tx, { env: 'sandbox', kind: 'seed', ref: 'seed:1', at: Date.now(), postings }));
 * (await ledger.checkInvariants()).ok; // true
 * ```
 */
export class Ledger {
  constructor(private readonly store: Store) {}

  /** Creates the indexes the ledger relies on (the unique `ref` per environment). */
  init(): Promise<void> {
    return ensureLedgerIndexes(this.store);
  }

  /** Posts an entry inside `tx`; see {@link postEntry}. */
  post(tx: Transaction, entry: EntryInput): Promise<JournalDoc> {
    return postEntry(tx, entry);
  }

  /** An account's balance in fen (0 for an account never credited). */
  async balance(account: string): Promise<number> {
    const doc = await this.store.collection<AccountDoc>(ACCOUNTS_COLLECTION).findOne({ _id: account });
    return doc?.balance ?? 0;
  }

  /** An account, or null. */
  account(account: string): Promise<AccountDoc | null> {
    return this.store.collection<AccountDoc>(ACCOUNTS_COLLECTION).findOne({ _id: account });
  }

  /** The entries of one environment with this ref, or null. */
  entry(env: Env, ref: string): Promise<JournalDoc | null> {
    return this.store.collection<JournalDoc>(JOURNAL_COLLECTION).findOne({ env, ref });
  }

  /**
   * Recomputes every balance from the journal and compares it with the stored balance, in one
   * transaction so the two are read at the same instant.
   */
  replay(): Promise<ReplayReport> {
    return this.store.transaction(async (tx) => {
      const { sums, entries } = await sumJournal(tx);
      return compareBalances(tx, sums, entries);
    });
  }

  /**
   * Checks, at one instant: every entry has at least two postings, sums to zero and stays in its
   * environment; no account that must stay non-negative is negative; every account's environment
   * and kind match its id; and replaying the journal reproduces every balance.
   */
  checkInvariants(): Promise<InvariantReport> {
    return this.store.transaction(async (tx) => {
      const problems: string[] = [];
      const { sums, entries } = await sumJournal(tx, problems);
      let accountCount = 0;
      for await (const acct of tx.collection<AccountDoc>(ACCOUNTS_COLLECTION).find({})) {
        accountCount++;
        const ref = parseAccountId(acct._id);
        if (!ref || ref.env !== acct.env || ref.kind !== acct.kind) problems.push(`account ${acct._id}: id does not match its env/kind`);
        if (!Number.isSafeInteger(acct.balance)) problems.push(`account ${acct._id}: balance ${acct.balance} is not integer fen`);
        if (acct.balance < 0 && !(ref && mayGoNegative(ref.kind))) problems.push(`account ${acct._id}: negative balance ${acct.balance}`);
        if (acct.allowNegative !== (ref ? mayGoNegative(ref.kind) : false)) problems.push(`account ${acct._id}: allowNegative flag is wrong`);
      }
      const replay = await compareBalances(tx, sums, entries);
      for (const m of replay.mismatches) problems.push(`account ${m.account}: stored ${m.stored ?? 'missing'}, journal says ${m.replayed}`);
      return { ok: problems.length === 0, entries, accounts: accountCount, problems };
    });
  }
}

async function sumJournal(tx: Transaction, problems?: string[]): Promise<{ sums: Map<string, number>; entries: number }> {
  const sums = new Map<string, number>();
  let entries = 0;
  for await (const e of tx.collection<JournalDoc>(JOURNAL_COLLECTION).find({})) {
    entries++;
    let sum = 0;
    for (const p of e.postings) {
      sum += p.amount;
      sums.set(p.account, (sums.get(p.account) ?? 0) + p.amount);
      if (problems) {
        const ref = parseAccountId(p.account);
        if (!ref || ref.env !== e.env) problems.push(`entry ${e.ref}: posting to ${p.account} outside ${e.env}`);
        if (!Number.isSafeInteger(p.amount) || p.amount === 0) problems.push(`entry ${e.ref}: posting ${p.amount} is not non-zero integer fen`);
      }
    }
    if (problems && sum !== 0) problems.push(`entry ${e.ref}: postings sum to ${sum}`);
    if (problems && e.postings.length < 2) problems.push(`entry ${e.ref}: fewer than two postings`);
  }
  return { sums, entries };
}

async function compareBalances(tx: Transaction, sums: Map<string, number>, entries: number): Promise<ReplayReport> {
  const mismatches: Mismatch[] = [];
  const left = new Map(sums);
  let accountCount = 0;
  for await (const acct of tx.collection<AccountDoc>(ACCOUNTS_COLLECTION).find({})) {
    accountCount++;
    const replayed = left.get(acct._id) ?? 0;
    left.delete(acct._id);
    if (replayed !== acct.balance) mismatches.push({ account: acct._id, stored: acct.balance, replayed });
  }
  for (const [account, replayed] of left) mismatches.push({ account, stored: null, replayed });
  return { ok: mismatches.length === 0, entries, accounts: accountCount, mismatches };
}
