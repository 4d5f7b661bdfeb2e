/**
 * Schema building blocks shared by the capability definitions.
 *
 * Each helper returns a plain JSON Schema literal whose type keeps its `type`, `enum` and
 * `required` members, so `FromSchema` still infers precise types. They exist to keep the shared
 * conventions in one place: money is integer fen, ids carry a prefix, times are epoch
 * milliseconds, strings and arrays are bounded, objects are closed.
 */
import type { JSONSchema } from './schema-types.ts';

/** An object schema: closed (`additionalProperties: false`), with the given properties. */
export interface ObjectSchema<P extends { readonly [k: string]: JSONSchema }, R extends readonly string[]> {
  readonly type: 'object';
  readonly additionalProperties: false;
  readonly properties: P;
  readonly required: R;
  readonly description?: string;
}

/**
 * A closed object schema.
 *
 * @example
 * ```ts
 * const params = obj({ key: str('Storage key.', 128) }, ['key']);
 * ```
 */
export function obj<const P extends { readonly [k: string]: JSONSchema }, const R extends readonly (keyof P & string)[]>(
  properties: P,
  required: R,
  description?: string,
): ObjectSchema<P, R> {
  return description === undefined
    ? { type: 'object', additionalProperties: false, properties, required }
    : { type: 'object', additionalProperties: false, properties, required, description };
}

/** The params schema of a method that takes nothing. */
export const noParams = obj({}, []);

/** A bounded string. */
export function str(description: string, maxLength: number, extra: { minLength?: number; pattern?: string } = {}) {
  return { type: 'string', maxLength, description, ...extra } as const;
}

/** A string from a fixed set. */
export function enumOf<const V extends readonly string[]>(values: V, description: string) {
  return { type: 'string', enum: values, description } as const;
}

/** An integer in a range. */
export function int(description: string, minimum: number, maximum: number) {
  return { type: 'integer', minimum, maximum, description } as const;
}

/** A boolean. */
export function bool(description: string) {
  return { type: 'boolean', description } as const;
}

/** A bounded array. */
export function arr<const I extends JSONSchema>(items: I, maxItems: number, description: string) {
  return { type: 'array', items, maxItems, description } as const;
}

/** A constant value (used for `{ ok: true }` style results). */
export function constant<const C extends string | number | boolean>(value: C, description: string) {
  return { const: value, description } as const;
}

/** Largest single amount the platform accepts: 100 million yuan, in fen. */
export const MAX_FEN = 10_000_000_000;

/** A positive amount of money in fen (1 yuan = 100 fen). Never a float. */
export function fen(description: string) {
  return { type: 'integer', minimum: 1, maximum: MAX_FEN, description } as const;
}

/** An amount of money in fen that may be zero (balances, totals already refunded). */
export function fenOrZero(description: string) {
  return { type: 'integer', minimum: 0, maximum: MAX_FEN, description } as const;
}

/**
 * A platform id with its prefix, e.g. `id('pp', 'Prepay id.')` accepts `pp_7Hq2mZ9xKc4T`.
 * Prefixes: pp prepay, ord order, rf refund, hd hold, esc escrow, agr agreement, cp coupon,
 * cs coupon stock, act activity, tk ticket, card card template, ntf notification.
 */
export function id(prefix: string, description: string) {
  return { type: 'string', pattern: `^${prefix}_[A-Za-z0-9]{6,40}$`, maxLength: prefix.length + 41, description } as const;
}

/** The user's pseudonymous id for one app. */
export const openId = str("The user's pseudonymous id for this app (stable for the pair, different in every app).", 64, {
  pattern: '^o_[A-Za-z0-9_-]{8,60}$',
});

/** A merchant's own order number, unique per app. */
export const outTradeNo = str("The merchant's own order number, unique per app.", 64, { pattern: '^[A-Za-z0-9_-]{6,64}$' });

/** A point in time, in milliseconds since the epoch (UTC). */
export function time(description: string) {
  return { type: 'integer', minimum: 0, maximum: 32503680000000, description } as const;
}

/** A calendar date in China Standard Time, `YYYY-MM-DD`. */
export function date(description: string) {
  return { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10, description } as const;
}

/** An HTTPS URL a merchant supplies (webhooks, images). */
export function httpsUrl(description: string) {
  return { type: 'string', pattern: '^https://[^\\s]+$', maxLength: 512, description } as const;
}

/** A mini-app page path with an optional query, e.g. `pages/ride/index?from=home`. */
export const pagePath = str('A page of the mini-app, with an optional query string.', 256, {
  pattern: '^/?[A-Za-z0-9_\\-/]+(\\?[^\\s#]*)?$',
});

/** Page size of a list call. */
export const limit = int('How many items to return (default 20).', 1, 100);

/** Opaque cursor from the previous page's `nextCursor`. */
export const cursor = str("Opaque cursor from the previous page's nextCursor; omit for the first page.", 200);

/** The cursor of the next page, or null on the last page. */
export const nextCursor = { type: ['string', 'null'], maxLength: 200, description: 'Pass as cursor to get the next page; null on the last page.' } as const;

/** Order states (see the state machine in DESIGN.md). */
export const orderStatus = enumOf(
  ['created', 'paid', 'partially_refunded', 'refunded', 'closed'] as const,
  'Order state: created → paid → partially_refunded/refunded; created → closed.',
);

/** Merchant-defined key/value facts attached to an object, bounded. */
export const attach = {
  type: 'object',
  additionalProperties: { type: 'string', maxLength: 256 },
  maxProperties: 16,
  propertyNames: { type: 'string', pattern: '^[A-Za-z0-9_]{1,32}$', maxLength: 32 },
  description: 'Up to 16 merchant-defined string facts, returned as given (e.g. ride id).',
} as const;

/** The result of a method whose only answer is success. */
export const okResult = obj({ ok: constant(true, 'Always true; failures reject with an error instead.') }, ['ok']);

/** A mini-app id. */
export const appId = str('A mini-app id.', 64, { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$' });
