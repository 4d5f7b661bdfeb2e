/**
 * The user's bank points on the "me" page: the balance, what expires next, and the history of
 * movements (earned in mini-apps, redeemed, expired), newest first, a page at a time.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { shellApi } from '../api/shell.ts';
import type { PointsMovement } from '../api/types.ts';

/** Movements per page. */
export const POINTS_PAGE = 10;

/**
 * The points store.
 *
 * @example
 * ```ts
 * const points = usePointsStore();
 * await points.load();
 * points.balance;          // 125
 * if (points.nextCursor) await points.more();
 * ```
 */
export const usePointsStore = defineStore('points', () => {
  const balance = ref(0);
  const expiringPoints = ref(0);
  const expiringAt = ref<number | null>(null);
  const history = shallowRef<PointsMovement[]>([]);
  const nextCursor = ref<string | null>(null);
  const loaded = ref(false);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);

  /** Loads the balance and the first page of history. */
  async function load(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      const page = await shellApi.points({ limit: POINTS_PAGE });
      balance.value = page.balance;
      expiringPoints.value = page.expiringPoints;
      expiringAt.value = page.expiringAt;
      history.value = page.history;
      nextCursor.value = page.nextCursor;
      loaded.value = true;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  /** Appends the next page of history. */
  async function more(): Promise<void> {
    if (!nextCursor.value || loading.value) return;
    loading.value = true;
    error.value = null;
    try {
      const page = await shellApi.points({ limit: POINTS_PAGE, cursor: nextCursor.value });
      const seen = new Set(history.value.map((t) => t.transactionId));
      history.value = [...history.value, ...page.history.filter((t) => !seen.has(t.transactionId))];
      nextCursor.value = page.nextCursor;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  return { balance, expiringPoints, expiringAt, history, nextCursor, loaded, loading, error, load, more };
});
