/**
 * The user's inbox: messages the server pushes live over the bridge (subscription messages from
 * mini-apps, support replies), newest first, with an unread count.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { InboxMessageEvent, SupportEvent } from '../../../protocol/socket.ts';
import type { InboxMessage } from '../api/types.ts';
import { useBridgeStore } from './bridge.ts';

const MAX_MESSAGES = 100;

/**
 * The inbox store.
 *
 * @example
 * ```ts
 * const inbox = useInboxStore();
 * inbox.listen();            // once after login
 * inbox.unread;              // a badge count
 * ```
 */
export const useInboxStore = defineStore('inbox', () => {
  const messages = ref<InboxMessage[]>([]);
  const listening = ref(false);
  let offs: (() => void)[] = [];

  const unread = computed(() => messages.value.filter((m) => !m.read).length);

  /** Adds a message (duplicates by id are ignored). */
  function receive(m: InboxMessageEvent): void {
    if (messages.value.some((x) => x.messageId === m.messageId)) return;
    messages.value = [{ ...m, read: false }, ...messages.value].slice(0, MAX_MESSAGES);
  }

  /** A support reply becomes an inbox message too. */
  function receiveSupport(e: SupportEvent): void {
    if (e.from === 'user') return;
    receive({ messageId: `support:${e.ticketId}:${e.at}`, appId: null, title: e.from === 'agent' ? 'support.agent' : 'support.assistant', body: e.text, at: e.at });
  }

  function markAllRead(): void {
    messages.value = messages.value.map((m) => ({ ...m, read: true }));
  }

  /** Starts listening to pushes (connects the bridge when needed). */
  function listen(): void {
    if (listening.value) return;
    listening.value = true;
    const bridge = useBridgeStore();
    bridge.whenReady((c) => {
      offs.push(c.on('message', receive), c.on('support', receiveSupport));
    });
    void bridge.client().catch(() => {
      listening.value = false;
    });
  }

  function stop(): void {
    for (const off of offs) off();
    offs = [];
    listening.value = false;
    messages.value = [];
  }

  return { messages, unread, listening, receive, receiveSupport, markAllRead, listen, stop };
});
