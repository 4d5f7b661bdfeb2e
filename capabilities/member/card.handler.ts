/**
 * Server handlers of `member.card`: add a card to the user's card pack after the host's card
 * sheet was confirmed, and list this app's cards.
 */
import { requireConfirmed } from '../../server/members/common.ts';
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import card from './card.ts';

/** Handlers of `member.card`. */
export function createCardHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(card, {
    async addCard(ctx, params) {
      requireConfirmed(ctx);
      const view = await deps.members.cards.addCard(await enter(ctx), { templateId: params.templateId, ...(params.code !== undefined ? { code: params.code } : {}) });
      await ctx.audit('member.card_added', { cardId: view.cardId, templateId: view.templateId });
      return view;
    },
    async getCards(ctx) {
      return { cards: await deps.members.cards.listCards(await enter(ctx)) };
    },
  });
}
