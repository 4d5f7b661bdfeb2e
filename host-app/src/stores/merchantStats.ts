/**
 * One app's stats in the merchant portal: calls, errors, payments and reported events per day
 * over a range of CST days, and a conversion funnel through events the merchant picks.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { merchantApi } from '../api/merchant.ts';
import type { AppStats, Env, Funnel } from '../api/types.ts';

/** Day ranges the page offers. */
export const STAT_RANGES = [7, 30, 90] as const;

/** The CST day (`YYYY-MM-DD`) `daysAgo` days before `now`. */
export function cstDayBefore(now: number, daysAgo: number): string {
  return new Date(now + 8 * 3600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The merchant stats store.
 *
 * @example
 * ```ts
 * const stats = useMerchantStatsStore();
 * await stats.load('com.example.ride');
 * await stats.runFunnel(['view_film', 'choose_seat', 'pay_order']);
 * ```
 */
export const useMerchantStatsStore = defineStore('merchantStats', () => {
  const appId = ref<string | null>(null);
  const env = ref<Env>('production');
  const days = ref<(typeof STAT_RANGES)[number]>(7);
  const stats = shallowRef<AppStats | null>(null);
  const funnel = shallowRef<Funnel | null>(null);
  const loading = ref(false);
  const funnelLoading = ref(false);
  const error = shallowRef<unknown>(null);
  const funnelError = shallowRef<unknown>(null);

  const range = () => {
    const now = Date.now();
    return { from: cstDayBefore(now, days.value - 1), to: cstDayBefore(now, 0) };
  };

  /** Loads the stats of `id` (or of the current app) for the current environment and range. */
  async function load(id?: string): Promise<void> {
    if (id && id !== appId.value) {
      appId.value = id;
      stats.value = null;
      funnel.value = null;
    }
    if (!appId.value) return;
    loading.value = true;
    error.value = null;
    try {
      stats.value = await merchantApi.stats(appId.value, env.value, range());
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  /** Switches environment or range and reloads (the funnel is for the old choice: dropped). */
  async function choose(next: { env?: Env; days?: (typeof STAT_RANGES)[number] }): Promise<void> {
    if (next.env) env.value = next.env;
    if (next.days) days.value = next.days;
    funnel.value = null;
    await load();
  }

  /** Computes the funnel through `steps` (2 to 8 event names) over the current range. */
  async function runFunnel(steps: string[], windowHours = 24): Promise<void> {
    if (!appId.value) return;
    funnelLoading.value = true;
    funnelError.value = null;
    try {
      funnel.value = await merchantApi.funnel(appId.value, env.value, steps, { ...range(), windowHours });
    } catch (err) {
      funnelError.value = err;
      funnel.value = null;
    } finally {
      funnelLoading.value = false;
    }
  }

  return { appId, env, days, stats, funnel, loading, funnelLoading, error, funnelError, load, choose, runFunnel };
});
