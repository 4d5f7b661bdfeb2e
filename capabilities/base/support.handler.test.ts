import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/types.ts';
import { createServerRegistry } from '../handlers.ts';
import { capabilities } from '../index.ts';
import { openTestStore, testContext } from '../testing/context.ts';
import { buildBm25, stem, tokenize } from './bm25.ts';
import { MAX_TICKET_MESSAGES, TICKET_COLLECTION, buildSupportIndex, type TicketDoc } from './support.handler.ts';

interface Answer {
  title: string;
  text: string;
  source: string;
  capabilityId: string | null;
  link: string;
  score: number;
}
interface Reply {
  answers: Answer[];
  ticketId: string | null;
  queuePosition: number | null;
}

const registry = createServerRegistry();
let store: Store;
let dispose: () => Promise<void>;
beforeAll(async () => ({ store, dispose } = await openTestStore()));
afterAll(async () => dispose());

const ask = (params: Record<string, unknown>, overrides = {}) =>
  registry.invoke(testContext(store, overrides), 'base.support', 'openCustomerService', params) as Promise<Reply>;

describe('tokenize and BM25', () => {
  it('splits Chinese into bigrams and characters, English into stemmed words and camelCase parts', () => {
    expect(tokenize('退款到账')).toEqual(['退款', '款到', '到账', '退', '款', '到', '账']);
    expect(tokenize('How do refunds work with requestPayment?')).toEqual(['refund', 'work', 'request', 'payment']);
    expect(['refunds', 'refunded', 'refunding'].map(stem)).toEqual(['refund', 'refund', 'refund']);
    expect(['refuse', 'refused', 'address', 'policies'].map(stem)).toEqual(['refus', 'refus', 'address', 'policy']);
  });

  it('ranks the closer document first and ignores documents without shared terms', () => {
    const index = buildBm25([
      { id: 'a', fields: [{ text: 'refund a paid order', weight: 1 }] },
      { id: 'b', fields: [{ text: 'refund refund status of a refund', weight: 1 }] },
      { id: 'c', fields: [{ text: 'scan a code', weight: 1 }] },
    ]);
    expect(index.search('refund status', 5).map((h) => h.id)).toEqual(['b', 'a']);
    expect(index.search('zebra', 5)).toEqual([]);
  });

  it('indexes the FAQ, every capability and every method of the catalog', () => {
    const { index, entries } = buildSupportIndex(capabilities);
    expect(entries.has('cap:payment.cashier')).toBe(true);
    expect(entries.has('method:base.storage.setStorage')).toBe(true);
    expect(index.size).toBe(entries.size);
  });
});

describe('base.support openCustomerService', () => {
  it('answers a Chinese question from the FAQ with a link to the capability', async () => {
    const reply = await ask({ question: '退款多久到账？' });
    expect(reply.answers[0]).toMatchObject({ source: 'faq', capabilityId: 'payment.refund', link: '/dev/capabilities/payment.refund' });
    expect(reply.answers).toHaveLength(3);
    expect(reply.answers[0]!.score).toBeGreaterThanOrEqual(reply.answers[1]!.score);
    expect(reply).toMatchObject({ ticketId: null, queuePosition: null });
  });

  it('answers developer questions from the capability docs and method summaries', async () => {
    const reply = await ask({ question: 'redirect to another host refused', limit: 2 }, { config: { allowPrivateNetwork: false, docsBaseUrl: 'https://dev.lily.example' } });
    expect(reply.answers[0]).toMatchObject({ capabilityId: 'base.request', link: 'https://dev.lily.example/capabilities/base.request' });
    expect(reply.answers[0]!.text).toMatch(/^Redirects are followed only to the same scheme/);
    const storage = await ask({ question: 'setStorage quota' });
    expect(storage.answers.map((a) => a.capabilityId)).toContain('base.storage');
  });

  it('returns no answers when nothing matches', async () => {
    expect((await ask({ question: 'qwzx' })).answers).toEqual([]);
  });

  it('hands off to a ticket, adding later questions to the same open ticket', async () => {
    const first = await ask({ question: '付款成功但商家显示未支付', handoff: true }, { userId: 'h1' });
    expect(first.ticketId).toMatch(/^tk_/);
    expect(first.queuePosition).toBeGreaterThanOrEqual(1);
    const second = await ask({ question: '订单号 ord_8Kd2LmQ4x7Tz', handoff: true }, { userId: 'h1' });
    expect(second.ticketId).toBe(first.ticketId);
    const ticket = (await store.collection<TicketDoc>(TICKET_COLLECTION).findOne({ _id: first.ticketId! }))!;
    expect(ticket).toMatchObject({ status: 'open', appId: 'demo-app', userId: 'h1', env: 'sandbox' });
    expect(ticket.messages.map((m) => m.text)).toEqual(['付款成功但商家显示未支付', '订单号 ord_8Kd2LmQ4x7Tz']);
    expect(ticket.suggested.length).toBeGreaterThan(0);

    const other = await ask({ question: '转人工', handoff: true }, { userId: 'h2' });
    expect(other.ticketId).not.toBe(first.ticketId);
    expect(other.queuePosition).toBe(first.queuePosition! + 1);
  });

  it('opens a single ticket when hand-offs race', async () => {
    const replies = await Promise.all(Array.from({ length: 5 }, (_, i) => ask({ question: `问题 ${i}`, handoff: true }, { userId: 'race' })));
    expect(new Set(replies.map((r) => r.ticketId)).size).toBe(1);
    const ticket = (await store.collection<TicketDoc>(TICKET_COLLECTION).findOne({ userId: 'race' }))!;
    expect(ticket.messages).toHaveLength(5);
  });

  it(`refuses more than ${MAX_TICKET_MESSAGES} messages on an open ticket`, async () => {
    const at = new Date();
    await store.collection<TicketDoc>(TICKET_COLLECTION).insertOne({
      _id: 'tk_full0000000000001',
      env: 'sandbox',
      appId: 'demo-app',
      userId: 'full',
      openId: 'o_full',
      status: 'open',
      messages: Array.from({ length: MAX_TICKET_MESSAGES }, (_, i) => ({ from: 'user' as const, text: `m${i}`, at })),
      suggested: [],
      createdAt: at,
      updatedAt: at,
    });
    await expect(ask({ question: 'still there?', handoff: true }, { userId: 'full' })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});
