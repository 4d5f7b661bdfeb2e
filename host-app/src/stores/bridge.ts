/**
 * The user's bridge connection, shared by the mini-app container and the live inbox. Connected
 * on first use after login; closed at logout.
 */
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import { BridgeClient, type BridgeClientOptions } from '../api/bridge.ts';

/**
 * The bridge store.
 *
 * @example
 * ```ts
 * const client = await useBridgeStore().client();
 * client.on('message', (m) => inbox.receive(m));
 * ```
 */
export const useBridgeStore = defineStore('bridge', () => {
  const connected = ref(false);
  const current = shallowRef<BridgeClient | null>(null);
  let pending: Promise<BridgeClient> | null = null;
  /** Listeners waiting for the client (registered before it connected). */
  const readyListeners: ((c: BridgeClient) => void)[] = [];

  /** The connected client (connects on first use). */
  function client(options?: BridgeClientOptions): Promise<BridgeClient> {
    if (current.value) return Promise.resolve(current.value);
    pending ??= BridgeClient.connect(options)
      .then((c) => {
        current.value = markRaw(c);
        connected.value = true;
        c.socket.on('connect', () => (connected.value = true));
        c.socket.on('disconnect', () => (connected.value = false));
        for (const l of readyListeners.splice(0)) l(c);
        return c;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  }

  /** Runs `fn` with the client once it is connected (now, if it is). */
  function whenReady(fn: (c: BridgeClient) => void): void {
    if (current.value) fn(current.value);
    else readyListeners.push(fn);
  }

  function disconnect(): void {
    current.value?.disconnect();
    current.value = null;
    connected.value = false;
  }

  return { connected, current, client, whenReady, disconnect };
});
