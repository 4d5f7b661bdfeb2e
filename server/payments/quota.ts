/**
 * The daily amount quota ops may attach to a payment capability's grant (`GrantQuota.dailyAmount`,
 * fen per CST day, per app and environment). It is checked and consumed inside the transaction
 * that moves the money, so a refused or rolled-back movement consumes nothing and concurrent
 * movements cannot pass the quota together.
 *
 * Which movement counts against which capability:
 * `payment.cashier` cashier payments · `payment.qrcode` QR payments · `payment.deposit` hold
 * authorizations · `payment.wallet` top-ups · `payment.agreement` agreement charges ·
 * `payment.refund` refunds · `payment.split` splits · `payment.escrow` escrow funding.
 */
import { LilyError } from '../../protocol/errors.ts';
import { grantId, type GrantDoc } from '../grants/grants.ts';
import type { Doc, Transaction } from '../store/types.ts';
import { C, cstDay, type Env } from './common.ts';

interface UsageDoc extends Doc {
  appId: string;
  env: Env;
  capability: string;
  day: string;
  amount: number;
}

/**
 * Consumes `amount` of the grant's daily amount quota inside `tx`; QUOTA_EXCEEDED (with
 * `details.remaining`) when the day's total would pass it. No quota, no limit.
 */
export async function consumeDailyAmount(
  tx: Transaction,
  input: { env: Env; appId: string; capability: string; amount: number; at: number },
): Promise<void> {
  const grant = await tx.collection<GrantDoc>('grants').findOne({ _id: grantId(input.appId, input.env, input.capability) });
  const limit = grant?.status === 'granted' ? grant.quota?.dailyAmount : undefined;
  if (limit === undefined) return;
  const day = cstDay(input.at);
  const id = `${input.appId}|${input.env}|${input.capability}|${day}`;
  const col = tx.collection<UsageDoc>(C.quotaUsage);
  const used = (await col.findOne({ _id: id }))?.amount ?? 0;
  if (used + input.amount > limit) {
    throw new LilyError('QUOTA_EXCEEDED', `The daily amount granted to this app for ${input.capability} is used up.`, {
      dailyAmount: limit,
      remaining: Math.max(0, limit - used),
    });
  }
  await col.updateOne(
    { _id: id },
    { $inc: { amount: input.amount }, $setOnInsert: { appId: input.appId, env: input.env, capability: input.capability, day } },
    { upsert: true },
  );
}
