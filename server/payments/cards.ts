/**
 * Linked bank cards, masked and tokenized. The platform never holds a card number: a card is its
 * vault token (`tokenizedId`), issuing bank, kind, first four and last four digits. A mini-app
 * gets a card token (`ctk_…`) bound to itself, the environment and the user, never the card id.
 */
import { LilyError } from '../../protocol/errors.ts';
import { sm3 } from '../crypto/sm3.ts';
import type { Doc, Store } from '../store/types.ts';
import { C, ensurePaymentIndexes, publicId, type UserScope } from './common.ts';

/** A linked card. */
export interface CardDoc extends Doc {
  userId: string;
  bankName: string;
  cardType: 'debit' | 'credit';
  /** First four digits (the issuer prefix), for the masked display. */
  bin: string;
  last4: string;
  /** The card vault's token for the card number. */
  tokenizedId: string;
  status: 'active' | 'unlinked';
  linkedAt: number;
}

/** A card token issued to an app. */
export interface CardTokenDoc extends Doc {
  env: string;
  appId: string;
  userId: string;
  cardId: string;
  expiresAt: number;
  issuedAt: number;
}

/** How long a card token lives. */
export const CARD_TOKEN_TTL_MS = 365 * 24 * 3600 * 1000;

/** The masked number shown for a card, e.g. `6222 **** **** 1234`. */
export function maskedNumber(card: Pick<CardDoc, 'bin' | 'last4'>): string {
  return `${card.bin} **** **** ${card.last4}`;
}

/** A card as the host's picker shows it. */
export function cardView(card: CardDoc) {
  return { cardId: card._id, bankName: card.bankName, cardType: card.cardType, last4: card.last4, maskedNumber: maskedNumber(card) };
}

const DEMO_CARDS = [
  { n: 1, bankName: '百合银行', cardType: 'debit', bin: '6222' },
  { n: 2, bankName: '百合银行', cardType: 'credit', bin: '6258' },
] as const;

/**
 * Links the two demo cards (a debit and a credit card of the bank) to a user, once: the ids are
 * derived from the user id, so running it again changes nothing.
 */
export async function ensureDemoCards(store: Store, userId: string, at = Date.now()): Promise<void> {
  await ensurePaymentIndexes(store);
  for (const c of DEMO_CARDS) {
    const digest = sm3(`lily-demo-card|${userId}|${c.n}`);
    const last4 = String(parseInt(digest.slice(0, 8), 16) % 10_000).padStart(4, '0');
    await store.collection<CardDoc>(C.cards).updateOne(
      { _id: `card_${digest.slice(8, 28)}` },
      {
        $setOnInsert: {
          userId,
          bankName: c.bankName,
          cardType: c.cardType,
          bin: c.bin,
          last4,
          tokenizedId: `tok_${digest.slice(28, 60)}`,
          status: 'active',
          linkedAt: at,
        },
      },
      { upsert: true },
    );
  }
}

/** The user's active cards, debit first. */
export async function listUserCards(store: Store, userId: string): Promise<CardDoc[]> {
  await ensurePaymentIndexes(store);
  const cards = await store.collection<CardDoc>(C.cards).find({ userId, status: 'active' }).toArray();
  return cards.sort((a, b) => (a.cardType === b.cardType ? a._id.localeCompare(b._id) : a.cardType === 'debit' ? -1 : 1));
}

/** One of the user's active cards, or null. */
export async function findUserCard(store: Store, userId: string, cardId: string): Promise<CardDoc | null> {
  return store.collection<CardDoc>(C.cards).findOne({ _id: cardId, userId, status: 'active' });
}

/**
 * The card the user picked in the host sheet, as a token for this app. `picked` is the card id
 * the host sent; without one the first card of the wanted kinds (the sheet's default) is used.
 * NOT_FOUND when the user has no card of the wanted kinds (checked before `confirm` runs, since
 * the host then has nothing to offer).
 */
export async function chooseCard(
  scope: UserScope,
  input: { cardTypes?: readonly ('debit' | 'credit')[]; picked?: string | null },
  options: { confirm?: () => void | Promise<void> } = {},
) {
  const kinds = input.cardTypes && input.cardTypes.length > 0 ? input.cardTypes : ['debit', 'credit'];
  const cards = (await listUserCards(scope.store, scope.userId)).filter((c) => kinds.includes(c.cardType));
  if (cards.length === 0) throw new LilyError('NOT_FOUND', 'No linked card of that kind; link one in the bank app first.');
  await options.confirm?.();
  const card = input.picked ? cards.find((c) => c._id === input.picked) : cards[0];
  if (!card) throw new LilyError('INVALID_PARAMS', 'The picked card is not one of the cards offered.', { field: 'cardId' });
  const now = scope.now();
  const col = scope.store.collection<CardTokenDoc>(C.cardTokens);
  const key = { env: scope.env, appId: scope.appId, userId: scope.userId, cardId: card._id };
  let token = await col.findOne(key);
  if (!token || token.expiresAt <= now) {
    const fresh = { _id: publicId('ctk'), ...key, expiresAt: now + CARD_TOKEN_TTL_MS, issuedAt: now };
    if (token) await col.deleteOne({ _id: token._id });
    try {
      await col.insertOne(fresh);
      token = fresh;
    } catch {
      // Another tab issued one at the same moment: use it.
      token = await col.findOne(key);
      if (!token) throw new LilyError('INTERNAL');
    }
  }
  return {
    cardToken: token._id,
    bankName: card.bankName,
    cardType: card.cardType,
    last4: card.last4,
    maskedNumber: maskedNumber(card),
    tokenExpiresAt: token.expiresAt,
  };
}

/** The card behind a token issued to this app in this environment, or null. */
export async function resolveCardToken(scope: { store: Store; env: string; appId: string; now(): number }, cardToken: string): Promise<CardDoc | null> {
  const token = await scope.store.collection<CardTokenDoc>(C.cardTokens).findOne({ _id: cardToken, env: scope.env, appId: scope.appId });
  if (!token || token.expiresAt <= scope.now()) return null;
  return findUserCard(scope.store, token.userId, token.cardId);
}
