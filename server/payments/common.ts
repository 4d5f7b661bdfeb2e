/**
 * What every payment module shares: who is calling (scopes), collection names, ids, amounts, the
 * China Standard Time calendar, request fingerprints for idempotency, and the indexes.
 */
import { randomBytes } from 'node:crypto';
import { LilyError } from '../../protocol/errors.ts';
import { canonicalJson } from '../../runtime/package/canonical.ts';
import { sm3 } from '../crypto/sm3.ts';
import { ensureLedgerIndexes } from '../ledger/ledger.ts';
import type { Env } from '../policies/gates.ts';
import type { Store } from '../store/types.ts';

/** Sandbox or production: separate worlds of money. */
export type { Env };

/** Where a call runs: the store, the world, the app, the clock. */
export interface Scope {
  readonly store: Store;
  readonly env: Env;
  readonly appId: string;
  now(): number;
}

/** A call made by a bank-app user inside a mini-app (a `CapabilityContext` is one). */
export interface UserScope extends Scope {
  /** Internal user id: never returned to a mini-app or a merchant. */
  readonly userId: string;
  /** The user's pseudonymous id for this app. */
  readonly openId: string;
}

/**
 * The context of a merchant's Open API call, as the Open API framework builds it after checking
 * the signature (its context carries more; these members are all the operations use).
 */
export interface MerchantContext extends Scope {
  /** Records an audit entry for this call. */
  audit(event: string, data: Record<string, unknown>): Promise<void>;
}

/** Collection names. */
export const C = {
  orders: 'payment_orders',
  refunds: 'payment_refunds',
  holds: 'payment_holds',
  splits: 'payment_splits',
  escrows: 'payment_escrows',
  agreements: 'payment_agreements',
  agreementUsage: 'payment_agreement_usage',
  topUps: 'wallet_topups',
  topUpUsage: 'wallet_topup_usage',
  quotaUsage: 'payment_quota_usage',
  cards: 'payment_cards',
  cardTokens: 'payment_card_tokens',
  statements: 'payment_statements',
  outbox: 'outbox',
} as const;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A public id: prefix, underscore, 20 random base62 characters (≈119 bits), e.g. `ord_8Kd2…`.
 * Unguessable, so knowing one id tells nothing about another.
 */
export function publicId(prefix: string): string {
  let out = `${prefix}_`;
  // 248 = 62 × 4: rejecting bytes above it keeps every character equally likely.
  while (out.length < prefix.length + 21) {
    const b = randomByte();
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out;
}

let randomPool = Buffer.alloc(0);
let randomAt = 0;

/** A random byte from the CSPRNG, drawn 4 KiB at a time (one system call per ~190 ids). */
function randomByte(): number {
  if (randomAt >= randomPool.length) {
    randomPool = randomBytes(4096);
    randomAt = 0;
  }
  return randomPool[randomAt++]!;
}

/** Largest single amount: 100 million yuan, in fen (as the schemas say). */
export const MAX_FEN = 10_000_000_000;

/** Throws INVALID_PARAMS unless `amount` is a positive integer number of fen within the platform maximum. */
export function assertFen(amount: unknown, field: string): asserts amount is number {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1 || amount > MAX_FEN) {
    throw new LilyError('INVALID_PARAMS', `${field} must be a whole number of fen between 1 and ${MAX_FEN}.`, { field });
  }
}

/** The SM3 fingerprint of a request's business content, to tell a retry from a conflicting reuse. */
export function fingerprint(content: Record<string, unknown>): string {
  return sm3(canonicalJson(content));
}

/** China Standard Time is UTC+8 all year. */
const CST_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** The CST calendar day of an instant, `YYYY-MM-DD`. */
export function cstDay(ms: number): string {
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The first and the after-last instant of a CST day `YYYY-MM-DD`; undefined for an invalid date. */
export function cstDayRange(day: string): { start: number; end: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(utc) || new Date(utc).toISOString().slice(0, 10) !== day) return undefined;
  return { start: utc - CST_OFFSET_MS, end: utc - CST_OFFSET_MS + DAY_MS };
}

/** Opaque page cursors: base64url JSON of the last item's sort key. */
export function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify({ c: at, i: id })).toString('base64url');
}

/** Decodes a cursor from {@link encodeCursor}; INVALID_PARAMS when it is not one. */
export function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (typeof v.c === 'number' && Number.isSafeInteger(v.c) && typeof v.i === 'string' && v.i.length <= 64) return { at: v.c, id: v.i };
  } catch {
    // fall through
  }
  throw new LilyError('INVALID_PARAMS', 'The cursor is not one this API returned.', { field: 'cursor' });
}

const indexed = new WeakMap<Store, Promise<void>>();

/**
 * Creates every index the payment services rely on, once per store. The unique ones carry the
 * idempotency rules: one `outTradeNo` per app and environment, one refund per `outRefundNo`…
 */
export function ensurePaymentIndexes(store: Store): Promise<void> {
  let p = indexed.get(store);
  if (!p) {
    p = (async () => {
      await ensureLedgerIndexes(store);
      const ix = (name: string, keys: Record<string, 1 | -1>, unique = false) =>
        store.collection(name).createIndex(keys, unique ? { unique: true } : {});
      await ix(C.orders, { env: 1, appId: 1, tradeKey: 1 }, true);
      await ix(C.orders, { prepayId: 1 });
      await ix(C.orders, { code: 1 });
      await ix(C.orders, { env: 1, appId: 1, openId: 1, createdAt: -1 });
      await ix(C.orders, { env: 1, appId: 1, createdAt: -1 });
      await ix(C.orders, { status: 1, expiresAt: 1 });
      await ix(C.refunds, { env: 1, appId: 1, outRefundNo: 1 }, true);
      await ix(C.refunds, { orderId: 1 });
      await ix(C.holds, { env: 1, appId: 1, outHoldNo: 1 }, true);
      await ix(C.holds, { status: 1, expiresAt: 1 });
      await ix(C.splits, { env: 1, appId: 1, outSplitNo: 1 }, true);
      await ix(C.splits, { orderId: 1 });
      await ix(C.escrows, { env: 1, orderId: 1 }, true);
      await store.collection(C.agreements).createIndex(
        { env: 1, appId: 1, userId: 1, scene: 1 },
        { unique: true, name: 'one_active_per_scene', partialFilterExpression: { status: 'active' } },
      );
      await ix(C.cards, { userId: 1 });
      await ix(C.cardTokens, { env: 1, appId: 1, userId: 1, cardId: 1 }, true);
      await ix(C.outbox, { env: 1, appId: 1, createdAt: 1 });
      await ix(C.outbox, { status: 1, nextAttemptAt: 1 });
    })();
    p.catch(() => indexed.delete(store));
    indexed.set(store, p);
  }
  return p;
}
