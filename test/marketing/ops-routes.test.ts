/**
 * Ops decisions on marketing over HTTP: a merchant applies for a home-page placement over the
 * Open API, ops approve it, and users see it on the home page; campaigns can be paused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveApp } from '../helpers/apps.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.close());

describe('marketing ops routes', () => {
  it('approves a placement that then shows on the home page; refuses non-admins', async () => {
    const deps = srv.booted.deps;
    await createLiveApp(deps, { appId: 'cinema', capabilities: ['marketing.placement'] });
    const scope = { store: deps.store, env: 'production' as const, appId: 'cinema', now: Date.now };
    const now = Date.now();
    const applied = await deps.marketing.placements.apply(scope as never, {
      slot: 'home_banner',
      title: '周末观影 8 折',
      imageUrl: 'https://cdn.cinema.example/banner.png',
      path: 'pages/index/index',
      startAt: now - 1000,
      endAt: now + 7 * 24 * 3600 * 1000,
      reason: 'weekend promotion',
    });
    const admin = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
    const reviewer = await login(srv.baseUrl, 'ops', 'reviewer', 'reviewer-demo');
    const queue = await http(srv.baseUrl, 'GET', '/api/ops/marketing/placements', { token: reviewer });
    expect(queue.body.placements.map((p: { _id: string }) => p._id)).toContain(applied.placementId);
    expect((await http(srv.baseUrl, 'GET', '/api/marketplace/placements')).body.placements).toEqual([]);
    const denied = await http(srv.baseUrl, 'POST', `/api/ops/marketing/placements/${applied.placementId}/decision`, { token: reviewer, body: { approve: true } });
    expect(denied.body.code).toBe('FORBIDDEN');
    const ok = await http(srv.baseUrl, 'POST', `/api/ops/marketing/placements/${applied.placementId}/decision`, { token: admin, body: { approve: true, note: 'fits the season' } });
    expect(ok.status).toBe(200);
    const live = await http(srv.baseUrl, 'GET', '/api/marketplace/placements');
    expect(live.body.placements.map((p: { title: string }) => p.title)).toEqual(['周末观影 8 折']);
    const audit = await deps.audit.list({ action: 'placement.approved' });
    expect(audit[0]).toMatchObject({ reason: 'fits the season' });
    const bad = await http(srv.baseUrl, 'POST', '/api/ops/marketing/stocks/x/decision', { token: admin, body: { approve: true } });
    expect(bad.body.code).toBe('ROUTE_NOT_FOUND');
  });

  it('lists and pauses bank campaigns', async () => {
    const admin = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
    const list = await http(srv.baseUrl, 'GET', '/api/ops/marketing/campaigns', { token: admin });
    expect(list.body.campaigns.length).toBeGreaterThan(0);
    const id = list.body.campaigns[0]._id;
    const paused = await http(srv.baseUrl, 'POST', `/api/ops/marketing/campaigns/${id}/status`, { token: admin, body: { status: 'paused' } });
    expect(paused.body).toEqual({ campaignId: id, status: 'paused' });
    const again = await http(srv.baseUrl, 'GET', '/api/ops/marketing/campaigns', { token: admin });
    expect(again.body.campaigns.find((c: { _id: string }) => c._id === id).status).toBe('paused');
  });
});
