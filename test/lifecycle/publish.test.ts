/**
 * The whole path a merchant takes, with no database step: register, be admitted, create an app
 * (sandbox credentials at once), apply for capabilities, publish with `lily publish` over the
 * signed Open API, pass review, release to production, get production credentials, and users
 * launch it.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReview, loadCredentials, publish } from '../../cli/publish.ts';
import { LilyOpenApiError, LilyOpenClient } from '../../open-client/index.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';

const root = path.resolve(import.meta.dirname, '../..');
let srv: TestServer;
let publishedDir: string;
let credentialFile: string;

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.close());

describe('from registration to production with lily publish', () => {
  it('works end to end over HTTP and the signed Open API', async () => {
    const admin = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
    const reviewer = await login(srv.baseUrl, 'ops', 'reviewer', 'reviewer-demo');

    // 1. A merchant signs up and registers the business; ops admit it.
    await http(srv.baseUrl, 'POST', '/api/auth/register', { body: { kind: 'merchant', username: 'starlight', password: 'starlight-pass', displayName: '星光影业' } });
    const merchant = await login(srv.baseUrl, 'merchant', 'starlight', 'starlight-pass');
    const reg = await http(srv.baseUrl, 'POST', '/api/merchant/register', {
      token: merchant,
      body: { businessName: '星光影业有限公司', licenceNo: '91310000MA1STAR001', contact: { name: '王', phone: '13900000000', email: 'dev@starlight.example' } },
    });
    await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: admin, body: { admit: true, reason: 'licence verified' } });

    // 2. It creates the app and gets sandbox credentials at once (private key shown once).
    const dir = mkdtempSync(path.join(tmpdir(), 'lily-publish-'));
    cpSync(path.join(root, 'sample-miniapps/hello'), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8'));
    manifest.appId = 'com.starlight.hello';
    writeFileSync(path.join(dir, 'app.json'), JSON.stringify(manifest, null, 2));
    const created = await http(srv.baseUrl, 'POST', '/api/merchant/apps', { token: merchant, body: { appId: 'com.starlight.hello', name: '星光 Hello', category: 'tickets' } });
    expect(created.status).toBe(201);
    const creds = created.body.sandboxCredentials;
    expect(creds).toMatchObject({ appId: 'com.starlight.hello', env: 'sandbox' });
    expect(creds.privateKey).toMatch(/^[0-9a-f]{64}$/);
    const listed = await http(srv.baseUrl, 'GET', '/api/merchant/apps/com.starlight.hello/credentials', { token: merchant });
    expect(JSON.stringify(listed.body)).not.toContain(creds.privateKey);
    // No production key before the first approved production release.
    const early = await http(srv.baseUrl, 'POST', '/api/merchant/apps/com.starlight.hello/credentials/production/generate', { token: merchant, body: {} });
    expect(early.body.code).toBe('INVALID_STATE');

    // 3. It applies for the capabilities the manifest declares; ops grant them in both worlds.
    for (const env of ['sandbox', 'production']) {
      const applied = await http(srv.baseUrl, 'POST', '/api/merchant/apps/com.starlight.hello/applications', {
        token: merchant,
        body: { env, items: manifest.capabilities.map((c: { id: string; reason: string }) => ({ capability: c.id, reason: c.reason })) },
      });
      for (const a of applied.body.applications) {
        await http(srv.baseUrl, 'POST', `/api/ops/applications/${encodeURIComponent(a._id)}/decision`, { token: admin, body: { grant: true, reason: 'ok' } });
      }
    }

    // 4. lily publish: pack and upload over the signed Open API with the sandbox key.
    const credFile = path.join(dir, 'credentials.json');
    publishedDir = dir;
    credentialFile = credFile;
    writeFileSync(credFile, JSON.stringify(created.body));
    const credentials = await loadCredentials(credFile);
    const published = await publish(dir, srv.baseUrl, credentials);
    expect(published).toMatchObject({ appId: 'com.starlight.hello', version: '1.0.0', status: 'pending_review' });
    expect(published.report.passed).toBe(true);
    expect(describeReview(published)).toMatch(/review passed/);
    // The same upload again (a new Idempotency-Key) is refused: versions only go up.
    await expect(publish(dir, srv.baseUrl, credentials)).rejects.toMatchObject({ code: 'DUPLICATE' });

    // The review status can be followed over the Open API too.
    const client = new LilyOpenClient({ baseUrl: srv.baseUrl, appId: creds.appId, serialNo: creds.serialNo, privateKey: creds.privateKey, bankPublicKey: creds.bank.publicKey });
    expect(await client.get('/open/v1/apps/com.starlight.hello/versions/1.0.0')).toMatchObject({ status: 'pending_review' });
    // Another app's id in the path is refused.
    await expect(client.get('/open/v1/apps/com.other.app/versions/1.0.0')).rejects.toBeInstanceOf(LilyOpenApiError);

    // 5. Ops approve; the merchant releases to production.
    const approved = await http(srv.baseUrl, 'POST', '/api/ops/versions/com.starlight.hello@1.0.0/decision', { token: reviewer, body: { approve: true, reason: 'looks good' } });
    expect(approved.body.version.status).toBe('approved');
    const released = await http(srv.baseUrl, 'POST', '/api/merchant/apps/com.starlight.hello/releases', { token: merchant, body: { version: '1.0.0' } });
    expect(released.body.production).toBe('1.0.0');

    // 6. Production credentials now exist on request; users see and open the app.
    const prod = await http(srv.baseUrl, 'POST', '/api/merchant/apps/com.starlight.hello/credentials/production/generate', { token: merchant, body: {} });
    expect(prod.status).toBeLessThan(300);
    const alice = await login(srv.baseUrl, 'user', 'alice', 'alice-demo');
    const market = await http(srv.baseUrl, 'GET', '/api/marketplace/apps?q=星光', { token: alice });
    expect(market.body.apps.map((a: { appId: string }) => a.appId)).toContain('com.starlight.hello');
    const launch = await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: 'com.starlight.hello' } });
    expect(launch.body).toMatchObject({ version: '1.0.0', trial: false });

    // Every decision is in the audit chain, and the chain verifies.
    const verify = await http(srv.baseUrl, 'GET', '/api/ops/audit/verify', { token: reviewer });
    expect(verify.body.ok).toBe(true);
  }, 120_000);

  it('publishes the next version with the lily command, exactly as a merchant types it', async () => {
    const manifestFile = path.join(publishedDir, 'app.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, version: '1.0.1' }, null, 2));
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(root, 'bin/lily.mjs'), ...args], { cwd: root, env: { ...process.env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const ok = await run(['publish', publishedDir, '--server', srv.baseUrl, '--credentials', credentialFile]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('com.starlight.hello 1.0.1: pending_review (review passed)');
    const again = await run(['publish', publishedDir, '--server', srv.baseUrl, '--credentials', credentialFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/DUPLICATE/);
    const noServer = await run(['publish', publishedDir]);
    expect(noServer.code).toBe(2);
  }, 120_000);
});
