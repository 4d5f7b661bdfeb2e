/**
 * Consent settings: what the user allowed each mini-app, and revoking it.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { shellApi } from '../api/shell.ts';
import type { ConsentApp } from '../api/types.ts';

/**
 * The consents store.
 *
 * @example
 * ```ts
 * const consents = useConsentsStore();
 * await consents.load();
 * await consents.revoke('com.ride.app', 'scope.location');
 * ```
 */
export const useConsentsStore = defineStore('consents', () => {
  const apps = shallowRef<ConsentApp[]>([]);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  const busy = ref<string | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      apps.value = await shellApi.consents();
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  /** Revokes one consent; the list shows it revoked at once. */
  async function revoke(appId: string, scope: string): Promise<boolean> {
    busy.value = `${appId}|${scope}`;
    try {
      await shellApi.revokeConsent(appId, scope);
      apps.value = apps.value.map((a) =>
        a.appId !== appId ? a : { ...a, scopes: a.scopes.map((s) => (s.scope === scope ? { ...s, status: 'revoked' as const, decidedAt: new Date().toISOString() } : s)) },
      );
      error.value = null;
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      busy.value = null;
    }
  }

  return { apps, loading, error, busy, load, revoke };
});
