import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, problem } from '../test-support/fetch.ts';
import { useInboxStore } from './inbox.ts';

const stored = (id: string, at: string, read = false) => ({ messageId: id, appId: 'com.movie', appName: '百合影城', env: 'production', title: '出票通知', body: `${id} 已出票`, page: 'pages/order/index?id=1', at, read });

describe('inbox store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('adds pushed messages newest first, once each, with an unread count', async () => {
    const calls = fakeFetch({ 'POST /api/me/messages/read-all': { marked: 0 } });
    const inbox = useInboxStore();
    inbox.receive({ messageId: 'm1', appId: 'ride', title: 'Trip booked', body: 'Car arriving', at: '2025-01-01T00:00:00Z' });
    inbox.receive({ messageId: 'm2', appId: 'ride', title: 'Paid', body: '¥12.50', at: '2025-01-01T00:01:00Z' });
    inbox.receive({ messageId: 'm1', appId: 'ride', title: 'Trip booked', body: 'Car arriving', at: '2025-01-01T00:00:00Z' });
    expect(inbox.messages.map((m) => m.messageId)).toEqual(['m2', 'm1']);
    expect(inbox.unread).toBe(2);
    await inbox.markAllRead();
    expect(inbox.unread).toBe(0);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /api/me/messages/read-all']);
  });

  it('turns support replies into messages, but not the user’s own lines', () => {
    const inbox = useInboxStore();
    inbox.receiveSupport({ ticketId: 't1', from: 'agent', text: '已为您退款', at: '2025-01-01T00:00:00Z' });
    inbox.receiveSupport({ ticketId: 't1', from: 'user', text: 'thanks', at: '2025-01-01T00:00:01Z' });
    expect(inbox.messages).toHaveLength(1);
    expect(inbox.messages[0]).toMatchObject({ title: 'support.agent', body: '已为您退款' });
  });

  it('loads the history (messages sent while away) and merges what was pushed meanwhile, counting each once', async () => {
    fakeFetch({
      'GET /api/me/messages?limit=20': { messages: [stored('m3', '2025-01-03T00:00:00Z'), stored('m2', '2025-01-02T00:00:00Z', true)], unread: 5, nextCursor: 'c2' },
      'GET /api/me/messages?limit=20&cursor=c2': { messages: [stored('m2', '2025-01-02T00:00:00Z', true), stored('m1', '2025-01-01T00:00:00Z')], unread: 5, nextCursor: null },
    });
    const inbox = useInboxStore();
    // m3 arrives live before the history answers; m4 is newer than anything stored.
    inbox.receive({ messageId: 'm3', appId: 'com.movie', title: '出票通知', body: 'm3 已出票', at: '2025-01-03T00:00:00Z' });
    inbox.receive({ messageId: 'm4', appId: 'com.movie', title: '出票通知', body: 'm4 已出票', at: '2025-01-04T00:00:00Z' });
    inbox.receiveSupport({ ticketId: 't1', from: 'agent', text: '您好', at: '2025-01-02T12:00:00Z' });
    await inbox.loadHistory();
    expect(inbox.messages.map((m) => m.messageId)).toEqual(['m4', 'm3', 'support:t1:2025-01-02T12:00:00Z', 'm2']);
    expect(inbox.messages[1]).toMatchObject({ appName: '百合影城', page: 'pages/order/index?id=1' });
    // Five unread on the server (m3 among them), plus m4 and the support reply.
    expect(inbox.unread).toBe(7);
    expect(inbox.nextCursor).toBe('c2');
    await inbox.more();
    expect(inbox.messages.map((m) => m.messageId)).toEqual(['m4', 'm3', 'support:t1:2025-01-02T12:00:00Z', 'm2', 'm1']);
    expect(inbox.nextCursor).toBeNull();
  });

  it('marks one message read here and on the server, and keeps going when the server does not know it', async () => {
    const calls = fakeFetch({
      'GET /api/me/messages?limit=20': { messages: [stored('m1', '2025-01-01T00:00:00Z')], unread: 1, nextCursor: null },
      'POST /api/me/messages/m1/read': { messageId: 'm1', read: true },
      'POST /api/me/messages/pushed/read': problem(404, 'NOT_FOUND'),
    });
    const inbox = useInboxStore();
    await inbox.loadHistory();
    inbox.receive({ messageId: 'pushed', appId: 'x', title: 't', body: 'b', at: '2025-01-05T00:00:00Z' });
    expect(inbox.unread).toBe(2);
    await inbox.markRead('m1');
    await inbox.markRead('pushed');
    await inbox.markRead('pushed');
    expect(inbox.unread).toBe(0);
    expect(inbox.error).toBeNull();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/me/messages/m1/read', '/api/me/messages/pushed/read']);
    expect(calls.find((c) => c.method === 'POST')?.headers['x-lily-client']).toBe('web');
  });

  it('keeps pushes and shows the error when the history cannot be loaded; forgets everything at logout', async () => {
    fakeFetch({ 'GET /api/me/messages?limit=20': problem(503, 'UNAVAILABLE') });
    const inbox = useInboxStore();
    inbox.receive({ messageId: 'm1', appId: 'x', title: 't', body: 'b', at: '2025-01-05T00:00:00Z' });
    await inbox.loadHistory();
    expect(inbox.error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(inbox.messages).toHaveLength(1);
    expect(inbox.historyLoaded).toBe(false);
    inbox.stop();
    expect(inbox.messages).toEqual([]);
    expect(inbox.unread).toBe(0);
  });
});
