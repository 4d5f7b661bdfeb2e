/**
 * Ledger account ids. An account id names its environment first, then its kind, then its owner:
 * `sandbox:wallet:<userId>`, `production:merchant:<appId>`, `sandbox:hold:<holdId>`. The
 * environment is part of the id, so a sandbox account and a production account can never be the
 * same account, and the ledger refuses any journal entry whose postings name two environments.
 */
import type { Env } from '../policies/gates.ts';

/** The environments, each a separate world of money. */
export const ENVS: readonly Env[] = ['sandbox', 'production'];

/**
 * Kinds of account:
 * - `wallet`: a bank-app user's payment account (owner: user id);
 * - `merchant`: an app's settlement account at its merchant (owner: app id);
 * - `submerchant`: a sub-merchant under an app, for split settlement (owner: `<appId>:<subMerchantId>`);
 * - `hold`: the funds of one pre-authorization hold (owner: hold id);
 * - `escrow`: the funds of one supervised escrow (owner: escrow id);
 * - `fees`: the bank's fee income (owner: `bank`);
 * - `marketing`: the bank's marketing budget that funds campaign discounts (owner: `bank`);
 * - `external`: money entering or leaving the platform (cards, other banks, demo funding). The
 *   only kind allowed to go negative: its balance is what the outside world has put in, negated.
 */
export type AccountKind = 'wallet' | 'merchant' | 'submerchant' | 'hold' | 'escrow' | 'fees' | 'marketing' | 'external';

const KINDS: ReadonlySet<string> = new Set<AccountKind>(['wallet', 'merchant', 'submerchant', 'hold', 'escrow', 'fees', 'marketing', 'external']);

/** The parts of an account id. */
export interface AccountRef {
  env: Env;
  kind: AccountKind;
  owner: string;
}

/** True for the kinds whose balance may go below zero. */
export function mayGoNegative(kind: AccountKind): boolean {
  return kind === 'external';
}

const OWNER = /^[A-Za-z0-9_.:-]{1,120}$/;

/**
 * Builds an account id.
 *
 * @example
 * ```ts
 * accountId('sandbox', 'wallet', userId); // 'sandbox:wallet:5f0c…'
 * ```
 */
export function accountId(env: Env, kind: AccountKind, owner: string): string {
  if (!ENVS.includes(env)) throw new TypeError(`unknown environment ${JSON.stringify(env)}`);
  if (!KINDS.has(kind)) throw new TypeError(`unknown account kind ${JSON.stringify(kind)}`);
  if (!OWNER.test(owner)) throw new TypeError(`invalid account owner ${JSON.stringify(owner)}`);
  return `${env}:${kind}:${owner}`;
}

/** Parses an account id; undefined when it is not one. */
export function parseAccountId(id: string): AccountRef | undefined {
  const first = id.indexOf(':');
  const second = id.indexOf(':', first + 1);
  if (first < 0 || second < 0) return undefined;
  const env = id.slice(0, first);
  const kind = id.slice(first + 1, second);
  const owner = id.slice(second + 1);
  if (!(ENVS as readonly string[]).includes(env) || !KINDS.has(kind) || !OWNER.test(owner)) return undefined;
  return { env: env as Env, kind: kind as AccountKind, owner };
}

/** Well-known accounts of one environment. */
export const accounts = {
  /** A user's wallet. */
  wallet: (env: Env, userId: string) => accountId(env, 'wallet', userId),
  /** An app's merchant settlement account. */
  merchant: (env: Env, appId: string) => accountId(env, 'merchant', appId),
  /** A sub-merchant's settlement account under an app. */
  subMerchant: (env: Env, appId: string, subMerchantId: string) => accountId(env, 'submerchant', `${appId}:${subMerchantId}`),
  /** The funds of a hold. */
  hold: (env: Env, holdId: string) => accountId(env, 'hold', holdId),
  /** The funds of an escrow. */
  escrow: (env: Env, escrowId: string) => accountId(env, 'escrow', escrowId),
  /** The bank's fee income. */
  fees: (env: Env) => accountId(env, 'fees', 'bank'),
  /** The bank's marketing budget. */
  marketing: (env: Env) => accountId(env, 'marketing', 'bank'),
  /** Where outside money comes from and goes to (cards, demo funding). */
  external: (env: Env) => accountId(env, 'external', 'funding'),
} as const;
