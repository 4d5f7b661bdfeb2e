/**
 * Demo data for a fresh install: bank-app users with payment PINs and funded wallets (sandbox
 * and the local demo's production), ops accounts and a merchant account. Idempotent: running it again changes nothing that exists (changed passwords stay).
 */
import type { Identity, OpsRole, PrincipalKind } from './identity/identity.ts';
import type { Logger } from './log.ts';
import type { Store } from './store/types.ts';
import { seedWallets } from './payments/index.ts';

/** A seeded account, as printed at start. */
export interface DemoAccount {
  kind: PrincipalKind;
  username: string;
  password: string;
  displayName: string;
  roles?: OpsRole[];
  pin?: string;
}

/** The demo accounts. Passwords are public: this is demo data for a local install. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { kind: 'user', username: 'alice', password: 'alice-demo', displayName: '李小花 Alice', pin: '123456' },
  { kind: 'user', username: 'bob', password: 'bob-demo-1', displayName: '王大明 Bob', pin: '654321' },
  { kind: 'ops', username: 'admin', password: 'admin-demo', displayName: 'Ops Admin', roles: ['admin', 'reviewer'] },
  { kind: 'ops', username: 'reviewer', password: 'reviewer-demo', displayName: 'Ops Reviewer', roles: ['reviewer'] },
  { kind: 'merchant', username: 'merchant', password: 'merchant-demo', displayName: 'Demo Merchant' },
];

/** Seeds what is missing and returns the accounts it created this time. */
export async function seed(deps: { store: Store; identity: Identity; log: Logger }): Promise<{ created: string[] }> {
  const created: string[] = [];
  for (const account of DEMO_ACCOUNTS) {
    let existing = await deps.identity.findAccount(account.kind, account.username);
    if (!existing) {
      try {
        await deps.identity.createAccount(account.kind, account);
        created.push(`${account.kind}:${account.username}`);
      } catch (err) {
        // Another process seeding at the same time created it: that is fine.
        if ((err as { code?: string }).code !== 'ACCOUNT_EXISTS') throw err;
      }
      existing = await deps.identity.findAccount(account.kind, account.username);
    }
    if (account.pin && existing && !existing.pin) {
      await deps.identity.setPin(existing._id, account.password, account.pin);
    }
  }
  // Demo wallets are funded once per user and environment (a fixed journal ref makes it idempotent).
  const userIds: string[] = [];
  for (const account of DEMO_ACCOUNTS.filter((a) => a.kind === 'user')) {
    const doc = await deps.identity.findAccount('user', account.username);
    if (doc) userIds.push(doc._id);
  }
  for (const env of ['sandbox', 'production'] as const) await seedWallets(deps.store, userIds, env);
  await deps.store
    .collection('meta')
    .updateOne({ _id: 'seed' }, { $set: { seededAt: new Date() }, $setOnInsert: { firstSeededAt: new Date() } }, { upsert: true });
  if (created.length > 0) deps.log.info({ created }, 'seeded demo accounts');
  return { created };
}

/** The lines printed at start telling a person how to log in. */
export function loginHelp(publicUrl: string): string {
  const rows = DEMO_ACCOUNTS.map(
    (a) =>
      `  ${a.kind.padEnd(8)} ${a.username.padEnd(9)} password ${a.password}${a.pin ? `  payment PIN ${a.pin}` : ''}${
        a.roles ? `  roles ${a.roles.join(',')}` : ''
      }`,
  );
  return [`Lily is running at ${publicUrl}`, 'Demo accounts:', ...rows].join('\n');
}
