import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { useInboxStore } from './inbox.ts';

describe('inbox store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('adds pushed messages newest first, once each, with an unread count', () => {
    const inbox = useInboxStore();
    inbox.receive({ messageId: 'm1', appId: 'ride', title: 'Trip booked', body: 'Car arriving', at: '2025-01-01T00:00:00Z' });
    inbox.receive({ messageId: 'm2', appId: 'ride', title: 'Paid', body: '¥12.50', at: '2025-01-01T00:01:00Z' });
    inbox.receive({ messageId: 'm1', appId: 'ride', title: 'Trip booked', body: 'Car arriving', at: '2025-01-01T00:00:00Z' });
    expect(inbox.messages.map((m) => m.messageId)).toEqual(['m2', 'm1']);
    expect(inbox.unread).toBe(2);
    inbox.markAllRead();
    expect(inbox.unread).toBe(0);
  });

  it('turns support replies into messages, but not the user’s own lines', () => {
    const inbox = useInboxStore();
    inbox.receiveSupport({ ticketId: 't1', from: 'agent', text: '已为您退款', at: '2025-01-01T00:00:00Z' });
    inbox.receiveSupport({ ticketId: 't1', from: 'user', text: 'thanks', at: '2025-01-01T00:00:01Z' });
    expect(inbox.messages).toHaveLength(1);
    expect(inbox.messages[0]).toMatchObject({ title: 'support.agent', body: '已为您退款' });
  });
});
