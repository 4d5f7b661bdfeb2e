/**
 * What the membership services share: collection names, the scopes a call runs in, the extra
 * fields the host's pickers send, secrets derived for tokens, and small helpers (hashing of
 * one-time codes, consent checks, optimistic retries).
 */
import type { CapabilityContext, HostConfirmation } from '../../capabilities/context.ts';
import { LilyError } from '../../protocol/errors.ts';
import { fromBase64, hmacSm3, randomBytes, sm3, sm4GcmDecrypt, sm4GcmEncrypt, toBase64, fromHex, utf8, fromUtf8 } from '../../runtime/crypto/sm.ts';
import type { ConsentService } from '../consents/consents.ts';
import { consentGate } from '../policies/gates.ts';
import type { MerchantContext, Scope, UserScope } from '../payments/common.ts';

export { publicId, fingerprint, encodeCursor, decodeCursor, cstDay, cstDayRange, type Env, type Scope, type UserScope, type MerchantContext } from '../payments/common.ts';

/** Collection names of the membership services. */
export const MC = {
  openIds: 'open_ids',
  loginCodes: 'member_login_codes',
  sessions: 'member_sessions',
  phoneCodes: 'member_phone_codes',
  profiles: 'member_profiles',
  identities: 'member_identities',
  points: 'member_points',
  pointTxns: 'member_point_txns',
  pointBudgets: 'member_point_budgets',
  tiers: 'member_tiers',
  cardTemplates: 'member_card_templates',
  cards: 'member_cards',
  addresses: 'member_addresses',
  invoiceTitles: 'member_invoice_titles',
  verifications: 'member_verifications',
  otps: 'member_otps',
} as const;

/**
 * What the host's sheets may send besides {@link HostConfirmation}'s fields: the item picked in a
 * picker (address, invoice title, share channel), the items accepted in a multi-choice sheet
 * (message templates) and a one-time code typed in the verification sheet. Read through
 * {@link hostOf}; the bridge copies them from the request's `host` member, never from params.
 */
export interface PickerConfirmation extends HostConfirmation {
  /** The id (or value) of the one item the user picked. */
  readonly pickedId?: string;
  /** The ids the user accepted in a multi-choice sheet. */
  readonly pickedIds?: readonly string[];
  /** The one-time code the user typed in the verification sheet. */
  readonly otp?: string;
}

/** The host's confirmation of a call, with the picker fields. */
export function hostOf(ctx: Pick<CapabilityContext, 'host'>): PickerConfirmation | undefined {
  return ctx.host as PickerConfirmation | undefined;
}

/** USER_CANCELLED unless the user confirmed the host sheet; returns what it collected. */
export function requireConfirmed(ctx: Pick<CapabilityContext, 'host'>): PickerConfirmation {
  const host = hostOf(ctx);
  if (!host || host.confirmed !== true) throw new LilyError('USER_CANCELLED', 'The user closed the sheet.');
  return host;
}

/** The consent lookups the membership services use (a `ConsentService`). */
export type Consents = Pick<ConsentService, 'facts' | 'list' | 'decide'>;

/**
 * CONSENT_REQUIRED or CONSENT_EXPIRED unless the user granted `scope` to the app and it has not
 * lapsed. The bridge's gate checks the same before a handler runs; handlers and Open API
 * operations check again because they are the authority on what they hand out.
 */
export async function requireConsent(consents: Consents, input: { userId: string; appId: string; scope: string; now: number }): Promise<void> {
  const denial = consentGate(input.scope, await consents.facts(input.userId, input.appId, input.scope), input.now);
  if (denial) throw new LilyError(denial.code, denial.code === 'CONSENT_EXPIRED' ? 'The consent has expired; ask the user again.' : 'The user has not granted this.', { scope: input.scope });
}

/** The scope of a guest call. */
export function userScope(ctx: CapabilityContext): UserScope {
  return { store: ctx.store, env: ctx.env, appId: ctx.appId, userId: ctx.userId, openId: ctx.openId, now: () => ctx.now() };
}

/** The scope of a merchant call. */
export function merchantScope(ctx: MerchantContext): Scope {
  return { store: ctx.store, env: ctx.env, appId: ctx.appId, now: () => ctx.now() };
}

/** The SM3 digest under which a one-time code or token is stored (never the code itself). */
export function codeDigest(code: string): string {
  return sm3(`lily/one-time/${code}`);
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of `length` characters from `alphabet` (rejection sampling: no bias). */
export function randomCode(length: number, alphabet = BASE62): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

/**
 * Keys derived from one deployment secret, one per purpose, so a token of one kind can never be
 * taken for another. Holds nothing else.
 */
export class MemberSecrets {
  private readonly root: string;

  constructor(secret: string) {
    if (typeof secret !== 'string' || secret.length < 32) throw new TypeError('the membership secret must be at least 32 characters');
    this.root = secret;
  }

  /** HMAC-SM3 (hex) of `data` under the key of `purpose`. */
  mac(purpose: string, data: string): string {
    return hmacSm3(hmacSm3(this.root, `lily/members/${purpose}/v1`), data);
  }

  /** Encrypts a short secret for storage (SM4-GCM, random IV); `aad` binds it to its owner. */
  seal(plain: string, aad: string): string {
    const iv = randomBytes(12);
    const { ciphertext, tag } = sm4GcmEncrypt(utf8(plain), this.key(), iv, utf8(aad));
    return `${toBase64(iv)}.${toBase64(ciphertext)}.${toBase64(tag)}`;
  }

  /** Decrypts what {@link seal} produced for the same `aad`; throws when it was tampered with. */
  open(sealed: string, aad: string): string {
    const [iv, ct, tag] = sealed.split('.');
    if (!iv || !ct || !tag) throw new Error('not a sealed value');
    return fromUtf8(sm4GcmDecrypt(fromBase64(ct), this.key(), fromBase64(iv), fromBase64(tag), utf8(aad)));
  }

  private key(): Uint8Array {
    return fromHex(this.mac('seal', 'key').slice(0, 32));
  }
}

/**
 * Runs `fn` again when it reports a lost race (`CONFLICT`) or a concurrent insert of the same key
 * (`DuplicateKeyError`), up to `attempts` times. Used around optimistic updates that condition on
 * a version read in the same transaction.
 */
export async function retrying<R>(fn: () => Promise<R>, attempts = 5): Promise<R> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const lost = (err instanceof LilyError && err.code === 'CONFLICT') || (err as { code?: unknown }).code === 11000;
      if (!lost || i >= attempts) throw err;
    }
  }
}

/**
 * When a TTL index may delete a document that logically expires `ttlMs` from now. TTL is garbage
 * collection on the wall clock; expiry itself is always checked against the call's clock, with an
 * hour's grace so the two never disagree.
 */
export function gcAt(ttlMs: number): Date {
  return new Date(Date.now() + ttlMs + 3600_000);
}

/** One page of a list: at most `limit` (1–100, default 20). */
export function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 20, 1), 100);
}
