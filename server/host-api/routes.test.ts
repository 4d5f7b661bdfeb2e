import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveApp } from '../../test/helpers/apps.ts';
import { http, login, startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { errorHandler } from '../http/errors.ts';
import { authenticate } from '../identity/middleware.ts';
import { hostApiRoutes } from './routes.ts';

const APP = 'com.test.hostapi';
let srv: TestServer;
let base: string;
let alice: string;
let bob: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  srv = await startTestServer();
  const { deps } = srv.booted;
  await createLiveApp(deps, { appId: APP, capabilities: ['payment.cashier'], name: '测试收银' });
  const app = express();
  app.use(express.json());
  app.use('/api', authenticate(deps.identity), hostApiRoutes({ store: deps.store, payments: deps.payments, tokens: deps.tokens, apps: deps.apps, merchants: deps.merchants }));
  app.use(errorHandler());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stop = () => new Promise((r) => server.close(() => r()));
  alice = await login(srv.baseUrl, 'user', 'alice', 'alice-demo');
  bob = await login(srv.baseUrl, 'user', 'bob', 'bob-demo-1');
}, 60_000);

afterAll(async () => {
  await stop?.();
  await srv?.close();
});

async function prepayFor(token: string, outTradeNo: string, amount = 2500) {
  const { deps } = srv.booted;
  const me = await http(srv.baseUrl, 'GET', '/api/auth/me', { token });
  const userId = me.body.principal.id as string;
  return deps.payments.createPrepay({ store: deps.store, env: 'production', appId: APP, now: Date.now }, { openId: deps.tokens.openId(userId, APP), outTradeNo, amount, description: '单程票' });
}

