/**
 * Who is logged in. One session cookie serves the whole site, so each face (shell, merchant
 * portal, ops console) checks the principal's kind and asks for the right login when it differs.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { authApi } from '../api/auth.ts';
import type { Principal } from '../api/types.ts';

/**
 * The session store.
 *
 * @example
 * ```ts
 * const session = useSessionStore();
 * await session.load();
 * if (!session.is('user')) await session.login('user', 'alice', 'alice-demo');
 * ```
 */
export const useSessionStore = defineStore('session', () => {
  const principal = ref<Principal | null>(null);
  const loaded = ref(false);
  const busy = ref(false);
  const error = ref<unknown>(null);

  const kind = computed(() => principal.value?.kind ?? null);

  /** True when a principal of `k` is logged in. */
  function is(k: Principal['kind']): boolean {
    return principal.value?.kind === k;
  }

  /** Reads the session from the server (once, unless `force`). */
  async function load(force = false): Promise<void> {
    if (loaded.value && !force) return;
    try {
      principal.value = await authApi.me();
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      loaded.value = true;
    }
  }

  /** Logs in; resolves true on success and keeps the error otherwise. */
  async function login(k: Principal['kind'], username: string, password: string): Promise<boolean> {
    busy.value = true;
    error.value = null;
    try {
      principal.value = await authApi.login(k, username.trim(), password);
      loaded.value = true;
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      busy.value = false;
    }
  }

  async function logout(): Promise<void> {
    await authApi.logout().catch(() => undefined);
    principal.value = null;
  }

  return { principal, loaded, busy, error, kind, is, load, login, logout };
});
