/**
 * Server handler of `payment.qrcode`: pays a merchant QR order of this app, scanned by the host
 * (the code comes from the params, or from the host scanner in `ctx.host.scannedCode`), through
 * the same cashier path as `payment.cashier`.
 */
import { LilyError } from '../../protocol/errors.ts';
import { pinCheck, requireConfirmation, type PaymentHandlerDeps } from '../../server/payments/host.ts';
import { defineHandlers } from '../define.ts';
import qrcode from './qrcode.ts';

const CODE = /^LILYPAY:[A-Za-z0-9_-]{8,100}$/;

/** Handlers of `payment.qrcode`. */
export function createQrcodeHandlers(deps: PaymentHandlerDeps) {
  return defineHandlers(qrcode, {
    async scanToPay(ctx, params) {
      const code = params.code ?? ctx.host?.scannedCode;
      if (code === undefined) throw new LilyError('USER_CANCELLED', 'The user closed the scanner.');
      if (!CODE.test(code)) throw new LilyError('NOT_FOUND', 'This is not a payment code of a live order.');
      const host = requireConfirmation(ctx);
      const paid = await deps.payments.pay(
        ctx,
        { code },
        { cardId: host.cardId ?? null, installments: host.installmentTerm ?? null, couponId: host.couponId ?? null },
        { capability: qrcode.id, confirm: pinCheck(deps, ctx, host) },
      );
      await ctx.audit('payment.paid', { orderId: paid.orderId, amount: paid.paidAmount, payMethod: paid.payMethod, via: 'qrcode' });
      return paid;
    },
  });
}
