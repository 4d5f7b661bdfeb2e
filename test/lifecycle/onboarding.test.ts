/**
 * Partner admission, app creation, capability applications, exit, marketplace and the audit
 * chain, through HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveApp } from '../helpers/apps.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let admin: string;
let reviewer: string;
let alice: string;

const business = (licence: string) => ({
  businessName: '快行出行科技有限公司',
  licenceNo: licence,
  contact: { name: '张三', phone: '+86 138 0000 0000', email: 'ops@ridego.example' },
});

async function merchantAccount(username: string): Promise<string> {
  await http(srv.baseUrl, 'POST', '/api/auth/register', { body: { kind: 'merchant', username, password: `${username}-pass` } });
  return login(srv.baseUrl, 'merchant', username, `${username}-pass`);
}

beforeAll(async () => {
  srv = await startTestServer();
  admin = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
  reviewer = await login(srv.baseUrl, 'ops', 'reviewer', 'reviewer-demo');
  alice = await login(srv.baseUrl, 'user', 'alice', 'alice-demo');
});
afterAll(() => srv.close());

describe('partner admission', () => {
  it('registers, queues, admits; only then may the merchant create apps', async () => {
    const m = await merchantAccount('ridego');
    const early = await http(srv.baseUrl, 'POST', '/api/merchant/apps', { token: m, body: { name: '快行', category: 'travel' } });
    expect(early.body.code).toBe('FORBIDDEN');
    expect(early.body.detail).toMatch(/Register/);

    const reg = await http(srv.baseUrl, 'POST', '/api/merchant/register', { token: m, body: business('91310000MA1FL8XQ3K') });
    expect(reg.status).toBe(201);
    expect(reg.body.status).toBe('pending');
    const again = await http(srv.baseUrl, 'POST', '/api/merchant/register', { token: m, body: business('91310000MA1FL8XQ3K') });
    expect(again.body.code).toBe('DUPLICATE');

    const pendingApp = await http(srv.baseUrl, 'POST', '/api/merchant/apps', { token: m, body: { name: '快行', category: 'travel' } });
    expect(pendingApp.body.detail).toMatch(/pending/);

    const queue = await http(srv.baseUrl, 'GET', '/api/ops/merchants?status=pending', { token: reviewer });
    expect(queue.body.merchants.map((x: { id: string }) => x.id)).toContain(reg.body.id);

    // Reviewers read the queue; only admins decide.
    const byReviewer = await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: reviewer, body: { admit: true, reason: 'ok' } });
    expect(byReviewer.body.code).toBe('FORBIDDEN');
    const byMerchant = await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: m, body: { admit: true, reason: 'ok' } });
    expect(byMerchant.body.code).toBe('FORBIDDEN');

    const admitted = await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: admin, body: { admit: true, reason: 'licence verified' } });
    expect(admitted.body.status).toBe('admitted');
    const twice = await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: admin, body: { admit: false, reason: 'x' } });
    expect(twice.body.code).toBe('INVALID_STATE');

    const app = await http(srv.baseUrl, 'POST', '/api/merchant/apps', { token: m, body: { appId: 'ridego', name: '快行出行', category: 'travel', description: '打车' } });
    expect(app.status).toBe(201);
    expect(app.body.app).toMatchObject({ appId: 'ridego', status: 'draft' });
    const dup = await http(srv.baseUrl, 'POST', '/api/merchant/apps', { token: m, body: { appId: 'ridego', name: 'x', category: 'travel' } });
    expect(dup.body.code).toBe('DUPLICATE');
    const list = await http(srv.baseUrl, 'GET', '/api/merchant/apps', { token: m });
    expect(list.body.apps).toHaveLength(1);
  });

  it('rejects with a reason; a rejected merchant may resubmit; licences are unique', async () => {
    const m = await merchantAccount('shady');
    const reg = await http(srv.baseUrl, 'POST', '/api/merchant/register', { token: m, body: business('91110000MA00AAAA1X') });
    const rejected = await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: admin, body: { admit: false, reason: 'licence expired' } });
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'licence expired' });
    const me = await http(srv.baseUrl, 'GET', '/api/merchant/me', { token: m });
    expect(me.body.merchant).toMatchObject({ status: 'rejected', reason: 'licence expired' });
    const resubmitted = await http(srv.baseUrl, 'POST', '/api/merchant/register', { token: m, body: business('91110000MA00AAAA1X') });
    expect(resubmitted.body.status).toBe('pending');

    const other = await merchantAccount('copycat');
    const stolen = await http(srv.baseUrl, 'POST', '/api/merchant/register', { token: other, body: business('91110000MA00AAAA1X') });
    expect(stolen.body.code).toBe('DUPLICATE');
    expect(stolen.body.detail).toMatch(/licence/);
  });

  it('validates the registration', async () => {
    const m = await merchantAccount('sloppy');
    const bad = await http(srv.baseUrl, 'POST', '/api/merchant/register', {
      token: m,
      body: { ...business('123'), contact: { name: 'x', phone: 'call me', email: 'nope' } },
    });
    expect(bad.body.code).toBe('INVALID_PARAMS');
    expect(bad.body.details.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['/licenceNo', '/contact/phone', '/contact/email']),
    );
  });

  it("hides other merchants' apps", async () => {
    const m = await merchantAccount('nosy');
    const reg = await http(srv.baseUrl, 'POST', '/api/merchant/register', { token: m, body: business('91440300MA5DXXXX2Y') });
    await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: admin, body: { admit: true, reason: 'ok' } });
    const peek = await http(srv.baseUrl, 'GET', '/api/merchant/apps/ridego', { token: m });
    expect(peek.body.code).toBe('NOT_FOUND');
    const apply = await http(srv.baseUrl, 'POST', '/api/merchant/apps/ridego/applications', {
      token: m,
      body: { env: 'sandbox', items: [{ capability: 'base.storage', reason: 'keep state' }] },
    });
    expect(apply.body.code).toBe('NOT_FOUND');
  });
});

describe('capability applications', () => {
  it('applies with reasons; ops grant with a quota or refuse; grants follow', async () => {
    const m = await login(srv.baseUrl, 'merchant', 'ridego', 'ridego-pass');
    const unknown = await http(srv.baseUrl, 'POST', '/api/merchant/apps/ridego/applications', {
      token: m,
      body: { env: 'sandbox', items: [{ capability: 'base.teleport', reason: 'beam me up' }] },
    });
    expect(unknown.body.code).toBe('INVALID_PARAMS');
    const applied = await http(srv.baseUrl, 'POST', '/api/merchant/apps/ridego/applications', {
      token: m,
      body: {
        env: 'sandbox',
        items: [
          { capability: 'base.storage', reason: 'remember the last pick-up point' },
          { capability: 'member.phone', reason: 'the driver calls the rider' },
        ],
      },
    });
    expect(applied.status).toBe(201);
    const queue = await http(srv.baseUrl, 'GET', '/api/ops/applications', { token: reviewer });
    const ids = queue.body.applications.filter((a: { appId: string }) => a.appId === 'ridego').map((a: { _id: string }) => a._id);
    expect(ids).toHaveLength(2);

    const grant = await http(srv.baseUrl, 'POST', `/api/ops/applications/${encodeURIComponent('ridego|sandbox|base.storage')}/decision`, {
      token: admin,
      body: { grant: true, reason: 'fine', quota: { perMinute: 600 } },
    });
    expect(grant.body).toMatchObject({ status: 'granted', quota: { perMinute: 600 } });
    const refuse = await http(srv.baseUrl, 'POST', `/api/ops/applications/${encodeURIComponent('ridego|sandbox|member.phone')}/decision`, {
      token: admin,
      body: { grant: false, reason: 'use the in-app call relay instead' },
    });
    expect(refuse.body.status).toBe('refused');
    const again = await http(srv.baseUrl, 'POST', `/api/ops/applications/${encodeURIComponent('ridego|sandbox|member.phone')}/decision`, {
      token: admin,
      body: { grant: true, reason: 'changed my mind' },
    });
    expect(again.body.code).toBe('INVALID_STATE');

    const grants = await srv.booted.deps.grants.list('ridego', 'sandbox');
    expect(grants.map((g) => [g.capability, g.status, g.quota])).toEqual([['base.storage', 'granted', { perMinute: 600 }]]);
    const view = await http(srv.baseUrl, 'GET', '/api/merchant/apps/ridego', { token: m });
    expect(view.body.applications.find((a: { capability: string }) => a.capability === 'member.phone')).toMatchObject({
      status: 'refused',
      decisionReason: 'use the in-app call relay instead',
    });
  });
});

describe('exit and the marketplace', () => {
  it('lists live apps by category and search; suspension and delisting remove them', async () => {
    await createLiveApp(srv.booted.deps, { appId: 'cinema', name: '星光影城', capabilities: ['base.storage'] });
    await srv.booted.deps.apps.create({ merchantId: 'm', name: '草稿', category: 'tickets', appId: 'drafty' }, { kind: 'ops', id: 'x' });
    const all = await http(srv.baseUrl, 'GET', '/api/marketplace/apps', { token: alice });
    const ids = all.body.apps.map((a: { appId: string }) => a.appId);
    expect(ids).toContain('cinema');
    expect(ids).not.toContain('drafty');
    expect((await http(srv.baseUrl, 'GET', '/api/marketplace/apps?q=星光')).body.apps.map((a: { appId: string }) => a.appId)).toEqual(['cinema']);
    expect((await http(srv.baseUrl, 'GET', '/api/marketplace/apps?category=hotel')).body.apps).toEqual([]);

    const noReason = await http(srv.baseUrl, 'POST', '/api/ops/apps/cinema/suspend', { token: admin, body: {} });
    expect(noReason.body.code).toBe('INVALID_PARAMS');
    const byReviewer = await http(srv.baseUrl, 'POST', '/api/ops/apps/cinema/suspend', { token: reviewer, body: { reason: 'x' } });
    expect(byReviewer.body.code).toBe('FORBIDDEN');
    const suspended = await http(srv.baseUrl, 'POST', '/api/ops/apps/cinema/suspend', { token: admin, body: { reason: 'complaints' } });
    expect(suspended.body.app).toMatchObject({ status: 'suspended', statusReason: 'complaints' });
    expect((await http(srv.baseUrl, 'GET', '/api/marketplace/apps')).body.apps.map((a: { appId: string }) => a.appId)).not.toContain('cinema');
    expect((await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: 'cinema' } })).body.code).toBe('APP_SUSPENDED');
    await http(srv.baseUrl, 'POST', '/api/ops/apps/cinema/resume', { token: admin, body: { reason: 'resolved' } });
    expect((await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: 'cinema' } })).status).toBe(200);
    await http(srv.baseUrl, 'POST', '/api/ops/apps/cinema/delist', { token: admin, body: { reason: 'contract ended' } });
    expect((await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: 'cinema' } })).body.code).toBe('APP_NOT_LIVE');
    const back = await http(srv.baseUrl, 'POST', '/api/ops/apps/cinema/resume', { token: admin, body: { reason: 'oops' } });
    expect(back.body.code).toBe('INVALID_STATE');
    const draft = await http(srv.baseUrl, 'POST', '/api/ops/apps/drafty/suspend', { token: admin, body: { reason: 'x' } });
    expect(draft.body.code).toBe('INVALID_STATE');
  });
});

describe('audit chain', () => {
  it('records every decision and verifies; detects an altered, a deleted and an inserted entry', async () => {
    const verify = await http(srv.baseUrl, 'GET', '/api/ops/audit/verify', { token: reviewer });
    expect(verify.body.ok).toBe(true);
    expect(verify.body.entries).toBeGreaterThan(10);
    const entries = (await http(srv.baseUrl, 'GET', '/api/ops/audit?limit=500', { token: reviewer })).body.entries as { action: string; seq: number }[];
    const actions = new Set(entries.map((e) => e.action));
    for (const a of ['merchant.registered', 'merchant.admitted', 'merchant.rejected', 'capability.applied', 'grant.granted', 'capability.refused', 'app.suspended', 'app.resumed', 'app.delisted', 'app.released']) {
      expect(actions, a).toContain(a);
    }
    expect((await http(srv.baseUrl, 'GET', '/api/ops/audit', { token: alice })).body.code).toBe('FORBIDDEN');

    const col = srv.booted.deps.store.collection('audit');
    // Alter one entry's reason.
    const victim = entries[entries.length - 3]!;
    const original = await col.findOne({ seq: victim.seq });
    await col.updateOne({ seq: victim.seq }, { $set: { reason: 'nothing to see' } });
    expect(await srv.booted.deps.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: victim.seq });
    await col.updateOne({ seq: victim.seq }, { $set: { reason: original!.reason } });
    expect((await srv.booted.deps.audit.verify()).ok).toBe(true);

    // Delete one entry.
    await col.deleteOne({ seq: victim.seq });
    expect(await srv.booted.deps.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: victim.seq });
    await col.insertOne(original!);
    expect((await srv.booted.deps.audit.verify()).ok).toBe(true);

    // Delete the newest entry (head no longer matches).
    const newest = await col.findOne({}, { sort: { seq: -1 } });
    await col.deleteOne({ _id: newest!._id });
    expect((await srv.booted.deps.audit.verify()).ok).toBe(false);
    await col.insertOne(newest!);
    expect((await srv.booted.deps.audit.verify()).ok).toBe(true);
  });
});
