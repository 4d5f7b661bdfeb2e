/**
 * The ops console's live state: the dashboard pushed every second over the `/ops` socket and the
 * connection status; support tickets are handed to the support store.
 */
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { DashboardEvent } from '../../../protocol/socket.ts';
import { OpsLive } from '../api/ops-socket.ts';
import { useSupportStore } from './support.ts';

/**
 * The dashboard store.
 *
 * @example
 * ```ts
 * const dash = useDashboardStore();
 * dash.connect();
 * dash.latest?.callsPerSecond;
 * ```
 */
export const useDashboardStore = defineStore('dashboard', () => {
  const latest = shallowRef<DashboardEvent | null>(null);
  const connected = ref(false);
  let live: OpsLive | null = null;
  let offs: (() => void)[] = [];

  /** Applies one pushed dashboard. */
  function receive(e: DashboardEvent): void {
    latest.value = e;
  }

  function connect(factory?: Parameters<typeof OpsLive.connect>[0]): void {
    if (live) return;
    live = markRaw(OpsLive.connect(factory));
    const support = useSupportStore();
    offs = [live.on('dashboard', receive), live.on('support:ticket', (t) => support.onTicket(t)), live.onStatus((up) => (connected.value = up))];
  }

  function disconnect(): void {
    for (const off of offs) off();
    offs = [];
    live?.close();
    live = null;
    connected.value = false;
  }

  return { latest, connected, receive, connect, disconnect };
});
