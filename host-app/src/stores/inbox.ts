/**
 * The user's inbox: the history the server keeps (messages sent while the user was away are
 * there at the next login), the messages it pushes live over the bridge (subscription messages
 * from mini-apps, support replies), newest first, with an unread count and read marks kept on
 * the server.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { InboxMessageEvent, SupportEvent } from '../../../protocol/socket.ts';
import { errorCodeOf } from '../api/http.ts';
import { shellApi } from '../api/shell.ts';
import type { InboxMessage } from '../api/types.ts';
import { useBridgeStore } from './bridge.ts';

/** Messages per page of history. */
export const INBOX_PAGE = 20;
/** Most messages kept in memory. */
const MAX_MESSAGES = 500;

/** Support replies live only in the session that received them; the server keeps no copy. */
const isLocal = (id: string) => id.startsWith('support:');
const newestFirst = (a: InboxMessage, b: InboxMessage) => Date.parse(b.at) - Date.parse(a.at);

/**
 * The inbox store.
 *
 * @example
 * ```ts
 * const inbox = useInboxStore();
 * inbox.listen();            // once after login: loads the history, then listens to pushes
 * inbox.unread;              // a badge count
 * await inbox.markRead(id);
 * ```
 */
export const useInboxStore = defineStore('inbox', () => {
  const messages = ref<InboxMessage[]>([]);
  /** Unread messages in the whole inbox (also those on pages not loaded yet). */
  const unreadCount = ref(0);
  const nextCursor = ref<string | null>(null);
  const historyLoaded = ref(false);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  const listening = ref(false);
  let offs: (() => void)[] = [];

  const unread = computed(() => Math.max(unreadCount.value, messages.value.filter((m) => !m.read).length));

  /** Adds a pushed message (duplicates by id are ignored). */
  function receive(m: InboxMessageEvent): void {
    if (messages.value.some((x) => x.messageId === m.messageId)) return;
    messages.value = [{ ...m, read: false }, ...messages.value].slice(0, MAX_MESSAGES);
    unreadCount.value++;
  }

  /** A support reply becomes an inbox message too. */
  function receiveSupport(e: SupportEvent): void {
    if (e.from === 'user') return;
    receive({ messageId: `support:${e.ticketId}:${e.at}`, appId: null, title: e.from === 'agent' ? 'support.agent' : 'support.assistant', body: e.text, at: e.at });
  }

  /**
   * Loads the newest page of the history and merges what was pushed meanwhile (a message both
   * pushed and in the history counts once).
   */
  async function loadHistory(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      const page = await shellApi.messages({ limit: INBOX_PAGE });
      const ids = new Set(page.messages.map((m) => m.messageId));
      const extra = messages.value.filter((m) => !ids.has(m.messageId) && (isLocal(m.messageId) || Date.parse(m.at) >= Date.parse(page.messages.at(-1)?.at ?? '1970-01-01')));
      messages.value = [...page.messages, ...extra].sort(newestFirst).slice(0, MAX_MESSAGES);
      unreadCount.value = page.unread + extra.filter((m) => !m.read).length;
      nextCursor.value = page.nextCursor;
      historyLoaded.value = true;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  /** Appends the next page of the history. */
  async function more(): Promise<void> {
    if (!nextCursor.value || loading.value) return;
    loading.value = true;
    error.value = null;
    try {
      const page = await shellApi.messages({ limit: INBOX_PAGE, cursor: nextCursor.value });
      const seen = new Set(messages.value.map((m) => m.messageId));
      messages.value = [...messages.value, ...page.messages.filter((m) => !seen.has(m.messageId))].slice(0, MAX_MESSAGES);
      nextCursor.value = page.nextCursor;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  /** Marks one message read, here at once and then on the server. */
  async function markRead(messageId: string): Promise<void> {
    const m = messages.value.find((x) => x.messageId === messageId);
    if (!m || m.read) return;
    messages.value = messages.value.map((x) => (x.messageId === messageId ? { ...x, read: true } : x));
    unreadCount.value = Math.max(0, unreadCount.value - 1);
    if (isLocal(messageId)) return;
    try {
      await shellApi.markMessageRead(messageId);
    } catch (err) {
      // A message the server does not keep (NOT_FOUND) stays read here; anything else is shown.
      if (errorCodeOf(err) !== 'NOT_FOUND') error.value = err;
    }
  }

  /** Marks every message read, here at once and then on the server. */
  async function markAllRead(): Promise<void> {
    messages.value = messages.value.map((m) => ({ ...m, read: true }));
    unreadCount.value = 0;
    try {
      await shellApi.markAllMessagesRead();
    } catch (err) {
      error.value = err;
    }
  }

  /** Loads the history and starts listening to pushes (connects the bridge when needed). */
  function listen(): void {
    if (listening.value) return;
    listening.value = true;
    const bridge = useBridgeStore();
    bridge.whenReady((c) => {
      offs.push(c.on('message', receive), c.on('support', receiveSupport));
    });
    void loadHistory();
    void bridge.client().catch(() => {
      listening.value = false;
    });
  }

  /** Stops listening and forgets the messages (at logout). */
  function stop(): void {
    for (const off of offs) off();
    offs = [];
    listening.value = false;
    messages.value = [];
    unreadCount.value = 0;
    nextCursor.value = null;
    historyLoaded.value = false;
    error.value = null;
  }

  return { messages, unread, nextCursor, historyLoaded, loading, error, listening, receive, receiveSupport, loadHistory, more, markRead, markAllRead, listen, stop };
});
