/**
 * The home page's marketplace: categories, the chosen category, the search text and the live
 * apps that match.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { shellApi } from '../api/shell.ts';
import type { Category, MarketApp } from '../api/types.ts';

/**
 * The marketplace store.
 *
 * @example
 * ```ts
 * const market = useMarketplaceStore();
 * await market.load();
 * await market.setQuery('ride');
 * ```
 */
export const useMarketplaceStore = defineStore('marketplace', () => {
  const categories = shallowRef<Category[]>([]);
  const apps = shallowRef<MarketApp[]>([]);
  const category = ref<string | null>(null);
  const query = ref('');
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let seq = 0;

  async function fetchApps(): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    try {
      const list = await shellApi.apps({ ...(category.value ? { category: category.value } : {}), ...(query.value.trim() ? { q: query.value.trim() } : {}) });
      if (mine !== seq) return;
      apps.value = list;
      error.value = null;
    } catch (err) {
      if (mine === seq) error.value = err;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  /** Loads the categories (once) and the apps. */
  async function load(): Promise<void> {
    if (categories.value.length === 0) {
      try {
        categories.value = await shellApi.categories();
      } catch (err) {
        error.value = err;
      }
    }
    await fetchApps();
  }

  async function setCategory(id: string | null): Promise<void> {
    category.value = id;
    await fetchApps();
  }

  async function setQuery(q: string): Promise<void> {
    query.value = q;
    await fetchApps();
  }

  return { categories, apps, category, query, loading, error, load, setCategory, setQuery, refresh: fetchApps };
});
