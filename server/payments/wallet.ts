/**
 * Wallets: the balance a user pays from, top-ups from a linked card (money entering through the
 * external funding account), and the idempotent seeding of demo wallets.
 */
import { LilyError } from '../../protocol/errors.ts';
import { accounts } from '../ledger/accounts.ts';
import { ACCOUNTS_COLLECTION, JOURNAL_COLLECTION, postEntry, type AccountDoc } from '../ledger/ledger.ts';
import type { Doc, Store } from '../store/types.ts';
import { findUserCard, listUserCards, ensureDemoCards } from './cards.ts';
import { assertFen, C, cstDay, ensurePaymentIndexes, publicId, type Env, type UserScope } from './common.ts';
import { consumeDailyAmount } from './quota.ts';
import type { PaymentSettings } from './settings.ts';

/** A stored top-up. */
export interface TopUpDoc extends Doc {
  env: Env;
  userId: string;
  appId: string | null;
  amount: number;
  cardId: string;
  createdAt: number;
}

/** The user's available wallet balance. */
export async function getBalance(scope: Pick<UserScope, 'store' | 'env' | 'userId'>) {
  const acct = await scope.store.collection<AccountDoc>(ACCOUNTS_COLLECTION).findOne({ _id: accounts.wallet(scope.env, scope.userId) });
  return { balance: acct?.balance ?? 0, currency: 'CNY' as const, updatedAt: acct?.updatedAt ?? 0 };
}

/**
 * Tops the wallet up from one of the user's linked cards (the first debit card when none is
 * named). LIMIT_EXCEEDED above the bank's daily top-up cap. `confirm` (the PIN check) runs after
 * the checks and before money moves.
 */
export async function topUp(
  settings: PaymentSettings,
  scope: UserScope,
  input: { amount: number; cardId?: string | null },
  options: { confirm?: () => Promise<void>; capability?: string } = {},
) {
  await ensurePaymentIndexes(scope.store);
  assertFen(input.amount, 'amount');
  const card = input.cardId
    ? await findUserCard(scope.store, scope.userId, input.cardId)
    : ((await listUserCards(scope.store, scope.userId)).find((c) => c.cardType === 'debit') ?? null);
  if (!card) throw new LilyError('NOT_FOUND', 'No linked card to top up from.', { field: 'cardId' });
  const now = scope.now();
  const day = cstDay(now);
  const usageId = `${scope.env}|${scope.userId}|${day}`;
  const limit = settings.topUpDailyLimit;
  const usedBefore = (await scope.store.collection<{ _id: string; amount: number }>(C.topUpUsage).findOne({ _id: usageId }))?.amount ?? 0;
  if (usedBefore + input.amount > limit) {
    throw new LilyError('LIMIT_EXCEEDED', `Top-ups are limited to ${limit} fen a day; ${Math.max(0, limit - usedBefore)} fen is left today.`, { remaining: Math.max(0, limit - usedBefore) });
  }
  await options.confirm?.();
  await scope.store.transaction(async (tx) => {
    const usage = tx.collection<{ _id: string; amount: number; day?: string }>(C.topUpUsage);
    const used = (await usage.findOne({ _id: usageId }))?.amount ?? 0;
    if (used + input.amount > limit) throw new LilyError('LIMIT_EXCEEDED', `Top-ups are limited to ${limit} fen a day.`, { remaining: Math.max(0, limit - used) });
    await usage.updateOne({ _id: usageId }, { $inc: { amount: input.amount }, $setOnInsert: { day } }, { upsert: true });
    await consumeDailyAmount(tx, { env: scope.env, appId: scope.appId, capability: options.capability ?? 'payment.wallet', amount: input.amount, at: now });
    const id = publicId('tu');
    await postEntry(tx, {
      env: scope.env,
      kind: 'topup',
      ref: `topup:${id}`,
      at: now,
      postings: [
        { account: accounts.external(scope.env), amount: -input.amount },
        { account: accounts.wallet(scope.env, scope.userId), amount: input.amount },
      ],
      meta: { cardId: card._id },
    });
    await tx.collection<TopUpDoc>(C.topUps).insertOne({ _id: id, env: scope.env, userId: scope.userId, appId: scope.appId, amount: input.amount, cardId: card._id, createdAt: now });
  });
  const { balance } = await getBalance(scope);
  return { toppedUp: true, amount: input.amount, balance };
}

/** How much a demo wallet is seeded with: 10,000 yuan. */
export const DEMO_WALLET_AMOUNT = 1_000_000;

/**
 * Funds demo users' wallets in one environment from the external funding account and links
 * their two demo cards. Idempotent: each user's seed is one journal entry with the fixed ref
 * `seed:wallet:<userId>`, so a second run (or a concurrent one) funds nothing more.
 *
 * @example
 * ```ts
 * await seedWallets(store, [alice._id, bob._id], 'sandbox');
 * await seedWallets(store, [alice._id, bob._id], 'production'); // the local demo's production world
 * ```
 */
export async function seedWallets(
  store: Store,
  userIds: readonly string[],
  env: Env,
  options: { amount?: number; now?: number } = {},
): Promise<{ funded: string[] }> {
  await ensurePaymentIndexes(store);
  const amount = options.amount ?? DEMO_WALLET_AMOUNT;
  assertFen(amount, 'amount');
  const at = options.now ?? Date.now();
  const funded: string[] = [];
  for (const userId of userIds) {
    await ensureDemoCards(store, userId, at);
    const ref = `seed:wallet:${userId}`;
    try {
      const did = await store.transaction(async (tx) => {
        if (await tx.collection(JOURNAL_COLLECTION).findOne({ env, ref })) return false;
        await postEntry(tx, {
          env,
          kind: 'seed',
          ref,
          at,
          postings: [
            { account: accounts.external(env), amount: -amount },
            { account: accounts.wallet(env, userId), amount },
          ],
        });
        return true;
      });
      if (did) funded.push(userId);
    } catch (err) {
      // A concurrent seeder booked the same ref first: that is the idempotency at work.
      if (!(err instanceof LilyError && err.code === 'INVALID_STATE')) throw err;
    }
  }
  return { funded };
}

/**
 * Puts money into the bank's marketing budget of an environment (which pays bank-funded
 * campaign discounts). Idempotent by `ref`.
 */
export async function fundMarketingBudget(store: Store, env: Env, amount: number, ref: string, at = Date.now()): Promise<boolean> {
  await ensurePaymentIndexes(store);
  assertFen(amount, 'amount');
  const fullRef = `marketing:fund:${ref}`;
  return store.transaction(async (tx) => {
    if (await tx.collection(JOURNAL_COLLECTION).findOne({ env, ref: fullRef })) return false;
    await postEntry(tx, {
      env,
      kind: 'funding',
      ref: fullRef,
      at,
      postings: [
        { account: accounts.external(env), amount: -amount },
        { account: accounts.marketing(env), amount },
      ],
    });
    return true;
  });
}
