/**
 * The payment discount hook (`PaymentSettings.discount`): coupons and bank campaigns at checkout.
 *
 * The cashier calls it inside the payment transaction. When the user picked a coupon in the
 * cashier sheet it is redeemed (merchant-funded) in that transaction, or the payment fails with
 * INVALID_STATE; otherwise the best bank campaign applies (bank-funded), or nothing. Everything
 * it writes commits or rolls back with the payment, and it has no other side effect, so a
 * retried transaction is harmless.
 *
 * The hook's `Discount` carries one funding source, so a coupon and a campaign do not stack on
 * one order. The hook input names no payment method: campaigns limited to some methods apply
 * only when the cashier passes `payMethod` (see the wiring notes).
 */
import type { DiscountHook } from '../payments/settings.ts';
import type { CampaignService, PayMethod } from './campaigns.ts';
import type { Redemptions } from './redemptions.ts';

/**
 * Builds the hook.
 *
 * @example
 * ```ts
 * const payments = new Payments({ discount: createDiscountHook(marketing) });
 * ```
 */
export function createDiscountHook(marketing: { redemptions: Redemptions; campaigns: CampaignService }): DiscountHook {
  return async (tx, input) => {
    const facts = { ...input, payMethod: (input as { payMethod?: PayMethod }).payMethod };
    if (input.couponId) return marketing.redemptions.redeemIn(tx, { ...facts, couponId: input.couponId });
    return marketing.campaigns.applyIn(tx, facts);
  };
}
