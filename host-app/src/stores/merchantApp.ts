/**
 * One app in the merchant portal: versions with their automated report, testers, release with a
 * grayscale percentage, rollback, capability applications and Open API credentials.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { merchantApi, type IssuedKey } from '../api/merchant.ts';
import type { AppView, CapabilityApplication, Credential, Env, VersionView } from '../api/types.ts';

/**
 * The merchant app store.
 *
 * @example
 * ```ts
 * const app = useMerchantAppStore();
 * await app.load('com.example.ride');
 * await app.upload(file);
 * await app.release('1.1.0', 20);
 * ```
 */
export const useMerchantAppStore = defineStore('merchantApp', () => {
  const appId = ref<string | null>(null);
  const app = shallowRef<AppView | null>(null);
  const applications = shallowRef<CapabilityApplication[]>([]);
  const versions = shallowRef<VersionView[]>([]);
  const credentials = shallowRef<Credential[]>([]);
  const loading = ref(false);
  const busy = ref<string | null>(null);
  const error = shallowRef<unknown>(null);
  const notice = ref<string | null>(null);
  /** A key just generated or rotated: its private key is shown once. */
  const issued = shallowRef<IssuedKey | null>(null);
  const lastUpload = shallowRef<VersionView | null>(null);

  const approved = computed(() => versions.value.filter((v) => v.status === 'approved'));

  async function load(id: string): Promise<void> {
    appId.value = id;
    loading.value = true;
    error.value = null;
    try {
      const [detail, vs, creds] = await Promise.all([merchantApi.app(id), merchantApi.versions(id), merchantApi.credentials(id)]);
      app.value = detail.app;
      applications.value = detail.applications;
      versions.value = [...vs].reverse();
      credentials.value = creds;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  async function act<T>(name: string, fn: (id: string) => Promise<T>, reload = true): Promise<T | null> {
    const id = appId.value;
    if (!id) return null;
    busy.value = name;
    error.value = null;
    notice.value = null;
    try {
      const out = await fn(id);
      if (reload) await load(id);
      notice.value = name;
      return out;
    } catch (err) {
      error.value = err;
      return null;
    } finally {
      busy.value = null;
    }
  }

  /** Uploads a `.lilypkg` file; the automated review runs on the server. */
  async function upload(file: Blob): Promise<VersionView | null> {
    const v = await act('upload', async (id) => merchantApi.upload(id, await file.arrayBuffer()));
    if (v) lastUpload.value = v;
    return v;
  }

  const release = (version: string, percent: number) => act('release', (id) => merchantApi.release(id, version, percent));
  const rollback = (reason: string) => act('rollback', (id) => merchantApi.rollback(id, reason));
  const setTesters = (usernames: string[]) => act('testers', (id) => merchantApi.setTesters(id, usernames), false);
  const apply = (env: Env, items: { capability: string; reason: string }[]) => act('apply', (id) => merchantApi.apply(id, env, items));

  async function generateKey(env: Env): Promise<void> {
    const key = await act('generate', (id) => merchantApi.generateKey(id, env));
    if (key) issued.value = key;
  }

  async function rotateKey(env: Env, overlapSeconds?: number): Promise<void> {
    const key = await act('rotate', (id) => merchantApi.rotateKey(id, env, overlapSeconds));
    if (key) issued.value = key;
  }

  const revokeKey = (env: Env, serial: string, reason: string) => act('revoke', (id) => merchantApi.revokeKey(id, env, serial, reason));

  function forgetIssued(): void {
    issued.value = null;
  }

  return {
    appId,
    app,
    applications,
    versions,
    credentials,
    approved,
    loading,
    busy,
    error,
    notice,
    issued,
    lastUpload,
    load,
    upload,
    release,
    rollback,
    setTesters,
    apply,
    generateKey,
    rotateKey,
    revokeKey,
    forgetIssued,
  };
});
