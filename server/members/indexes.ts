/**
 * The indexes of the membership services, created once per store. Unique indexes carry the
 * rules (one card per user and template, one points change per merchant number); TTL indexes
 * clear spent one-time codes and tokens.
 */
import type { Store } from '../store/types.ts';
import { MC } from './common.ts';

const indexed = new WeakMap<Store, Promise<void>>();

/** Creates every membership index (safe to call often; the work is done once per store). */
export function ensureMemberIndexes(store: Store): Promise<void> {
  let p = indexed.get(store);
  if (!p) {
    p = (async () => {
      const ix = (name: string, keys: Record<string, 1 | -1>, options: Parameters<ReturnType<Store['collection']>['createIndex']>[1] = {}) =>
        store.collection(name).createIndex(keys, options);
      for (const name of [MC.loginCodes, MC.phoneCodes, MC.sessions, MC.verifications, MC.otps]) {
        await ix(name, { expireAt: 1 }, { expireAfterSeconds: 0 });
      }
      await ix(MC.openIds, { userId: 1, appId: 1 });
      await ix(MC.pointTxns, { env: 1, appId: 1, outBizNo: 1 }, { unique: true, partialFilterExpression: { outBizNo: { $exists: true } } });
      await ix(MC.pointTxns, { env: 1, userId: 1, at: -1 });
      await ix(MC.cardTemplates, { env: 1, appId: 1 });
      await ix(MC.cards, { env: 1, templateId: 1, userId: 1 }, { unique: true, partialFilterExpression: { status: 'active' } });
      await ix(MC.cards, { env: 1, userId: 1, appId: 1 });
      await ix(MC.addresses, { userId: 1 });
      await ix(MC.invoiceTitles, { userId: 1 });
    })();
    p.catch(() => indexed.delete(store));
    indexed.set(store, p);
  }
  return p;
}
