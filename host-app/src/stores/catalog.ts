/**
 * The capability catalog (from `/api/catalog`): the developer center reads it, and the mini-app
 * container takes method lists, scopes and confirm sheets from it. Loaded once.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { catalogApi, type Catalog, type CatalogCapability, type OpenApiDocument } from '../api/catalog.ts';

/** Lower-cased text a capability is found by. */
function haystack(c: CatalogCapability): string {
  return [c.id, c.title, c.titleZh, c.description, ...c.methods.flatMap((m) => [m.name, m.call, m.summary]), ...c.openApi.flatMap((r) => [r.operationId, r.path, r.summary])]
    .join('\n')
    .toLowerCase();
}

/**
 * The catalog store.
 *
 * @example
 * ```ts
 * const catalog = useCatalogStore();
 * await catalog.load();
 * catalog.search('收银').map((c) => c.id); // ['payment.cashier', …]
 * ```
 */
export const useCatalogStore = defineStore('catalog', () => {
  const catalog = shallowRef<Catalog | null>(null);
  const openapi = shallowRef<OpenApiDocument | null>(null);
  const loading = ref(false);
  const error = ref<unknown>(null);
  let pending: Promise<Catalog> | null = null;
  const index = new Map<string, string>();

  /** Loads the catalog (once); resolves with it. */
  function load(): Promise<Catalog> {
    if (catalog.value) return Promise.resolve(catalog.value);
    loading.value = true;
    pending ??= catalogApi
      .catalog()
      .then((c) => {
        catalog.value = c;
        index.clear();
        for (const cap of c.capabilities) index.set(cap.id, haystack(cap));
        error.value = null;
        return c;
      })
      .catch((err: unknown) => {
        error.value = err;
        throw err;
      })
      .finally(() => {
        loading.value = false;
        pending = null;
      });
    return pending;
  }

  async function loadOpenApi(): Promise<OpenApiDocument> {
    if (openapi.value) return openapi.value;
    const doc = await catalogApi.openapi();
    openapi.value = doc;
    return doc;
  }

  /** Capabilities matching every word of `query` (id, titles, methods, routes), in catalog order. */
  function search(query: string, category?: string): CatalogCapability[] {
    const caps = catalog.value?.capabilities ?? [];
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return caps.filter((c) => (!category || c.category === category) && words.every((w) => (index.get(c.id) ?? '').includes(w)));
  }

  const byId = computed(() => new Map((catalog.value?.capabilities ?? []).map((c) => [c.id, c])));

  return { catalog, openapi, loading, error, load, loadOpenApi, search, byId };
});
