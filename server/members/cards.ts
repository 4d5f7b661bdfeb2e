/**
 * Merchant membership cards (`member.card`): templates defined by the merchant over the Open API
 * (reviewed by bank ops in production, active at once in the sandbox), cards added to the user's
 * card pack after a host confirmation (one active card per user and template, held by a unique
 * partial index), updated by the merchant, removed by the user from the host's card pack.
 */
import { LilyError } from '../../protocol/errors.ts';
import { DuplicateKeyError, type Doc, type Store } from '../store/types.ts';
import { MC, publicId, randomCode, type Env, type Scope, type UserScope } from './common.ts';
import { ensureMemberIndexes } from './indexes.ts';

/** Most templates one app may define per environment. */
export const MAX_TEMPLATES = 20;

/** A card template. */
export interface CardTemplateDoc extends Doc {
  env: Env;
  appId: string;
  title: string;
  logoUrl: string;
  color: string;
  benefits: string[];
  hasPoints: boolean;
  status: 'pending_review' | 'active' | 'rejected';
  createdAt: number;
  reviewedAt: number | null;
  reviewNote: string | null;
}

/** A card in a user's card pack. */
export interface CardDoc extends Doc {
  env: Env;
  appId: string;
  templateId: string;
  userId: string;
  openId: string;
  title: string;
  code: string;
  level: string;
  points: number;
  status: 'active' | 'removed';
  addedAt: number;
  updatedAt: number;
}

/** A card as mini-apps and merchants see it. */
export function cardView(c: CardDoc) {
  return { cardId: c._id, templateId: c.templateId, title: c.title, code: c.code, level: c.level, points: c.points, addedAt: c.addedAt };
}

/** Card templates and the card pack. */
export class CardService {
  /** Defines a template; LIMIT_EXCEEDED past {@link MAX_TEMPLATES}. */
  async createTemplate(scope: Scope, input: { title: string; logoUrl: string; color: string; benefits?: string[]; hasPoints?: boolean }) {
    await ensureMemberIndexes(scope.store);
    const col = scope.store.collection<CardTemplateDoc>(MC.cardTemplates);
    if ((await col.countDocuments({ env: scope.env, appId: scope.appId })) >= MAX_TEMPLATES) {
      throw new LilyError('LIMIT_EXCEEDED', `An app may define at most ${MAX_TEMPLATES} card templates.`, { limit: MAX_TEMPLATES });
    }
    const status: CardTemplateDoc['status'] = scope.env === 'sandbox' ? 'active' : 'pending_review';
    const doc: CardTemplateDoc = {
      _id: publicId('ct'),
      env: scope.env,
      appId: scope.appId,
      title: input.title,
      logoUrl: input.logoUrl,
      color: input.color,
      benefits: input.benefits ?? [],
      hasPoints: input.hasPoints ?? false,
      status,
      createdAt: scope.now(),
      reviewedAt: null,
      reviewNote: null,
    };
    await col.insertOne(doc);
    return { templateId: doc._id, status };
  }

  /** Bank ops' decision on a template under review. */
  async reviewTemplate(store: Store, input: { templateId: string; approve: boolean; note?: string; at: number }) {
    const res = await store.collection<CardTemplateDoc>(MC.cardTemplates).findOneAndUpdate(
      { _id: input.templateId, status: 'pending_review' },
      { $set: { status: input.approve ? 'active' : 'rejected', reviewedAt: input.at, reviewNote: input.note ?? null } },
      { returnDocument: 'after' },
    );
    if (!res) throw new LilyError('NOT_FOUND', 'No template awaiting review with that id.');
    return { templateId: res._id, status: res.status };
  }

  /**
   * Adds a card of the app's template to the user's pack (the caller checked the host sheet).
   * NOT_FOUND for another app's template, INVALID_STATE until it is approved, DUPLICATE when
   * the user already holds one.
   */
  async addCard(scope: UserScope, input: { templateId: string; code?: string }) {
    await ensureMemberIndexes(scope.store);
    const template = await scope.store.collection<CardTemplateDoc>(MC.cardTemplates).findOne({ _id: input.templateId, env: scope.env, appId: scope.appId });
    if (!template) throw new LilyError('NOT_FOUND', 'No such card template.');
    if (template.status !== 'active') throw new LilyError('INVALID_STATE', 'The card template has not been approved.', { status: template.status });
    const now = scope.now();
    const doc: CardDoc = {
      _id: publicId('mc'),
      env: scope.env,
      appId: scope.appId,
      templateId: template._id,
      userId: scope.userId,
      openId: scope.openId,
      title: template.title,
      code: input.code ?? `${randomCode(4, '0123456789')}-${randomCode(4, '0123456789')}-${randomCode(4, '0123456789')}`,
      level: '',
      points: 0,
      status: 'active',
      addedAt: now,
      updatedAt: now,
    };
    try {
      await scope.store.collection<CardDoc>(MC.cards).insertOne(doc);
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw new LilyError('DUPLICATE', 'The user already holds this card.');
      throw err;
    }
    return cardView(doc);
  }

  /** The user's active cards of this app's templates. */
  async listCards(scope: UserScope) {
    const docs = await scope.store.collection<CardDoc>(MC.cards).find({ env: scope.env, userId: scope.userId, appId: scope.appId, status: 'active' }, { sort: { addedAt: 1 }, limit: 20 }).toArray();
    return docs.map(cardView);
  }

  /**
   * Sets the level and merchant points shown on a card. NOT_FOUND for another app's card, a
   * removed card, or an openId that is not the card's owner.
   */
  async updateCard(scope: Scope, input: { cardId: string; openId: string; level?: string; points?: number }) {
    const set: Record<string, unknown> = { updatedAt: scope.now() };
    if (input.level !== undefined) set['level'] = input.level;
    if (input.points !== undefined) set['points'] = input.points;
    const doc = await scope.store
      .collection<CardDoc>(MC.cards)
      .findOneAndUpdate({ _id: input.cardId, env: scope.env, appId: scope.appId, openId: input.openId, status: 'active' }, { $set: set }, { returnDocument: 'after' });
    if (!doc) throw new LilyError('NOT_FOUND', 'No such card.');
    return cardView(doc);
  }

  /** Every active card of a user, for the host's card pack. */
  async cardPack(store: Store, env: Env, userId: string) {
    const docs = await store.collection<CardDoc>(MC.cards).find({ env, userId, status: 'active' }, { sort: { addedAt: -1 }, limit: 200 }).toArray();
    return docs.map((c) => ({ ...cardView(c), appId: c.appId }));
  }

  /** Removes a card from the user's pack (host settings); NOT_FOUND when not theirs. */
  async removeCard(store: Store, env: Env, userId: string, cardId: string, at: number): Promise<void> {
    const res = await store.collection<CardDoc>(MC.cards).updateOne({ _id: cardId, env, userId, status: 'active' }, { $set: { status: 'removed', updatedAt: at } });
    if (res.modifiedCount !== 1) throw new LilyError('NOT_FOUND', 'No such card.');
  }
}
