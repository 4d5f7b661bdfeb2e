/**
 * The "me" page's money: wallet balance, linked cards and orders across mini-apps.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { shellApi } from '../api/shell.ts';
import type { UserOrder, Wallet } from '../api/types.ts';

/**
 * The wallet store.
 *
 * @example
 * ```ts
 * const wallet = useWalletStore();
 * await wallet.load();
 * wallet.orders[0]?.status; // 'paid'
 * ```
 */
export const useWalletStore = defineStore('wallet', () => {
  const wallet = shallowRef<Wallet | null>(null);
  const orders = shallowRef<UserOrder[]>([]);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);

  /** Loads balance, cards and recent orders; keeps what loaded when one part fails. */
  async function load(): Promise<void> {
    loading.value = true;
    error.value = null;
    const [w, o] = await Promise.allSettled([shellApi.wallet('production'), shellApi.orders(30)]);
    if (w.status === 'fulfilled') wallet.value = w.value;
    else error.value = w.reason;
    if (o.status === 'fulfilled') orders.value = o.value;
    else error.value ??= o.reason;
    loading.value = false;
  }

  return { wallet, orders, loading, error, load };
});
