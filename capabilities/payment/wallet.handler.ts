/**
 * Server handlers of `payment.wallet` (the consent gate has checked `scope.wallet` before these
 * run): the balance, and a top-up the user confirmed in the host's sheet with the PIN. The amount
 * is the one the user settled on in the sheet (`ctx.host.amount`), else the suggested one.
 */
import { LilyError } from '../../protocol/errors.ts';
import { pinCheck, requireConfirmation, type PaymentHandlerDeps } from '../../server/payments/host.ts';
import { defineHandlers } from '../define.ts';
import wallet from './wallet.ts';

/** Handlers of `payment.wallet`. */
export function createWalletHandlers(deps: PaymentHandlerDeps) {
  return defineHandlers(wallet, {
    getBalance: (ctx) => deps.payments.getBalance(ctx),
    async openTopUp(ctx, params) {
      const host = requireConfirmation(ctx);
      const amount = host.amount ?? params.amount;
      if (amount === undefined) throw new LilyError('INVALID_PARAMS', 'No top-up amount was chosen.', { field: 'amount' });
      const result = await deps.payments.topUp(ctx, { amount, cardId: host.cardId ?? null }, { confirm: pinCheck(deps, ctx, host), capability: wallet.id });
      await ctx.audit('wallet.topped_up', { amount });
      return result;
    },
  });
}
