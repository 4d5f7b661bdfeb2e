/**
 * Server handler of `payment.agreement`: the user signs a password-free payment agreement in the
 * host's sheet (merchant, scene and limits shown by the host) with the PIN.
 */
import { pinCheck, requireConfirmation, type PaymentHandlerDeps } from '../../server/payments/host.ts';
import { defineHandlers } from '../define.ts';
import agreement from './agreement.ts';

/** Handlers of `payment.agreement`. */
export function createAgreementHandlers(deps: PaymentHandlerDeps) {
  return defineHandlers(agreement, {
    async signAgreement(ctx, params) {
      const host = requireConfirmation(ctx);
      const signed = await deps.payments.signAgreement(ctx, params, { confirm: pinCheck(deps, ctx, host) });
      await ctx.audit('agreement.signed', { agreementId: signed.agreementId, scene: signed.scene, perChargeLimit: signed.perChargeLimit, dailyLimit: signed.dailyLimit });
      return signed;
    },
  });
}
