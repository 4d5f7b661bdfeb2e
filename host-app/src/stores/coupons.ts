/**
 * The user's coupons on the "me" page, from every mini-app: usable now (or held by an unpaid
 * order), used, and expired, with a count per group and the coupons grouped by app.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { shellApi } from '../api/shell.ts';
import type { CouponGroup, UserCoupon } from '../api/types.ts';

/** Coupons per page. */
export const COUPONS_PAGE = 50;

/**
 * The coupons store.
 *
 * @example
 * ```ts
 * const coupons = useCouponsStore();
 * await coupons.load();                 // the usable ones
 * await coupons.setGroup('used');
 * coupons.byApp[0]?.coupons;            // grouped by mini-app
 * ```
 */
export const useCouponsStore = defineStore('coupons', () => {
  const group = ref<CouponGroup>('available');
  const coupons = shallowRef<UserCoupon[]>([]);
  const counts = ref<Record<CouponGroup, number>>({ available: 0, used: 0, expired: 0 });
  const nextCursor = ref<string | null>(null);
  const loaded = ref(false);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  /** The coupons of the group by app, in the order the apps first appear. */
  const byApp = computed(() => {
    const apps = new Map<string, { appId: string; appName: string; coupons: UserCoupon[] }>();
    for (const c of coupons.value) {
      const entry = apps.get(c.appId) ?? { appId: c.appId, appName: c.appName, coupons: [] };
      entry.coupons.push(c);
      apps.set(c.appId, entry);
    }
    return [...apps.values()];
  });

  async function fetchPage(append: boolean): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const page = await shellApi.coupons({ status: group.value, limit: COUPONS_PAGE, ...(append && nextCursor.value ? { cursor: nextCursor.value } : {}) });
      // A later switch of group wins over an answer still on its way.
      if (mine !== generation) return;
      coupons.value = append ? [...coupons.value, ...page.coupons] : page.coupons;
      counts.value = page.counts;
      nextCursor.value = page.nextCursor;
      loaded.value = true;
    } catch (err) {
      if (mine === generation) error.value = err;
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  /** Loads the first page of the current group. */
  const load = () => fetchPage(false);

  /** Shows another group. */
  async function setGroup(next: CouponGroup): Promise<void> {
    group.value = next;
    coupons.value = [];
    nextCursor.value = null;
    await fetchPage(false);
  }

  /** Appends the next page. */
  async function more(): Promise<void> {
    if (nextCursor.value && !loading.value) await fetchPage(true);
  }

  return { group, coupons, counts, byApp, nextCursor, loaded, loading, error, load, setGroup, more };
});
