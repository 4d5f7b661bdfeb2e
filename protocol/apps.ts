/**
 * What a merchant may call an app: the app id format and the marketplace categories. The merchant
 * API validates against these, and `lily init` checks them before it writes a manifest.
 */

/**
 * An app id: 3-64 characters, lower-case words of letters and digits joined by dots or dashes,
 * e.g. `com.example.rides`.
 */
export const APP_ID_PATTERN = '^[a-z][a-z0-9]*([.-][a-z0-9]+){0,7}$';

/** Shortest and longest app id. */
export const APP_ID_LENGTH = { min: 3, max: 64 } as const;

/** The marketplace categories an app can be created in. */
export const APP_CATEGORIES = ['travel', 'tickets', 'hotel', 'food', 'shopping', 'finance', 'life', 'tools', 'other'] as const;

/** A marketplace category. */
export type AppCategory = (typeof APP_CATEGORIES)[number];

/**
 * Whether `appId` is a valid app id.
 *
 * @example
 * ```ts
 * isAppId('com.example.rides'); // true
 * isAppId('Com.Example');       // false
 * ```
 */
export function isAppId(appId: string): boolean {
  return appId.length >= APP_ID_LENGTH.min && appId.length <= APP_ID_LENGTH.max && new RegExp(APP_ID_PATTERN).test(appId);
}
