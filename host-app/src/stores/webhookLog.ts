/**
 * One app's webhooks in the merchant portal: the URL they go to, and the delivery log (every
 * attempt with its HTTP status or error, time and duration) with a resend per notification.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { merchantApi } from '../api/merchant.ts';
import type { Env, WebhookNotification } from '../api/types.ts';

/**
 * The webhook log store.
 *
 * @example
 * ```ts
 * const log = useWebhookLogStore();
 * await log.load('com.example.ride');
 * await log.resend(log.notifications[0]!.id);
 * ```
 */
export const useWebhookLogStore = defineStore('webhookLog', () => {
  const appId = ref<string | null>(null);
  const env = ref<Env>('production');
  const webhookUrl = ref<string | null>(null);
  const notifications = shallowRef<WebhookNotification[]>([]);
  const loading = ref(false);
  /** What is in progress: `url`, or the id of a notification being resent. */
  const busy = ref<string | null>(null);
  const error = shallowRef<unknown>(null);
  /** The last thing done, for a status line: `url` or `resent`. */
  const notice = ref<'url' | 'resent' | null>(null);

  async function refresh(): Promise<void> {
    if (!appId.value) return;
    const [app, list] = await Promise.all([merchantApi.app(appId.value), merchantApi.notifications(appId.value, env.value)]);
    webhookUrl.value = app.app.webhookUrl ?? null;
    notifications.value = list;
  }

  /** Loads the URL and the log of `id` (or of the current app) in the current environment. */
  async function load(id?: string): Promise<void> {
    if (id && id !== appId.value) {
      appId.value = id;
      notifications.value = [];
      webhookUrl.value = null;
    }
    loading.value = true;
    error.value = null;
    try {
      await refresh();
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  /** Shows the log of another environment. */
  async function setEnv(next: Env): Promise<void> {
    env.value = next;
    notice.value = null;
    await load();
  }

  async function act(name: string, done: 'url' | 'resent', fn: (id: string) => Promise<unknown>): Promise<boolean> {
    if (!appId.value) return false;
    busy.value = name;
    error.value = null;
    notice.value = null;
    try {
      await fn(appId.value);
      await refresh();
      notice.value = done;
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      busy.value = null;
    }
  }

  /** Makes a notification due again at once; the log then shows the next attempt. */
  const resend = (notificationId: string) => act(notificationId, 'resent', (id) => merchantApi.resendNotification(id, env.value, notificationId));

  /** Sets (or, with null, clears) the URL webhooks go to. */
  const setUrl = (url: string | null) => act('url', 'url', (id) => merchantApi.setWebhookUrl(id, url));

  return { appId, env, webhookUrl, notifications, loading, busy, error, notice, load, setEnv, resend, setUrl };
});
