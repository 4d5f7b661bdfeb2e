/**
 * From package to production: upload with automated review and capability diff, sandbox trial
 * for named testers, ops review, full and grayscale release, automatic and manual rollback, and
 * launch-time verification that refuses a tampered package or release record.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../runtime/crypto/sm.ts';
import { HeadlessHost } from '../../runtime/headless/index.ts';
import { serializePackage, type LilyPackage } from '../../runtime/package/format.ts';
import { pack } from '../../runtime/package/pack.ts';
import { verifyLaunch } from '../../runtime/package/release.ts';
import { rolloutBucket } from '../../server/apps/apps.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';

const APP = 'com.lily.hello';
const root = path.resolve(import.meta.dirname, '../..');
let srv: TestServer;
let admin: string;
let reviewer: string;
let merchant: string;
let alice: string;
let bob: string;

/** Packs a copy of the hello sample with a given version and extra capabilities. */
async function packHello(
  version: string,
  extraCapabilities: { id: string; reason: string }[] = [],
  script?: (s: string) => string,
  source?: (s: string) => string,
): Promise<LilyPackage> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lily-hello-'));
  cpSync(path.join(root, 'sample-miniapps/hello'), dir, { recursive: true });
  if (source) {
    const file = path.join(dir, 'pages/index/index.js');
    writeFileSync(file, source(readFileSync(file, 'utf8')));
  }
  const manifest = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8'));
  manifest.version = version;
  manifest.capabilities.push(...extraCapabilities);
  writeFileSync(path.join(dir, 'app.json'), JSON.stringify(manifest));
  const { pkg } = await pack(dir);
  return script ? { ...pkg, script: script(pkg.script) } : pkg;
}

