/**
 * The open id directory: which bank user an app's open id stands for.
 *
 * Open ids are `HMAC(secret, userId | appId)` (`server/launch/tokens.ts`), so they cannot be turned
 * back into user ids; Open API calls that name a user by open id need this mapping. It is written
 * when the user launches the app (`rememberOpenId`, called by the launch route) and again, as a
 * safety net, by every membership and marketing guest call. Lookups fall back to the payer of
 * the app's paid orders, so a user who only ever paid is found too.
 */
import type { Doc, Store } from '../store/types.ts';
import { MC } from './common.ts';

/** One mapping: `_id` is `<appId>|<openId>`. */
export interface OpenIdDoc extends Doc {
  appId: string;
  openId: string;
  userId: string;
  firstSeenAt: number;
  lastSeenAt: number;
}

const known = new WeakMap<Store, Set<string>>();
const MAX_CACHED = 50_000;

/**
 * Records that `openId` in `appId` is `userId`. Idempotent and cheap: a process remembers what
 * it wrote and skips the store the next time.
 *
 * @example
 * ```ts
 * // in the launch route, once the launch token is signed:
 * await rememberOpenId(store, { appId, openId: tokens.openId(userId, appId), userId, at: Date.now() });
 * ```
 */
export async function rememberOpenId(store: Store, input: { appId: string; openId: string; userId: string; at: number }): Promise<void> {
  const id = `${input.appId}|${input.openId}`;
  let cache = known.get(store);
  if (!cache) known.set(store, (cache = new Set()));
  if (cache.has(id)) return;
  await store.collection<OpenIdDoc>(MC.openIds).updateOne(
    { _id: id },
    { $set: { lastSeenAt: input.at }, $setOnInsert: { appId: input.appId, openId: input.openId, userId: input.userId, firstSeenAt: input.at } },
    { upsert: true },
  );
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.add(id);
}

/** The mapping of an open id, or null when the app has never seen it. */
export async function findOpenId(store: Store, appId: string, openId: string): Promise<OpenIdDoc | null> {
  return store.collection<OpenIdDoc>(MC.openIds).findOne({ _id: `${appId}|${openId}` });
}

/**
 * The user an app's open id stands for, or null. Falls back to the payer of one of the app's
 * paid orders (and records the mapping it found).
 */
export async function resolveOpenId(store: Store, appId: string, openId: string): Promise<string | null> {
  const doc = await findOpenId(store, appId, openId);
  if (doc) return doc.userId;
  const order = await store.collection('payment_orders').findOne({ appId, openId, userId: { $ne: null } });
  const userId = typeof order?.['userId'] === 'string' ? (order['userId'] as string) : null;
  if (userId) await rememberOpenId(store, { appId, openId, userId, at: Number(order?.['paidAt'] ?? 0) || Date.now() });
  return userId;
}
