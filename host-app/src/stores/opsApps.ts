/**
 * Ops on apps: every app with its status, one app's grants and quotas per environment, granting
 * and revoking (effective at once in open mini-apps), suspend/resume/delist, rollback, and the
 * capability applications queue.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { opsApi, type Quota } from '../api/ops.ts';
import type { AppView, CapabilityApplication, Env, GrantRow } from '../api/types.ts';

/**
 * The ops apps store.
 *
 * @example
 * ```ts
 * const ops = useOpsAppsStore();
 * await ops.select('com.lily.hello');
 * await ops.revoke('production', 'base.ui', 'abuse report');
 * ```
 */
export const useOpsAppsStore = defineStore('opsApps', () => {
  const apps = shallowRef<AppView[]>([]);
  const selected = ref<string | null>(null);
  const grants = shallowRef<{ sandbox: GrantRow[]; production: GrantRow[] } | null>(null);
  const applications = shallowRef<CapabilityApplication[]>([]);
  const loading = ref(false);
  const busy = ref<string | null>(null);
  const error = shallowRef<unknown>(null);
  const done = ref<string | null>(null);

  async function guard(fn: () => Promise<void>): Promise<void> {
    loading.value = true;
    try {
      await fn();
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  const loadApps = () => guard(async () => void (apps.value = await opsApi.apps()));
  const loadApplications = () => guard(async () => void (applications.value = await opsApi.applications()));

  async function select(appId: string): Promise<void> {
    selected.value = appId;
    grants.value = null;
    await guard(async () => {
      const g = await opsApi.grants(appId);
      if (selected.value === appId) grants.value = { sandbox: g.sandbox, production: g.production };
    });
  }

  async function act(key: string, fn: () => Promise<unknown>): Promise<boolean> {
    busy.value = key;
    error.value = null;
    done.value = null;
    try {
      await fn();
      done.value = key;
      if (selected.value) {
        const g = await opsApi.grants(selected.value);
        grants.value = { sandbox: g.sandbox, production: g.production };
      }
      apps.value = await opsApi.apps();
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      busy.value = null;
    }
  }

  const grant = (env: Env, capability: string, quota?: Quota, reason?: string) => act(`grant:${env}:${capability}`, () => opsApi.grant(selected.value!, env, capability, quota, reason));
  const revoke = (env: Env, capability: string, reason: string) => act(`revoke:${env}:${capability}`, () => opsApi.revoke(selected.value!, env, capability, reason));
  const setStatus = (appId: string, action: 'suspend' | 'resume' | 'delist', reason: string) => act(`${action}:${appId}`, () => opsApi.setStatus(appId, action, reason));
  const rollback = (appId: string, reason: string) => act(`rollback:${appId}`, () => opsApi.rollback(appId, reason));

  async function decideApplication(id: string, approve: boolean, reason: string, quota?: Quota): Promise<boolean> {
    const ok = await act(`application:${id}`, () => opsApi.decideApplication(id, approve, reason, quota));
    if (ok) applications.value = await opsApi.applications().catch(() => applications.value);
    return ok;
  }

  return { apps, selected, grants, applications, loading, busy, error, done, loadApps, loadApplications, select, grant, revoke, setStatus, rollback, decideApplication };
});
