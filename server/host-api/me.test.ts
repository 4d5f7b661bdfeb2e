/**
 * The "me" routes against a whole server: points with history, coupons in their three groups
 * across apps, the inbox with paging and read marks, and the home page's promotions; and the
 * unhappy paths: no session, the wrong kind of account, another user's data, bad paging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveApp } from '../../test/helpers/apps.ts';
import { http, login, startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { MK } from '../marketing/common.ts';

const APP = 'com.test.me';
const OTHER = 'com.test.me.other';
let srv: TestServer;
let alice: string;
let bob: string;
let merchant: string;
let aliceId: string;
let bobId: string;

const get = (path: string, token?: string) => http(srv.baseUrl, 'GET', path, token ? { token } : {});
const post = (path: string, token?: string, body: unknown = {}) => http(srv.baseUrl, 'POST', path, { body, ...(token ? { token } : {}) });

function userScope(userId: string, appId = APP) {
  const { deps } = srv.booted;
  return { store: deps.store, env: 'production' as const, appId, userId, openId: deps.tokens.openId(userId, appId), now: Date.now };
}

beforeAll(async () => {
  srv = await startTestServer();
  const { deps } = srv.booted;
  await createLiveApp(deps, { appId: APP, capabilities: ['payment.cashier', 'marketing.coupons'], name: '百合影城' });
  await createLiveApp(deps, { appId: OTHER, capabilities: ['marketing.coupons'], name: '百合酒店' });
  alice = await login(srv.baseUrl, 'user', 'alice', 'alice-demo');
  bob = await login(srv.baseUrl, 'user', 'bob', 'bob-demo-1');
  merchant = await login(srv.baseUrl, 'merchant', 'merchant', 'merchant-demo');
  aliceId = (await get('/api/auth/me', alice)).body.principal.id;
  bobId = (await get('/api/auth/me', bob)).body.principal.id;
}, 60_000);

afterAll(async () => {
  await srv?.close();
});

describe('GET /api/me/points', () => {
  it('shows the balance and the movements, newest first, with app names, paged', async () => {
    const { deps } = srv.booted;
    await deps.members.points.setBudget(deps.store, 'production', APP, 10_000);
    const at = Date.now();
    for (const [i, points] of [100, 20, 5].entries()) {
      await deps.members.points.change(deps.store, { env: 'production', appId: APP, userId: aliceId, openId: null, kind: 'earn', points, reason: `购票奖励 ${i}`, outBizNo: `pts-me-${i}`, at: at + i });
    }
    const first = await get('/api/me/points?limit=2', alice);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toMatchObject({ env: 'production', balance: 125 });
    expect(first.body.history.map((t: { points: number }) => t.points)).toEqual([5, 20]);
    expect(first.body.history[0]).toMatchObject({ appId: APP, appName: '百合影城', kind: 'earn', delta: 5, balance: 125, reason: '购票奖励 2' });
    const second = await get(`/api/me/points?limit=2&cursor=${first.body.nextCursor}`, alice);
    expect(second.body.history.map((t: { points: number }) => t.points)).toEqual([100]);
    expect(second.body.nextCursor).toBeNull();

    // Bob sees his own (empty) account, never Alice's; sandbox is a world of its own.
    expect((await get('/api/me/points', bob)).body).toMatchObject({ balance: 0, history: [] });
    expect((await get('/api/me/points?env=sandbox', alice)).body).toMatchObject({ env: 'sandbox', balance: 0, history: [] });
  });

  it('refuses bad paging, a foreign cursor, no session and other kinds of account', async () => {
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'limit=-1', 'cursor=%2F%2F', 'cursor=bm90LWEtY3Vyc29y', 'env=moon']) {
      const res = await get(`/api/me/points?${q}`, alice);
      expect(res.status, q).toBe(400);
      expect(res.body.code, q).toBe('INVALID_PARAMS');
    }
    expect((await get('/api/me/points?limit=abc', alice)).body.details).toMatchObject({ field: 'limit' });
    expect((await get('/api/me/points')).body.code).toBe('UNAUTHENTICATED');
    expect((await get('/api/me/points', merchant)).body.code).toBe('FORBIDDEN');
  });
});

describe('GET /api/me/coupons', () => {
  it('lists claimed, used and expired coupons of every app, with counts per group', async () => {
    const { deps } = srv.booted;
    const m = deps.marketing.coupons;
    const day = 24 * 3600 * 1000;
    const stock = async (appId: string, no: string, threshold: number) =>
      (
        await m.createStock(
          { store: deps.store, env: 'production', appId, now: Date.now },
          { outStockNo: no, title: `满${threshold / 100}减5`, discountAmount: 500, thresholdAmount: threshold, validFrom: Date.now() - 1000, validUntil: Date.now() + 30 * day, inventory: 10, budgetAmount: 5000, perUserLimit: 2 },
        )
      ).stockId;
    const movie = await stock(APP, 'stock-me-movie', 2000);
    const hotel = await stock(OTHER, 'stock-me-hotel', 10_000);
    const used = await m.claim(userScope(aliceId), { stockId: movie });
    const soonExpired = await m.claim(userScope(aliceId), { stockId: movie });
    await m.claim(userScope(aliceId, OTHER), { stockId: hotel });
    await m.claim(userScope(bobId, OTHER), { stockId: hotel });

    // A payment uses the coupon picked in the cashier; another one runs out.
    const { prepayId } = await deps.payments.createPrepay({ store: deps.store, env: 'production', appId: APP, now: Date.now }, { openId: deps.tokens.openId(aliceId, APP), outTradeNo: 'me-coupon-0001', amount: 2500, description: '电影票' });
    const paid = await deps.payments.pay(userScope(aliceId), { prepayId }, { couponId: used.couponId }, { capability: 'payment.cashier' });
    expect(paid.discountAmount).toBe(500);
    const usedId = used.couponId;
    const expiredId = soonExpired.couponId;
    await deps.store.collection(MK.coupons).updateOne({ _id: expiredId }, { $set: { validUntil: Date.now() - 1000 } });

    const all = await get('/api/me/coupons', alice);
    expect(all.status).toBe(200);
    expect(all.body.counts).toEqual({ available: 1, used: 1, expired: 1 });
    expect(all.body.coupons).toHaveLength(3);
    const byId = new Map(all.body.coupons.map((c: { couponId: string }) => [c.couponId, c]));
    expect(byId.get(usedId)).toMatchObject({ appId: APP, appName: '百合影城', status: 'used', orderId: paid.orderId });
    expect(byId.get(expiredId)).toMatchObject({ appId: APP, status: 'expired' });
    expect([...byId.values()].find((c) => (c as { appId: string }).appId === OTHER)).toMatchObject({ appName: '百合酒店', status: 'available', title: '满100减5' });

    expect((await get('/api/me/coupons?status=used', alice)).body.coupons.map((c: { couponId: string }) => c.couponId)).toEqual([usedId]);
    expect((await get('/api/me/coupons?status=expired', alice)).body.coupons.map((c: { couponId: string }) => c.couponId)).toEqual([expiredId]);
    const page1 = await get('/api/me/coupons?limit=2', alice);
    expect(page1.body.coupons).toHaveLength(2);
    const page2 = await get(`/api/me/coupons?limit=2&cursor=${page1.body.nextCursor}`, alice);
    expect(page2.body.coupons).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();

    // Bob sees only his own coupon.
    const bobs = await get('/api/me/coupons', bob);
    expect(bobs.body.coupons).toHaveLength(1);
    expect(bobs.body.counts).toEqual({ available: 1, used: 0, expired: 0 });
  });

  it('refuses unknown groups and bad paging', async () => {
    expect((await get('/api/me/coupons?status=stolen', alice)).body).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'status' } });
    expect((await get('/api/me/coupons?limit=1000', alice)).body.code).toBe('INVALID_PARAMS');
    expect((await get('/api/me/coupons?cursor=eyJjIjoieCJ9', alice)).body.code).toBe('INVALID_PARAMS');
    expect((await get('/api/me/coupons')).status).toBe(401);
  });
});

describe('the inbox: GET /api/me/messages and read marks', () => {
  it('keeps messages sent while the user was away, newest first, paged, with the unread count', async () => {
    const { deps } = srv.booted;
    const templateId = await deps.marketing.messages.registerTemplate(deps.store, { appId: APP, title: '出票通知', content: '{{film}} 已出票。', approved: true });
    for (let i = 0; i < 3; i++) await deps.marketing.messages.requestSubscribe(userScope(aliceId), { templateIds: [templateId] }, { confirmed: true });
    const sent = [];
    for (const film of ['《星海》', '《山河》', '《归途》']) {
      sent.push(await deps.marketing.messages.send({ store: deps.store, env: 'production', appId: APP, now: Date.now }, { userId: aliceId, openId: deps.tokens.openId(aliceId, APP), templateId, data: { film }, page: 'pages/order/index?id=1' }));
      await new Promise((r) => setTimeout(r, 5));
    }
    const first = await get('/api/me/messages?limit=2', alice);
    expect(first.status).toBe(200);
    expect(first.body.unread).toBe(3);
    expect(first.body.messages.map((m: { body: string }) => m.body)).toEqual(['《归途》 已出票。', '《山河》 已出票。']);
    expect(first.body.messages[0]).toMatchObject({ messageId: sent[2]!.messageId, appId: APP, appName: '百合影城', title: '出票通知', page: 'pages/order/index?id=1', read: false });
    const second = await get(`/api/me/messages?limit=2&cursor=${first.body.nextCursor}`, alice);
    expect(second.body.messages.map((m: { messageId: string }) => m.messageId)).toEqual([sent[0]!.messageId]);

    // Bob can neither see nor mark Alice's messages.
    expect((await get('/api/me/messages', bob)).body).toMatchObject({ messages: [], unread: 0 });
    expect((await post(`/api/me/messages/${sent[0]!.messageId}/read`, bob)).body.code).toBe('NOT_FOUND');

    expect((await post(`/api/me/messages/${sent[0]!.messageId}/read`, alice)).body).toEqual({ messageId: sent[0]!.messageId, read: true });
    // Marking again is fine; an unknown id is not.
    expect((await post(`/api/me/messages/${sent[0]!.messageId}/read`, alice)).status).toBe(200);
    expect((await post('/api/me/messages/msg_nope/read', alice)).body.code).toBe('NOT_FOUND');
    expect((await get('/api/me/messages', alice)).body.unread).toBe(2);
    expect((await post('/api/me/messages/read-all', alice)).body).toEqual({ marked: 2 });
    const after = await get('/api/me/messages', alice);
    expect(after.body.unread).toBe(0);
    expect(after.body.messages.every((m: { read: boolean }) => m.read)).toBe(true);
  });

  it('refuses bad paging, no session, and requests without the web client header on cookies', async () => {
    expect((await get('/api/me/messages?limit=0', alice)).body.code).toBe('INVALID_PARAMS');
    expect((await get('/api/me/messages?cursor=!!', alice)).body.code).toBe('INVALID_PARAMS');
    expect((await get('/api/me/messages')).body.code).toBe('UNAUTHENTICATED');
    expect((await post('/api/me/messages/read-all')).body.code).toBe('UNAUTHENTICATED');
    expect((await post('/api/me/messages/read-all', merchant)).body.code).toBe('FORBIDDEN');
  });
});

describe('GET /api/me/promotions', () => {
  it('shows approved, live placements of live apps and running bank campaigns, and counts taps', async () => {
    const { deps } = srv.booted;
    const scope = { store: deps.store, env: 'production' as const, appId: APP, now: Date.now };
    const hour = 3600 * 1000;
    const slot = { slot: 'home_banner' as const, imageUrl: 'https://img.example/banner.png', path: 'pages/index/index?from=banner', reason: '新片上映' };
    const approved = await deps.marketing.placements.apply(scope, { ...slot, title: '新片首映 8 折', startAt: Date.now() - 1000, endAt: Date.now() + hour });
    await deps.marketing.placements.decide(deps.store, { placementId: approved.placementId, approve: true, by: 'ops', at: Date.now() });
    await deps.marketing.placements.apply(scope, { ...slot, slot: 'home_grid', title: '待审核的推广', startAt: Date.now() - 1000, endAt: Date.now() + hour });
    await deps.marketing.campaigns.create(deps.store, { env: 'production', kind: 'discount', title: '影城专享立减 3 元', type: 'instant', discountAmount: 300, thresholdAmount: 0, payMethods: ['balance'], perUserDaily: 1, validFrom: Date.now() - 1000, validUntil: Date.now() + hour, budgetAmount: 10_000, appIds: [APP] });
    await deps.marketing.campaigns.create(deps.store, { env: 'production', kind: 'discount', title: '已暂停的活动', type: 'instant', discountAmount: 100, thresholdAmount: 0, payMethods: ['balance'], perUserDaily: 1, validFrom: Date.now() - 1000, validUntil: Date.now() + hour, budgetAmount: 10_000, status: 'paused' });

    const res = await get('/api/me/promotions', alice);
    expect(res.status).toBe(200);
    expect(res.body.placements).toEqual([expect.objectContaining({ placementId: approved.placementId, appId: APP, appName: '百合影城', slot: 'home_banner', title: '新片首映 8 折', path: 'pages/index/index?from=banner' })]);
    const titles = res.body.campaigns.map((c: { title: string }) => c.title);
    expect(titles).toContain('影城专享立减 3 元');
    expect(titles).not.toContain('已暂停的活动');
    expect(res.body.campaigns.find((c: { title: string }) => c.title === '影城专享立减 3 元')).toMatchObject({ kind: 'discount', discountAmount: 300, apps: [{ appId: APP, appName: '百合影城' }] });

    expect((await post(`/api/me/promotions/${approved.placementId}/events`, alice, { kind: 'click' })).status).toBe(204);
    // Taps again the same day do not inflate the count; another user's do.
    expect((await post(`/api/me/promotions/${approved.placementId}/events`, alice, { kind: 'click' })).status).toBe(204);
    expect((await post(`/api/me/promotions/${approved.placementId}/events`, bob, { kind: 'click' })).status).toBe(204);
    expect((await deps.store.collection(MK.placements).findOne({ _id: approved.placementId }))?.['clicks']).toBe(2);
    expect((await post(`/api/me/promotions/${approved.placementId}/events`, alice, { kind: 'like' })).body.code).toBe('INVALID_PARAMS');

    // A suspended app's placement leaves the home page at once.
    await deps.apps.setStatus(APP, 'suspended', 'test', { kind: 'ops', id: 'ops-test' });
    try {
      const later = await get('/api/me/promotions', alice);
      expect(later.body.placements.filter((p: { appId: string }) => p.appId === APP)).toEqual([]);
      expect(later.body.campaigns.map((c: { title: string }) => c.title)).not.toContain('影城专享立减 3 元');
    } finally {
      await deps.apps.setStatus(APP, 'live', 'test', { kind: 'ops', id: 'ops-test' });
    }
    expect((await get('/api/me/promotions')).body.code).toBe('UNAUTHENTICATED');
  });
});

describe('GET /api/me/addresses and /api/me/invoice-titles', () => {
  it('list only the user’s own entries, for the host’s pickers', async () => {
    const { deps } = srv.booted;
    await deps.members.addresses.save(deps.store, bobId, { recipientName: '王芳', phoneNumber: '13900000002', province: '上海市', city: '上海市', district: '徐汇区', detail: '漕溪北路 1 号', postalCode: '200030' });
    await deps.members.invoiceTitles.save(deps.store, bobId, { type: 'company', title: '王芳咨询有限公司', taxNumber: '91310000MA1K000001', companyAddress: '', telephone: '', bankName: '', bankAccount: '' });
    const addresses = await get('/api/me/addresses', bob);
    expect(addresses.status).toBe(200);
    expect(addresses.body.entries.map((e: { recipientName: string }) => e.recipientName)).toContain('王芳');
    expect(addresses.body.entries.every((e: { id: string }) => typeof e.id === 'string')).toBe(true);
    const titles = await get('/api/me/invoice-titles', bob);
    expect(titles.body.entries.map((e: { title: string }) => e.title)).toContain('王芳咨询有限公司');
    // Alice sees none of bob's.
    const aliceAddresses = (await get('/api/me/addresses', alice)).body.entries as { recipientName: string }[];
    expect(aliceAddresses.map((e) => e.recipientName)).not.toContain('王芳');
    expect((await get('/api/me/invoice-titles', alice)).body.entries.map((e: { title: string }) => e.title)).not.toContain('王芳咨询有限公司');
    // No session, or a merchant: refused.
    expect((await get('/api/me/addresses')).status).toBe(401);
    expect((await get('/api/me/invoice-titles', merchant)).status).toBe(403);
  });
});