async function upload(pkg: LilyPackage | string, token = merchant) {
  const body = typeof pkg === 'string' ? pkg : serializePackage(pkg);
  const res = await fetch(`${srv.baseUrl}/api/merchant/apps/${APP}/versions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.lily.package+json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  srv = await startTestServer();
  admin = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
  reviewer = await login(srv.baseUrl, 'ops', 'reviewer', 'reviewer-demo');
  alice = await login(srv.baseUrl, 'user', 'alice', 'alice-demo');
  bob = await login(srv.baseUrl, 'user', 'bob', 'bob-demo-1');
  merchant = await login(srv.baseUrl, 'merchant', 'merchant', 'merchant-demo');
  const reg = await http(srv.baseUrl, 'POST', '/api/merchant/register', {
    token: merchant,
    body: { businessName: 'Hello Studio', licenceNo: '91310000MA1HELLO01', contact: { name: 'Li', phone: '13800000000', email: 'li@hello.example' } },
  });
  await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: admin, body: { admit: true, reason: 'ok' } });
  const app = await http(srv.baseUrl, 'POST', '/api/merchant/apps', { token: merchant, body: { appId: APP, name: 'Hello Lily', category: 'tools' } });
  expect(app.status).toBe(201);
  for (const env of ['sandbox', 'production'] as const) {
    for (const capability of ['base.ui', 'base.navigate', 'base.system']) {
      await srv.booted.deps.grants.grant({ appId: APP, env, capability }, { kind: 'ops', id: 'ops-test' });
    }
  }
}, 60_000);
afterAll(() => srv.close());

describe('upload and automated review', () => {
  it('refuses broken packages with a clear code and stores nothing', async () => {
    const pkg = await packHello('0.9.0');
    const tampered = await upload({ ...pkg, script: pkg.script + '\n;globalThis.x=1;' });
    expect(tampered.status).toBe(422);
    expect(tampered.body.code).toBe('PACKAGE_TAMPERED');
    expect((await upload('not json at all')).body.code).toBe('PACKAGE_INVALID');
    const otherApp = await upload({ ...pkg, manifest: { ...pkg.manifest, appId: 'com.other.app' } });
    expect(otherApp.body.code).toBe('PACKAGE_TAMPERED'); // the digest covers the manifest
    const foreign = await upload(await packHello('0.9.0'), await login(srv.baseUrl, 'merchant', 'merchant', 'merchant-demo').then(async () => {
      await http(srv.baseUrl, 'POST', '/api/auth/register', { body: { kind: 'merchant', username: 'intruder', password: 'intruder-pass' } });
      return login(srv.baseUrl, 'merchant', 'intruder', 'intruder-pass');
    }));
    expect(foreign.body.code).toBe('FORBIDDEN');
    expect((await http(srv.baseUrl, 'GET', `/api/merchant/apps/${APP}/versions`, { token: merchant })).body.versions).toEqual([]);
  });

  it('uploads 1.0.0: review passes, smoke launch renders, diff against nothing, sandbox trial at once', async () => {
    const res = await upload(await packHello('1.0.0'));
    expect(res.status).toBe(201);
    const v = res.body.version;
    expect(v).toMatchObject({ id: `${APP}@1.0.0`, status: 'pending_review' });
    expect(v.report.passed).toBe(true);
    expect(v.report.smoke).toMatchObject({ ok: true, error: null });
    expect(v.report.smoke.nodes).toBeGreaterThan(2);
    expect(v.report.diff).toMatchObject({ base: null, addedCapabilities: ['base.navigate', 'base.system', 'base.ui'] });
    expect(v.report.declared).toEqual(['base.navigate', 'base.system', 'base.ui']);
    expect(v.report.undeclared).toEqual([]);

    const again = await upload(await packHello('1.0.0'));
    expect(again.body.code).toBe('DUPLICATE');
    const older = await upload(await packHello('0.9.9'));
    expect(older.body.code).toBe('DUPLICATE');

    // Sandbox trial: only named testers.
    expect((await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: APP, env: 'sandbox' } })).body.code).toBe('APP_NOT_LIVE');
    const testers = await http(srv.baseUrl, 'PUT', `/api/merchant/apps/${APP}/testers`, { token: merchant, body: { usernames: ['alice'] } });
    expect(testers.status).toBe(200);
    const trial = await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: APP, env: 'sandbox' } });
    expect(trial.body).toMatchObject({ trial: true, version: '1.0.0', env: 'sandbox' });
    expect((await http(srv.baseUrl, 'POST', '/api/launch', { token: bob, body: { appId: APP, env: 'sandbox' } })).body.code).toBe('APP_NOT_LIVE');
    // Not in production until approved and released.
    expect((await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: APP } })).body.code).toBe('APP_NOT_LIVE');
  }, 60_000);

  it('flags capabilities used but not declared, and fails the review', async () => {
    const res = await upload(
      await packHello('1.0.1', [], undefined, (src) =>
        src.replace('async save() {', 'async save() {\n    await lily.payment.cashier.requestPayment({ prepayId: "pp_1" });'),
      ),
    );
    expect(res.status).toBe(201);
    expect(res.body.version.report.used.scanned).toContain('payment.cashier');
    expect(res.body.version.report.undeclared).toEqual(['payment.cashier']);
    expect(res.body.version.report.passed).toBe(false);
    expect(res.body.version.report.checks.find((c: { id: string }) => c.id === 'declared')).toMatchObject({ ok: false });
    await http(srv.baseUrl, 'POST', `/api/ops/versions/${APP}@1.0.1/decision`, { token: reviewer, body: { approve: false, reason: 'undeclared payment use' } });
  });

  it('fails the smoke launch of a package that crashes at launch', async () => {
    const res = await upload(await packHello('1.0.3', [], undefined, (src) => `throw new Error('boom at launch');\n${src}`));
    expect(res.status).toBe(201);
    expect(res.body.version.report.smoke.ok).toBe(false);
    expect(res.body.version.report.smoke.error.code).toMatch(/SANDBOX_/);
    expect(res.body.version.report.passed).toBe(false);
    await http(srv.baseUrl, 'POST', `/api/ops/versions/${APP}@1.0.3/decision`, { token: reviewer, body: { approve: false, reason: 'crashes' } });
  });
});

describe('ops review and release', () => {
  it('shows the queue with report and diff; only ops decide; approval then full release', async () => {
    const queue = await http(srv.baseUrl, 'GET', '/api/ops/reviews', { token: reviewer });
    const item = queue.body.versions.find((v: { id: string }) => v.id === `${APP}@1.0.0`);
    expect(item.report.diff.addedCapabilities).toHaveLength(3);
    expect((await http(srv.baseUrl, 'POST', `/api/merchant/apps/${APP}/releases`, { token: merchant, body: { version: '1.0.0' } })).body.code).toBe(
      'INVALID_STATE',
    );
    expect((await http(srv.baseUrl, 'POST', `/api/ops/versions/${APP}@1.0.0/decision`, { token: merchant, body: { approve: true, reason: 'me' } })).body.code).toBe(
      'FORBIDDEN',
    );
    const approved = await http(srv.baseUrl, 'POST', `/api/ops/versions/${APP}@1.0.0/decision`, { token: reviewer, body: { approve: true, reason: 'clean' } });
    expect(approved.body.version.status).toBe('approved');
    const twice = await http(srv.baseUrl, 'POST', `/api/ops/versions/${APP}@1.0.0/decision`, { token: reviewer, body: { approve: false, reason: 'x' } });
    expect(twice.body.code).toBe('INVALID_STATE');
    const released = await http(srv.baseUrl, 'POST', `/api/merchant/apps/${APP}/releases`, { token: merchant, body: { version: '1.0.0', percent: 30 } });
    // The first production release goes to everyone whatever the percentage.
    expect(released.body).toMatchObject({ production: '1.0.0', rollout: null });
    const launch = await http(srv.baseUrl, 'POST', '/api/launch', { token: bob, body: { appId: APP } });
    expect(launch.body).toMatchObject({ version: '1.0.0', trial: false });
    expect(launch.body.release.record.grantedCapabilities).toEqual(['base.navigate', 'base.system', 'base.ui']);
  });

  it('rejects with a reason', async () => {
    const up = await upload(await packHello('1.0.4'));
    const rejected = await http(srv.baseUrl, 'POST', `/api/ops/versions/${APP}@1.0.4/decision`, { token: reviewer, body: { approve: false, reason: 'crashes on about page' } });
    expect(rejected.body.version).toMatchObject({ status: 'rejected', decision: { reason: 'crashes on about page' } });
    expect(up.status).toBe(201);
    expect((await http(srv.baseUrl, 'POST', `/api/merchant/apps/${APP}/releases`, { token: merchant, body: { version: '1.0.4' } })).body.code).toBe('INVALID_STATE');
  });

  it('shows the capability diff of a new version and rolls it out to a stable share of users', async () => {
    const up = await upload(await packHello('1.1.0', [{ id: 'base.storage', reason: 'remember the counter' }]));
    expect(up.body.version.report.diff).toMatchObject({ base: '1.0.0', addedCapabilities: ['base.storage'], removedCapabilities: [] });
    expect(up.body.version.report.unused).toContain('base.storage');
    await http(srv.baseUrl, 'POST', `/api/ops/versions/${APP}@1.1.0/decision`, { token: reviewer, body: { approve: true, reason: 'ok' } });
    const percent = 50;
    const rollout = await http(srv.baseUrl, 'POST', `/api/merchant/apps/${APP}/releases`, { token: merchant, body: { version: '1.1.0', percent } });
    expect(rollout.body).toMatchObject({ production: '1.0.0', rollout: { version: '1.1.0', percent } });

    // Every user lands on the side their stable bucket says, every time.
    const users: { token: string; id: string }[] = [];
    for (let i = 0; i < 12; i++) {
      await http(srv.baseUrl, 'POST', '/api/auth/register', { body: { kind: 'user', username: `gray${i}`, password: 'gray-password' } });
      const token = await login(srv.baseUrl, 'user', `gray${i}`, 'gray-password');
      users.push({ token, id: (await http(srv.baseUrl, 'GET', '/api/auth/me', { token })).body.principal.id });
    }
    const seen = new Set<string>();
    for (const u of users) {
      const expected = rolloutBucket(u.id, APP) < percent ? '1.1.0' : '1.0.0';
      for (let k = 0; k < 2; k++) {
        const l = await http(srv.baseUrl, 'POST', '/api/launch', { token: u.token, body: { appId: APP } });
        expect(l.body.version).toBe(expected);
        seen.add(l.body.version);
      }
    }
    expect(rolloutBucket('any-user', APP)).toBeGreaterThanOrEqual(0);
    expect(rolloutBucket('any-user', APP)).toBeLessThan(100);
    // With 12 users at 50 % both sides are (almost surely) seen; the buckets are deterministic.
    expect(seen.size).toBe(2);
  }, 60_000);

  it('rolls a failing grayscale back automatically', async () => {
    const versions = srv.booted.deps.versions;
    for (let i = 0; i < 25; i++) await versions.report(APP, '1.1.0', 'launch');
    // A launch token of the candidate, from a user in its bucket.
    let token: string | undefined;
    for (let i = 0; i < 12 && !token; i++) {
      const t = await login(srv.baseUrl, 'user', `gray${i}`, 'gray-password');
      const l = await http(srv.baseUrl, 'POST', '/api/launch', { token: t, body: { appId: APP } });
      if (l.body.version === '1.1.0') token = t + '|' + l.body.launchToken;
    }
    const [userToken, launchToken] = token!.split('|') as [string, string];
    let rolledBack = false;
    for (let i = 0; i < 10 && !rolledBack; i++) {
      const r = await http(srv.baseUrl, 'POST', '/api/launch/report', { token: userToken, body: { launchToken, kind: 'crash' } });
      expect(r.status).toBe(200);
      rolledBack = r.body.rolledBack;
    }
    expect(rolledBack).toBe(true);
    const app = await srv.booted.deps.apps.get(APP);
    expect(app.rollout).toBeNull();
    expect(app.releases.production?.version).toBe('1.0.0');
    const audit = await srv.booted.deps.audit.list({ action: 'release.rolled_back', targetId: APP });
    expect(audit[0]).toMatchObject({ data: { from: '1.1.0', to: '1.0.0', automatic: true } });
    // The candidate's open instances are refused from now on.
    const call = await http(srv.baseUrl, 'POST', '/api/launch/refresh', { token: userToken, body: { launchToken } });
    expect(call.body.code).toBe('LAUNCH_TOKEN_INVALID');
    // A report from someone else's launch is refused.
    expect((await http(srv.baseUrl, 'POST', '/api/launch/report', { token: alice, body: { launchToken, kind: 'crash' } })).body.code).toBe('LAUNCH_TOKEN_INVALID');
  });

  it('releases to everyone and rolls back by hand', async () => {
    const full = await http(srv.baseUrl, 'POST', `/api/merchant/apps/${APP}/releases`, { token: merchant, body: { version: '1.1.0', percent: 100 } });
    expect(full.body).toMatchObject({ production: '1.1.0', rollout: null });
    expect((await http(srv.baseUrl, 'POST', '/api/launch', { token: bob, body: { appId: APP } })).body.version).toBe('1.1.0');
    const back = await http(srv.baseUrl, 'POST', `/api/merchant/apps/${APP}/rollback`, { token: merchant, body: { reason: 'support tickets' } });
    expect(back.body.production).toBe('1.0.0');
    expect((await http(srv.baseUrl, 'POST', '/api/launch', { token: bob, body: { appId: APP } })).body.version).toBe('1.0.0');
    const nothing = await http(srv.baseUrl, 'POST', `/api/merchant/apps/${APP}/rollback`, { token: merchant, body: { reason: 'again' } });
    expect(nothing.body.code).toBe('INVALID_STATE');
  });
});

describe('launch verification in the host', () => {
  it('runs the released package, and refuses a tampered package or release record before running a byte', async () => {
    const launch = (await http(srv.baseUrl, 'POST', '/api/launch', { token: bob, body: { appId: APP } })).body;
    const pkgText = await (await fetch(srv.baseUrl + launch.package.url, { headers: { authorization: `Bearer ${bob}` } })).text();
    const bankKey = launch.bank.publicKey as string;
    const pkg = JSON.parse(pkgText);

    const ok = verifyLaunch(pkg, launch.release, bankKey);
    expect(ok.record.version).toBe('1.0.0');
    const host = await HeadlessHost.create({ bankPublicKey: bankKey });
    const app = await host.open(pkg);
    expect(app.text()).toContain('Hello');
    app.close();

    const grantsAdded = { ...launch.release, record: { ...launch.release.record, grantedCapabilities: [...launch.release.record.grantedCapabilities, 'payment.cashier'] } };
    expect(() => verifyLaunch(pkg, grantsAdded, bankKey)).toThrow(expect.objectContaining({ code: 'PACKAGE_TAMPERED' }));
    const otherDigest = { ...launch.release, record: { ...launch.release.record, packageDigest: '0'.repeat(64) } };
    expect(() => verifyLaunch(pkg, otherDigest, bankKey)).toThrow(expect.objectContaining({ code: 'PACKAGE_TAMPERED' }));
    const altered = { ...pkg, script: pkg.script.replace('Hello', 'Pwned') };
    expect(() => verifyLaunch(altered, launch.release, bankKey)).toThrow(expect.objectContaining({ code: 'PACKAGE_TAMPERED' }));
    await expect(host.open(altered)).rejects.toMatchObject({ code: 'PACKAGE_TAMPERED' });
    // A package signed by someone else than the bank.
    const { signature: _sig, ...unsigned } = pkg;
    await expect(host.open(unsigned)).rejects.toMatchObject({ code: 'PACKAGE_TAMPERED' });
    expect(utf8(pkgText).length).toBeGreaterThan(100);
  });
});
