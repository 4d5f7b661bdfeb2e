/**
 * What the home page promotes: placements ops approved (banners and grid tiles of live
 * mini-apps) and the bank's running campaigns. Each placement shown counts one impression per
 * session, and each tap one click, on the server.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { shellApi } from '../api/shell.ts';
import type { Campaign, Placement } from '../api/types.ts';

/** Where a placement or campaign leads: a mini-app, its page and launch query. */
export interface PromotionTarget {
  appId: string;
  path?: string;
  query: Record<string, string>;
}

/**
 * Splits a mini-app page path (`pages/detail/index?id=7`) into the page and its query.
 *
 * @example
 * ```ts
 * targetOf('com.movie', 'pages/film/index?id=7'); // { appId: 'com.movie', path: 'pages/film/index', query: { id: '7' } }
 * ```
 */
export function targetOf(appId: string, pagePath: string | null | undefined): PromotionTarget {
  if (!pagePath) return { appId, query: {} };
  const [path = '', search = ''] = pagePath.split('?', 2);
  const query = Object.fromEntries(new URLSearchParams(search));
  return path ? { appId, path, query } : { appId, query };
}

/**
 * The promotions store.
 *
 * @example
 * ```ts
 * const promos = usePromotionsStore();
 * await promos.load();
 * promos.banners[0]?.title;
 * promos.tap(promos.banners[0]!);   // counts the click; returns where to go
 * ```
 */
export const usePromotionsStore = defineStore('promotions', () => {
  const placements = shallowRef<Placement[]>([]);
  const campaigns = shallowRef<Campaign[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  const seen = new Set<string>();

  const banners = computed(() => placements.value.filter((p) => p.slot === 'home_banner'));
  const tiles = computed(() => placements.value.filter((p) => p.slot === 'home_grid'));

  /** Loads the placements and campaigns; counts one impression per placement per session. */
  async function load(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      const out = await shellApi.promotions();
      placements.value = out.placements;
      campaigns.value = out.campaigns;
      loaded.value = true;
      for (const p of out.placements) {
        if (seen.has(p.placementId)) continue;
        seen.add(p.placementId);
        // Counting is best effort: a lost impression must not disturb the page.
        void shellApi.promotionEvent(p.placementId, 'impression').catch(() => undefined);
      }
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  /** Counts a tap on a placement and answers where it leads. */
  function tap(p: Placement): PromotionTarget {
    void shellApi.promotionEvent(p.placementId, 'click').catch(() => undefined);
    return targetOf(p.appId, p.path);
  }

  return { placements, campaigns, banners, tiles, loaded, loading, error, load, tap };
});
