/**
 * marketing.subscribe: templates accepted on a tap in the host sheet, one message per accept,
 * delivered to the inbox and announced live on the event bus; turned off by the user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMarketingDemo } from '../../server/marketing/seed.ts';
import { codeOf, createKit, T0, type Kit } from '../members/kit.ts';

let kit: Kit;
const ORDER = 'tpl_demoappOrder';
const REMIND = 'tpl_demoappRemind';
beforeAll(async () => {
  kit = await createKit();
  await seedMarketingDemo(kit.store, kit.marketing, { appIds: ['demo-app'], envs: ['sandbox'], at: T0 });
  await kit.marketing.messages.registerTemplate(kit.store, { appId: 'demo-app', templateId: 'tpl_pendingOne', title: '待审', content: '{{x}}' }, T0);
});
afterAll(() => kit.dispose());

const ask = (user: string, templateIds: string[], host?: Record<string, unknown>) => kit.call(kit.user(user, host ? { host } : {}), 'marketing.subscribe', 'requestSubscribe', { templateIds });
const send = (user: string, templateId: string, data: Record<string, string>) => kit.op('sendMessage', kit.merchant(), { openId: kit.openId(user), templateId, data, page: 'pages/order/detail?id=1' });

describe('requestSubscribe', () => {
  it('records accepts and rejects from the host sheet; unknown or unapproved templates are NOT_FOUND', async () => {
    expect(await codeOf(ask('alice', [ORDER, 'tpl_noSuchTemplate'], { confirmed: true }))).toBe('NOT_FOUND');
    expect(await codeOf(ask('alice', ['tpl_pendingOne'], { confirmed: true }))).toBe('NOT_FOUND');
    expect(await codeOf(ask('alice', [ORDER]))).toBe('USER_CANCELLED');
    expect(await ask('alice', [ORDER, REMIND], { confirmed: true, pickedIds: [ORDER] })).toEqual({ results: [{ templateId: ORDER, status: 'accept' }, { templateId: REMIND, status: 'reject' }] });
    expect(await codeOf(kit.call(kit.user('alice', { appId: 'other-app', host: { confirmed: true } }), 'marketing.subscribe', 'requestSubscribe', { templateIds: [ORDER] }))).toBe('NOT_FOUND');
  });
});

describe('sendMessage', () => {
  it('delivers one message per accept to the inbox and live on the bus', async () => {
    const r = await send('alice', ORDER, { orderName: '《星海》2张', status: '出票' });
    expect(r).toEqual({ messageId: expect.stringMatching(/^msg_/), deliveredAt: T0 });
    expect(kit.delivered.at(-1)).toEqual({ userId: 'alice', messageId: r.messageId, appId: 'demo-app', title: '订单状态通知', body: '您的订单《星海》2张已出票。', at: new Date(T0).toISOString() });
    const inbox = await kit.marketing.messages.inbox(kit.store, 'alice');
    expect(inbox.messages[0]).toMatchObject({ _id: r.messageId, body: '您的订单《星海》2张已出票。', page: 'pages/order/detail?id=1', readAt: null });
    await kit.marketing.messages.markRead(kit.store, 'alice', r.messageId, T0);
    expect(await codeOf(send('alice', ORDER, { orderName: 'x', status: 'y' }))).toBe('CONSENT_REQUIRED');
    expect(await codeOf(send('alice', REMIND, { time: '9:00', place: '虹桥' }))).toBe('CONSENT_REQUIRED');
  });

  it('sends at most one message per accept even when sends race', async () => {
    await ask('bob', [ORDER], { confirmed: true });
    await ask('bob', [ORDER], { confirmed: true });
    const results = await Promise.all(Array.from({ length: 6 }, () => codeOf(send('bob', ORDER, { orderName: 'x', status: 'y' }))));
    expect(results.filter((r) => r === 'resolved')).toHaveLength(2);
    expect(await kit.store.collection('inbox').countDocuments({ userId: 'bob' })).toBe(2);
  });

  it('checks the fields, the openId and the user’s choice to turn messages off', async () => {
    await ask('carol', [ORDER, REMIND], { confirmed: true });
    expect(await codeOf(send('carol', ORDER, { orderName: 'x' }))).toBe('INVALID_PARAMS');
    expect(await codeOf(send('carol', ORDER, { orderName: 'x', status: 'y', extra: 'z' }))).toBe('INVALID_PARAMS');
    expect(await codeOf(kit.op('sendMessage', kit.merchant(), { openId: 'o_nobody_known', templateId: ORDER, data: {} }))).toBe('NOT_FOUND');
    expect(await codeOf(send('carol', 'tpl_noSuchTemplate', {}))).toBe('NOT_FOUND');
    await kit.marketing.messages.setBlocked(kit.store, 'carol', 'demo-app', true);
    expect(await codeOf(send('carol', ORDER, { orderName: 'x', status: 'y' }))).toBe('CONSENT_REQUIRED');
    expect(await ask('carol', [REMIND], { confirmed: true })).toEqual({ results: [{ templateId: REMIND, status: 'ban' }] });
    await kit.marketing.messages.setBlocked(kit.store, 'carol', 'demo-app', false);
    await send('carol', ORDER, { orderName: 'x', status: 'y' });
  });
});
