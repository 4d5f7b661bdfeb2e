/**
 * The human support queue: open tickets (new ones arrive live over the ops socket), replies that
 * reach the user's app at once, and closing.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { SupportTicketEvent } from '../../../protocol/socket.ts';
import { opsApi } from '../api/ops.ts';
import type { Ticket } from '../api/types.ts';

/**
 * The support store.
 *
 * @example
 * ```ts
 * const support = useSupportStore();
 * await support.load();
 * await support.reply(support.tickets[0].ticketId, '已为您处理');
 * ```
 */
export const useSupportStore = defineStore('support', () => {
  const tickets = shallowRef<Ticket[]>([]);
  const status = ref<'open' | 'closed'>('open');
  const loading = ref(false);
  const busy = ref<string | null>(null);
  const error = shallowRef<unknown>(null);
  const arrived = ref(0);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      tickets.value = await opsApi.tickets(status.value);
      arrived.value = 0;
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  /** A ticket pushed by the server: counted, and loaded when the open queue is shown. */
  function onTicket(_e: SupportTicketEvent): void {
    arrived.value++;
    if (status.value === 'open') void load();
  }

  async function act(id: string, fn: () => Promise<Ticket>): Promise<boolean> {
    busy.value = id;
    error.value = null;
    try {
      const t = await fn();
      tickets.value = status.value === 'open' && t.status === 'closed' ? tickets.value.filter((x) => x.ticketId !== id) : tickets.value.map((x) => (x.ticketId === id ? t : x));
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      busy.value = null;
    }
  }

  const reply = (id: string, text: string) => act(id, () => opsApi.reply(id, text));
  const close = (id: string) => act(id, () => opsApi.closeTicket(id));

  return { tickets, status, loading, busy, error, arrived, load, onTicket, reply, close };
});
