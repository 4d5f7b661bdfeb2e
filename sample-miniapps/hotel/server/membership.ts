/**
 * The chain's membership: each guest's nights, stays and points, the card template the chain
 * defines with the bank (once per world, on first use), and the guest's card in the bank's card
 * pack, which the chain keeps up to date after every stay.
 */
import { randomBytes } from 'node:crypto';
import { LilyOpenApiError } from '../../../open-client/index.ts';
import type { CardView, HotelBank, HotelEnv } from './bank.ts';
import { memberLevel } from './catalog.ts';

/** A guest's standing with the chain. */
export interface Member {
  nights: number;
  /** The chain's own points: one per yuan paid for stays. */
  points: number;
  stays: number;
  /** The guest's card in the bank's card pack, once added. */
  cardId: string | null;
}

/** The card template of one world, as last known. */
export interface CardTemplate {
  templateId: string;
  status: string;
}

/** Members and their cards, for both worlds. */
export class Membership {
  /** Members by `<env>|<openId>`. */
  readonly members = new Map<string, Member>();
  /** The card template per world, once defined (or learnt back from a card). */
  readonly templates = new Map<HotelEnv, CardTemplate>();
  private readonly creating = new Map<HotelEnv, Promise<CardTemplate>>();

  constructor(
    private readonly bankOf: (env: HotelEnv) => HotelBank,
    /** Where the card's logo is served (https). */
    private readonly logoUrl: () => string,
    private readonly log: (message: string, data?: Record<string, unknown>) => void,
  ) {}

  /** The guest's record (a new one for a first-time guest). */
  memberOf(env: HotelEnv, openId: string): Member {
    const key = `${env}|${openId}`;
    let m = this.members.get(key);
    if (!m) this.members.set(key, (m = { nights: 0, points: 0, stays: 0, cardId: null }));
    return m;
  }

  /** The guest's standing, as the card page shows it. */
  standing(env: HotelEnv, openId: string, template: CardTemplate) {
    const m = this.memberOf(env, openId);
    return { templateId: template.templateId, templateStatus: template.status, cardId: m.cardId, level: memberLevel(m.nights), nights: m.nights, points: m.points, stays: m.stays };
  }

  /**
   * The world's card template, defined with the bank on first use (reviewed by the bank in
   * production, active at once in the sandbox). Concurrent first uses share one definition.
   */
  ensureTemplate(env: HotelEnv): Promise<CardTemplate> {
    const known = this.templates.get(env);
    if (known) return Promise.resolve(known);
    let creating = this.creating.get(env);
    if (!creating) {
      creating = this.bankOf(env)
        .createCardTemplate(
          {
            title: '悦途酒店会员卡',
            logoUrl: this.logoUrl(),
            color: 'green',
            benefits: ['每住 1 晚累计 1 晚房晚 · Nights count', '住满 3 晚升银卡，10 晚升金卡', '每消费 1 元积 1 分 · 1 point per yuan'],
            hasPoints: true,
          },
          `CARD-TEMPLATE-${env}-${randomBytes(4).toString('hex')}`,
        )
        .then((t) => {
          this.templates.set(env, t);
          return t;
        })
        .finally(() => this.creating.delete(env));
      this.creating.set(env, creating);
    }
    return creating;
  }

  /**
   * Links the card the guest holds: writing their standing onto it is also the proof that it is
   * this guest's card of this app (the bank answers NOT_FOUND otherwise). After a restart the
   * template is learnt back from a card the bank vouched for.
   */
  async link(env: HotelEnv, openId: string, cardId: string): Promise<CardView> {
    const m = this.memberOf(env, openId);
    const card = await this.bankOf(env).updateCard(cardId, { openId, level: memberLevel(m.nights), points: m.points });
    m.cardId = card.cardId;
    if (!this.templates.has(env)) this.templates.set(env, { templateId: card.templateId, status: 'active' });
    return card;
  }

  /** Counts a finished stay and puts the new standing on the guest's card. */
  async recordStay(env: HotelEnv, openId: string, stay: { nights: number; points: number }): Promise<void> {
    const m = this.memberOf(env, openId);
    m.nights += stay.nights;
    m.points += stay.points;
    m.stays += 1;
    if (!m.cardId) return;
    try {
      await this.bankOf(env).updateCard(m.cardId, { openId, level: memberLevel(m.nights), points: m.points });
    } catch (err) {
      // The guest removed the card from the card pack: forget it until they add it again.
      if (err instanceof LilyOpenApiError && err.code === 'NOT_FOUND') m.cardId = null;
      else this.log('card update failed', { error: (err as Error).message });
    }
  }
}
