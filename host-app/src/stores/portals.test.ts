/**
 * The portal stores against a fake server: merchant admission and app creation (keys shown once),
 * versions, release and keys of one app, ops reviews and decisions, grants, the audit chain, the
 * support queue and the live dashboard.
 */
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DashboardEvent } from '../../../protocol/socket.ts';
import { fakeFetch, problem } from '../test-support/fetch.ts';
import { useAuditStore } from './audit.ts';
import { useDashboardStore } from './dashboard.ts';
import { useMerchantStore } from './merchant.ts';
import { useMerchantAppStore } from './merchantApp.ts';
import { useOpsAppsStore } from './opsApps.ts';
import { useOpsReviewsStore } from './opsReviews.ts';
import { useSupportStore } from './support.ts';

const merchant = { id: 'm1', businessName: 'Ride Co', licenceNo: '91310000MA1LILY001', contact: { name: 'Li', phone: '138', email: 'l@x' }, status: 'admitted', submittedAt: 'x', decidedAt: null, reason: null };
const appView = { appId: 'com.ride', merchantId: 'm1', name: 'Ride', description: '', category: 'travel', icon: '', status: 'live', statusReason: null, createdAt: 'x', releases: { sandbox: null, production: null } };
const version = (v: string, status: string) => ({ id: `com.ride@${v}`, appId: 'com.ride', version: v, status, packageDigest: 'd', size: 1, uploadedAt: 'x', manifest: { version: v, capabilities: [], domains: [] }, report: { passed: true }, decision: null });

