/**
 * The ops review desk: partner admission queue and the version review queue (with each version's
 * automated report and capability diff), and the decisions on both.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { opsApi } from '../api/ops.ts';
import type { Merchant, VersionView } from '../api/types.ts';

/**
 * The review store.
 *
 * @example
 * ```ts
 * const reviews = useOpsReviewsStore();
 * await reviews.loadVersions();
 * await reviews.decideVersion(reviews.versions[0].id, true, 'Clean report');
 * ```
 */
export const useOpsReviewsStore = defineStore('opsReviews', () => {
  const merchants = shallowRef<Merchant[]>([]);
  const merchantFilter = ref<Merchant['status'] | ''>('pending');
  const versions = shallowRef<VersionView[]>([]);
  const loading = ref(false);
  const busy = ref<string | null>(null);
  const error = shallowRef<unknown>(null);
  const done = ref<string | null>(null);

  async function loadMerchants(): Promise<void> {
    loading.value = true;
    try {
      merchants.value = await opsApi.merchants(merchantFilter.value || undefined);
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  async function loadVersions(): Promise<void> {
    loading.value = true;
    try {
      versions.value = await opsApi.reviews();
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  async function decide<T>(key: string, fn: () => Promise<T>, reload: () => Promise<void>): Promise<boolean> {
    busy.value = key;
    error.value = null;
    done.value = null;
    try {
      await fn();
      done.value = key;
      await reload();
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      busy.value = null;
    }
  }

  const decideMerchant = (id: string, admit: boolean, reason: string) => decide(id, () => opsApi.decideMerchant(id, admit, reason), loadMerchants);
  const decideVersion = (id: string, approve: boolean, reason: string) => decide(id, () => opsApi.decideVersion(id, approve, reason), loadVersions);

  return { merchants, merchantFilter, versions, loading, busy, error, done, loadMerchants, loadVersions, decideMerchant, decideVersion };
});
