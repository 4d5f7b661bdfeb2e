/**
 * The merchant portal's partner and apps: registration and admission status, the app list, and
 * creating an app (its sandbox credentials are shown once, then only kept by the merchant).
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { merchantApi, type MerchantRegistration, type NewApp } from '../api/merchant.ts';
import type { AppView, Merchant, SandboxCredentials } from '../api/types.ts';

/**
 * The merchant store.
 *
 * @example
 * ```ts
 * const m = useMerchantStore();
 * await m.load();
 * if (m.merchant?.status === 'admitted') await m.createApp({ name: 'Ride', category: 'travel' });
 * ```
 */
export const useMerchantStore = defineStore('merchant', () => {
  const merchant = shallowRef<Merchant | null>(null);
  const apps = shallowRef<AppView[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const busy = ref(false);
  const error = shallowRef<unknown>(null);
  /** Credentials of the app just created: shown once, cleared when dismissed. */
  const newCredentials = shallowRef<SandboxCredentials | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      merchant.value = await merchantApi.me();
      apps.value = merchant.value?.status === 'admitted' ? await merchantApi.apps() : [];
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
      loaded.value = true;
    }
  }

  async function run<T>(fn: () => Promise<T>): Promise<T | null> {
    busy.value = true;
    error.value = null;
    try {
      return await fn();
    } catch (err) {
      error.value = err;
      return null;
    } finally {
      busy.value = false;
    }
  }

  async function register(body: MerchantRegistration): Promise<boolean> {
    const m = await run(() => merchantApi.register(body));
    if (m) merchant.value = m;
    return m !== null;
  }

  async function createApp(body: NewApp): Promise<AppView | null> {
    const res = await run(() => merchantApi.createApp(body));
    if (!res) return null;
    apps.value = [...apps.value, res.app];
    newCredentials.value = res.sandboxCredentials ?? null;
    return res.app;
  }

  function forgetCredentials(): void {
    newCredentials.value = null;
  }

  return { merchant, apps, loaded, loading, busy, error, newCredentials, load, register, createApp, forgetCredentials };
});
