/**
 * The merchant's stats of one app against a whole server: bridge calls and errors per day and
 * capability, payments, custom events and a funnel; only the owner may read them, and bad
 * ranges, steps and environments answer INVALID_PARAMS naming the parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, login, startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { cstDay } from '../payments/common.ts';

const APP = 'com.test.stats';
let srv: TestServer;
let merchant: string;
let rival: string;
let alice: string;
let aliceId: string;

const get = (path: string, token?: string) => http(srv.baseUrl, 'GET', path, token ? { token } : {});

beforeAll(async () => {
  srv = await startTestServer();
  const admin = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
  const admitted = async (username: string, password: string, licenceNo: string) => {
    if (username !== 'merchant') await http(srv.baseUrl, 'POST', '/api/auth/register', { body: { kind: 'merchant', username, password } });
    const token = await login(srv.baseUrl, 'merchant', username, password);
    const reg = await http(srv.baseUrl, 'POST', '/api/merchant/register', { token, body: { businessName: `${username} 科技有限公司`, licenceNo, contact: { name: '李明', phone: '13800000000', email: `${username}@x.example` } } });
    await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: admin, body: { admit: true, reason: 'ok' } });
    return token;
  };
  merchant = await admitted('merchant', 'merchant-demo', '91310000MA1STATS01');
  rival = await admitted('rival', 'rival-demo-pass', '91310000MA1STATS02');
  expect((await http(srv.baseUrl, 'POST', '/api/merchant/apps', { token: merchant, body: { appId: APP, name: '统计影城', category: 'tickets' } })).status).toBe(201);
  alice = await login(srv.baseUrl, 'user', 'alice', 'alice-demo');
  aliceId = (await get('/api/auth/me', alice)).body.principal.id;
}, 60_000);

afterAll(async () => {
  await srv?.close();
});

describe('GET /api/merchant/apps/:appId/stats', () => {
  it('counts calls, errors, payments and events of the app per day', async () => {
    const { deps } = srv.booted;
    const call = { appId: APP, env: 'production' as const, method: 'm', ms: 10 };
    deps.bus.emit('bridge.call', { ...call, capability: 'base.ui', ok: true, code: null });
    deps.bus.emit('bridge.call', { ...call, capability: 'base.ui', ok: true, code: null });
    deps.bus.emit('bridge.call', { ...call, capability: 'payment.cashier', ok: false, code: 'PIN_INCORRECT', ms: 40 });
    deps.bus.emit('bridge.call', { ...call, env: 'sandbox', capability: 'base.ui', ok: true, code: null });
    deps.bus.emit('bridge.call', { ...call, appId: 'com.someone.else', capability: 'base.ui', ok: true, code: null });

    // A paid order: the app was created by the merchant, so release it for the user first.
    await deps.payments.init(deps.store);
    const openId = deps.tokens.openId(aliceId, APP);
    const scope = { store: deps.store, env: 'production' as const, appId: APP, now: Date.now };
    const { prepayId } = await deps.payments.createPrepay(scope, { openId, outTradeNo: 'stats-0001', amount: 3300, description: '电影票' });
    await deps.payments.pay({ ...scope, userId: aliceId, openId }, { prepayId }, {}, { capability: 'payment.cashier' });

    const user = { ...scope, userId: aliceId, openId };
    for (const name of ['view_film', 'choose_seat', 'view_film', 'pay_order']) {
      await deps.marketing.analytics.report(user, { name });
      // Steps are ordered by time: keep them apart.
      await new Promise((r) => setTimeout(r, 3));
    }

    const res = await get(`/api/merchant/apps/${APP}/stats`, merchant);
    expect(res.status).toBe(200);
    const today = cstDay(Date.now());
    expect(res.body).toMatchObject({ appId: APP, env: 'production', to: today });
    expect(res.body.days).toHaveLength(7);
    const day = res.body.days.at(-1);
    expect(day.date).toBe(today);
    expect(day).toMatchObject({ calls: 3, errors: 1, payments: 1 });
    expect(day.paidAmount).toBeGreaterThan(0);
    expect(res.body.totals).toMatchObject({ calls: 3, errors: 1, payments: 1, errorRate: 1 / 3 });
    expect(res.body.capabilities).toEqual([
      { capability: 'base.ui', calls: 2, errors: 0, avgMs: 10 },
      { capability: 'payment.cashier', calls: 1, errors: 1, avgMs: 40 },
    ]);
    expect(res.body.errorCodes).toEqual([{ code: 'PIN_INCORRECT', count: 1 }]);
    expect(res.body.events).toEqual(expect.arrayContaining([{ event: 'view_film', count: 2, users: 1 }, { event: 'pay_order', count: 1, users: 1 }]));

    const sandbox = await get(`/api/merchant/apps/${APP}/stats?env=sandbox&from=${today}&to=${today}`, merchant);
    expect(sandbox.body.days).toEqual([{ date: today, calls: 1, errors: 0, payments: 0, paidAmount: 0, refundedAmount: 0 }]);

    const funnel = await get(`/api/merchant/apps/${APP}/funnel?steps=view_film,choose_seat,pay_order`, merchant);
    expect(funnel.status).toBe(200);
    expect(funnel.body).toMatchObject({ appId: APP, windowHours: 24, steps: [{ event: 'view_film', users: 1, conversion: 1 }, { event: 'choose_seat', users: 1 }, { event: 'pay_order', users: 1 }] });
  });

  it('answers only the owner, and refuses bad ranges, steps and environments', async () => {
    expect((await get(`/api/merchant/apps/${APP}/stats`)).body.code).toBe('UNAUTHENTICATED');
    expect((await get(`/api/merchant/apps/${APP}/stats`, alice)).body.code).toBe('FORBIDDEN');
    expect((await get(`/api/merchant/apps/${APP}/stats`, rival)).body.code).toBe('NOT_FOUND');
    expect((await get(`/api/merchant/apps/${APP}/funnel?steps=a,b`, rival)).body.code).toBe('NOT_FOUND');
    expect((await get('/api/merchant/apps/com.no.such/stats', merchant)).body.code).toBe('NOT_FOUND');
    const bad: [string, string][] = [
      ['stats?from=2026-13-01', 'from'],
      ['stats?to=yesterday', 'to'],
      ['stats?from=2026-05-02&to=2026-05-01', 'to'],
      ['stats?from=2026-01-01&to=2026-06-01', 'to'],
      ['stats?env=moon', 'env'],
      ['funnel?steps=only_one', 'steps'],
      ['funnel?steps=a,B', 'steps'],
      ['funnel', 'steps'],
      ['funnel?steps=a,b&windowHours=0', 'windowHours'],
      ['funnel?steps=a,b&windowHours=x', 'windowHours'],
    ];
    for (const [q, field] of bad) {
      const res = await get(`/api/merchant/apps/${APP}/${q}`, merchant);
      expect(res.status, q).toBe(400);
      expect(res.body, q).toMatchObject({ code: 'INVALID_PARAMS', details: { field } });
    }
  });
});