describe('host API routes', () => {
  it('shows the wallet and the linked cards, masked', async () => {
    const res = await http(base, 'GET', '/api/me/wallet', { token: alice });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ env: 'production', currency: 'CNY' });
    expect(res.body.balance).toBeGreaterThan(0);
    expect(res.body.cards.map((c: { cardType: string }) => c.cardType).sort()).toEqual(['credit', 'debit']);
    expect(JSON.stringify(res.body.cards)).toMatch(/\*\*\*\*/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await http(base, 'GET', '/api/me/wallet?env=moon', { token: alice })).body.code).toBe('INVALID_PARAMS');
    expect((await http(base, 'GET', '/api/me/wallet')).body.code).toBe('UNAUTHENTICATED');
  });

  it('shows the cashier the order as the server has it, only to the user it is for', async () => {
    const { prepayId } = await prepayFor(alice, 'host-api-0001');
    const launch = await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: APP } });
    expect(launch.status).toBe(200);
    const res = await http(base, 'POST', '/api/me/cashier', { token: alice, body: { launchToken: launch.body.launchToken, prepayId } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ appId: APP, appName: '测试收银', amount: 2500, description: '单程票', env: 'production', installmentPlans: [] });
    expect(res.body.cards).toHaveLength(2);

    // Bob cannot use Alice's launch, nor see Alice's prepay through his own.
    expect((await http(base, 'POST', '/api/me/cashier', { token: bob, body: { launchToken: launch.body.launchToken, prepayId } })).body.code).toBe('LAUNCH_TOKEN_INVALID');
    const bobLaunch = await http(srv.baseUrl, 'POST', '/api/launch', { token: bob, body: { appId: APP } });
    expect((await http(base, 'POST', '/api/me/cashier', { token: bob, body: { launchToken: bobLaunch.body.launchToken, prepayId } })).body.code).toBe('NOT_FOUND');
    expect((await http(base, 'POST', '/api/me/cashier', { token: alice, body: { launchToken: launch.body.launchToken } })).body.code).toBe('INVALID_PARAMS');
    expect((await http(base, 'POST', '/api/me/cashier', { token: alice, body: { launchToken: 'forged', prepayId } })).body.code).toBe('LAUNCH_TOKEN_INVALID');
  });

  it('resolves the facts a confirm sheet shows: the merchant, and a hold only for its user', async () => {
    const { deps } = srv.booted;
    const me = await http(srv.baseUrl, 'GET', '/api/auth/me', { token: alice });
    const userId = me.body.principal.id as string;
    const hold = await deps.payments.createHold(
      { store: deps.store, env: 'production', appId: APP, now: Date.now },
      { openId: deps.tokens.openId(userId, APP), outHoldNo: 'hold-0001', amount: 10_000, description: '押金' },
    );
    const launch = await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: APP } });
    const res = await http(base, 'POST', '/api/me/confirm-facts', { token: alice, body: { launchToken: launch.body.launchToken, capability: 'payment.deposit', params: { holdId: hold.holdId } } });
    expect(res.status).toBe(200);
    expect(res.body.facts).toEqual([
      { key: 'merchant.name', value: '测试收银', kind: 'text' },
      { key: 'hold.amount', value: 10_000, kind: 'money' },
      { key: 'hold.description', value: '押金', kind: 'text' },
      { key: 'hold.expiresAt', value: expect.any(Number), kind: 'time' },
    ]);
    const bobLaunch = await http(srv.baseUrl, 'POST', '/api/launch', { token: bob, body: { appId: APP } });
    const other = await http(base, 'POST', '/api/me/confirm-facts', { token: bob, body: { launchToken: bobLaunch.body.launchToken, capability: 'payment.deposit', params: { holdId: hold.holdId } } });
    expect(other.body.code).toBe('NOT_FOUND');
  });

  it('lists the user’s paid orders across apps, newest first, with app names', async () => {
    const { deps } = srv.booted;
    const { prepayId } = await prepayFor(alice, 'host-api-0002', 990);
    const me = await http(srv.baseUrl, 'GET', '/api/auth/me', { token: alice });
    const userId = me.body.principal.id as string;
    await deps.payments.pay(
      { store: deps.store, env: 'production', appId: APP, userId, openId: deps.tokens.openId(userId, APP), now: Date.now },
      { prepayId },
      {},
      { capability: 'payment.cashier' },
    );
    const res = await http(base, 'GET', '/api/me/orders?limit=5', { token: alice });
    expect(res.status).toBe(200);
    expect(res.body.orders[0]).toMatchObject({ appId: APP, appName: '测试收银', amount: 990, paidAmount: 990, status: 'paid', payMethod: 'balance' });
    expect((await http(base, 'GET', '/api/me/orders', { token: bob })).body.orders).toEqual([]);
  });

  it('offers the user’s usable coupons in the cashier, best first, when marketing is wired', async () => {
    const { deps } = srv.booted;
    const me = await http(srv.baseUrl, 'GET', '/api/auth/me', { token: alice });
    const userId = me.body.principal.id as string;
    const scope = { store: deps.store, env: 'production' as const, appId: APP, now: Date.now };
    const stock = async (no: string, discountAmount: number, thresholdAmount: number) =>
      (await deps.marketing.coupons.createStock(scope, { outStockNo: no, title: `减${discountAmount / 100}`, discountAmount, thresholdAmount, validFrom: Date.now() - 1000, validUntil: Date.now() + 3600_000, inventory: 5, budgetAmount: 50_000, perUserLimit: 1 })).stockId;
    const user = { ...scope, userId, openId: deps.tokens.openId(userId, APP) };
    const small = await deps.marketing.coupons.claim(user, { stockId: await stock('cashier-small', 200, 0) });
    const big = await deps.marketing.coupons.claim(user, { stockId: await stock('cashier-big', 500, 2000) });
    await deps.marketing.coupons.claim(user, { stockId: await stock('cashier-high', 900, 9000) });
    const { prepayId } = await prepayFor(alice, 'host-api-0003', 2500);
    const launch = await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: APP } });
    const res = await http(srv.baseUrl, 'POST', '/api/me/cashier', { token: alice, body: { launchToken: launch.body.launchToken, prepayId } });
    expect(res.status).toBe(200);
    // The 90-yuan threshold is not met; the larger discount comes first.
    expect(res.body.coupons.map((c: { couponId: string }) => c.couponId)).toEqual([big.couponId, small.couponId]);
    // The demo bank campaign needs 30 yuan: none applies to 25.
    expect(res.body.campaign).toBeNull();
    const { prepayId: bigger } = await prepayFor(alice, 'host-api-0004', 3500);
    const withCampaign = await http(srv.baseUrl, 'POST', '/api/me/cashier', { token: alice, body: { launchToken: launch.body.launchToken, prepayId: bigger } });
    expect(withCampaign.body.campaign).toMatchObject({ title: '百合卡支付满30减5', discountAmount: 500 });
    // Without marketing wired (as in the harness), the cashier offers none.
    expect((await http(base, 'POST', '/api/me/cashier', { token: alice, body: { launchToken: launch.body.launchToken, prepayId } })).body.coupons).toEqual([]);
  });

  it('names the message templates a subscription asks for by their approved titles', async () => {
    const { deps } = srv.booted;
    const templateId = await deps.marketing.messages.registerTemplate(deps.store, { appId: APP, title: '出票通知', content: '{{film}} 已出票。', approved: true });
    const pending = await deps.marketing.messages.registerTemplate(deps.store, { appId: APP, title: '未审核', content: 'x' });
    const foreign = await deps.marketing.messages.registerTemplate(deps.store, { appId: 'com.someone.else', title: '别家的', content: 'x', approved: true });
    const launch = await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: APP } });
    const facts = (templateIds: string[]) => http(srv.baseUrl, 'POST', '/api/me/confirm-facts', { token: alice, body: { launchToken: launch.body.launchToken, capability: 'marketing.subscribe', params: { templateIds } } });
    expect((await facts([templateId])).body.facts).toEqual([
      { key: 'merchant.name', value: '测试收银', kind: 'text' },
      { key: 'templates', value: '出票通知', kind: 'text' },
    ]);
    expect((await facts([templateId, pending])).body.code).toBe('NOT_FOUND');
    expect((await facts([foreign])).body.code).toBe('NOT_FOUND');
  });
});