describe('portal stores', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('merchant: shows registration until registered, then apps; new keys are shown once', async () => {
    fakeFetch({
      'GET /api/merchant/me': { merchant: null },
      'POST /api/merchant/register': { status: 201, body: { ...merchant, status: 'pending' } },
      'POST /api/merchant/apps': { status: 201, body: { app: appView, sandboxCredentials: { appId: 'com.ride', env: 'sandbox', serialNo: 'S', publicKey: '04', privateKey: 'secret', bank: { publicKey: 'b', serial: 'bs' } } } },
    });
    const m = useMerchantStore();
    await m.load();
    expect(m.merchant).toBeNull();
    expect(m.apps).toEqual([]);
    expect(await m.register({ businessName: 'Ride Co', licenceNo: '91310000MA1LILY001', contact: { name: 'Li', phone: '138', email: 'l@x' } })).toBe(true);
    expect(m.merchant?.status).toBe('pending');
    await m.createApp({ name: 'Ride', category: 'travel' });
    expect(m.apps.map((a) => a.appId)).toEqual(['com.ride']);
    expect(m.newCredentials?.privateKey).toBe('secret');
    m.forgetCredentials();
    expect(m.newCredentials).toBeNull();
  });

  it('merchant app: uploads the package bytes, releases with a percentage, keeps errors', async () => {
    const calls = fakeFetch({
      'GET /api/merchant/apps/com.ride': { app: appView, applications: [] },
      'GET /api/merchant/apps/com.ride/versions': { versions: [version('1.0.0', 'approved'), version('1.1.0', 'pending_review')] },
      'GET /api/merchant/apps/com.ride/credentials': { credentials: [] },
      'POST /api/merchant/apps/com.ride/versions': { status: 201, body: { version: version('1.2.0', 'pending_review') } },
      'POST /api/merchant/apps/com.ride/releases': { appId: 'com.ride', production: '1.0.0', rollout: null },
      'POST /api/merchant/apps/com.ride/rollback': problem(409, 'INVALID_STATE'),
    });
    const a = useMerchantAppStore();
    await a.load('com.ride');
    expect(a.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect(a.approved.map((v) => v.version)).toEqual(['1.0.0']);
    const file = new Blob(['{"format":"lily-package/1"}']);
    expect(await a.upload(file)).toMatchObject({ version: '1.2.0' });
    const upload = calls.find((c) => c.method === 'POST' && c.path.endsWith('/versions'))!;
    expect(upload.headers).toMatchObject({ 'content-type': 'application/vnd.lily.package+json', 'x-lily-client': 'web' });
    await a.release('1.0.0', 20);
    expect(calls.find((c) => c.path.endsWith('/releases'))!.body).toEqual({ version: '1.0.0', percent: 20 });
    expect(a.notice).toBe('release');
    expect(await a.rollback('bugs')).toBeNull();
    expect(a.error).toMatchObject({ code: 'INVALID_STATE' });
  });

  it('ops reviews: approve a version, then the queue reloads', async () => {
    let pending = [version('1.1.0', 'pending_review')];
    const calls = fakeFetch({
      'GET /api/ops/reviews': () => ({ versions: pending }),
      'POST /api/ops/versions/com.ride%401.1.0/decision': () => {
        pending = [];
        return { version: version('1.1.0', 'approved') };
      },
    });
    const r = useOpsReviewsStore();
    await r.loadVersions();
    expect(r.versions).toHaveLength(1);
    expect(await r.decideVersion('com.ride@1.1.0', true, 'clean')).toBe(true);
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ approve: true, reason: 'clean' });
    expect(r.versions).toEqual([]);
    expect(r.done).toBe('com.ride@1.1.0');
  });

  it('ops apps: grants with a quota and revokes, with the grants reloaded', async () => {
    const calls = fakeFetch({
      'GET /api/ops/apps': { apps: [appView] },
      'GET /api/ops/apps/com.ride/grants': { appId: 'com.ride', sandbox: [], production: [{ capability: 'base.ui', requested: true, reason: 'r', status: 'granted', quota: null, decidedAt: null }] },
      'POST /api/ops/apps/com.ride/grants': { ok: true },
      'POST /api/ops/apps/com.ride/grants/revoke': { ok: true },
    });
    const o = useOpsAppsStore();
    await o.loadApps();
    await o.select('com.ride');
    expect(o.grants?.production[0]?.status).toBe('granted');
    await o.grant('production', 'payment.cashier', { perMinute: 60, dailyAmount: 100_000 });
    await o.revoke('production', 'base.ui', 'abuse');
    const posts = calls.filter((c) => c.method === 'POST').map((c) => c.body);
    expect(posts).toEqual([
      { env: 'production', capability: 'payment.cashier', quota: { perMinute: 60, dailyAmount: 100_000 } },
      { env: 'production', capability: 'base.ui', reason: 'abuse' },
    ]);
    expect(o.done).toBe('revoke:production:base.ui');
  });

  it('audit: filters, pages back by sequence, verifies the chain', async () => {
    const entry = (seq: number) => ({ seq, at: 'x', action: 'grant.revoked', actor: { kind: 'ops', id: 'o' }, target: null, reason: null, data: null, hash: 'h', prevHash: 'p' });
    const calls = fakeFetch({
      'GET /api/ops/audit': { entries: Array.from({ length: 50 }, (_, i) => entry(100 - i)) },
      'GET /api/ops/audit?action=grant.revoked&limit=50': { entries: Array.from({ length: 50 }, (_, i) => entry(100 - i)) },
      'GET /api/ops/audit?action=grant.revoked&limit=50&beforeSeq=51': { entries: [entry(50)] },
      'GET /api/ops/audit/verify': { ok: true, entries: 100, headHash: 'h' },
    });
    const a = useAuditStore();
    a.action = 'grant.revoked';
    await a.load();
    expect(a.more).toBe(true);
    await a.load(true);
    expect(a.entries).toHaveLength(51);
    expect(a.more).toBe(false);
    await a.verify();
    expect(a.verification).toMatchObject({ ok: true, entries: 100 });
    expect(calls.map((c) => c.url)).toContain('/api/ops/audit?action=grant.revoked&limit=50&beforeSeq=51');
  });

  it('support: a pushed ticket reloads the open queue; replies and closing update it', async () => {
    const ticket = { ticketId: 't1', appId: 'com.ride', env: 'production', status: 'open', suggested: null, messages: [], createdAt: 'x', updatedAt: 'x' };
    fakeFetch({
      'GET /api/ops/support/tickets?status=open': { tickets: [ticket] },
      'POST /api/ops/support/tickets/t1/reply': { ticket: { ...ticket, messages: [{ from: 'agent', text: 'hi', at: 'x' }] } },
      'POST /api/ops/support/tickets/t1/close': { ticket: { ...ticket, status: 'closed' } },
    });
    const s = useSupportStore();
    s.onTicket({ ticketId: 't1', appId: 'com.ride', env: 'production', text: 'help', queuePosition: 1 });
    await new Promise((r) => setTimeout(r, 0));
    expect(s.tickets).toHaveLength(1);
    await s.reply('t1', 'hi');
    expect(s.tickets[0]!.messages).toHaveLength(1);
    await s.close('t1');
    expect(s.tickets).toEqual([]);
  });

  it('dashboard: keeps the latest push', () => {
    const d = useDashboardStore();
    const e = { at: 1, windowSeconds: 60, callsPerSecond: 2, byCapability: [], p50: 3, p99: 9, errorRate: 0, openSessions: 1, payments: { count: 0, perMinute: 0 }, series: [] } satisfies DashboardEvent;
    d.receive(e);
    expect(d.latest).toEqual(e);
  });
});
