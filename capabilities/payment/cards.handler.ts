/**
 * Server handler of `payment.cards`: the card the user picked in the host's picker
 * (`ctx.host.cardId`), returned masked with a token bound to this app. Never a card number.
 */
import type { PaymentHandlerDeps } from '../../server/payments/host.ts';
import { requireConfirmation } from '../../server/payments/host.ts';
import { defineHandlers } from '../define.ts';
import cards from './cards.ts';

/** Handlers of `payment.cards`. */
export function createCardsHandlers(deps: Pick<PaymentHandlerDeps, 'payments'>) {
  return defineHandlers(cards, {
    async chooseCard(ctx, params) {
      const card = await deps.payments.chooseCard(
        ctx,
        { cardTypes: params.cardTypes, picked: ctx.host?.cardId ?? null },
        { confirm: () => void requireConfirmation(ctx) },
      );
      await ctx.audit('card.tokenized', { cardType: card.cardType, last4: card.last4 });
      return card;
    },
  });
}
