/**
 * `lily merchant …`, `lily app …` and `lily publish` against a Lily server in this process: what
 * they do, and how each goes wrong (wrong password, name taken, not yet admitted, unknown app or
 * user, server unreachable, no session, expired session, bad usage) with a message that says
 * what to do and a non-zero exit status.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, login, startTestServer, type TestServer } from '../test/helpers/server.ts';
import { init } from './init.ts';
import { main } from './lily.ts';

const APP_ID = 'com.clitest.app';
let srv: TestServer;
let work: string;
let project: string;
let deadServer: string;

/** Runs `lily …` in `cwd` and collects what it prints. */
async function lily(cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (chunk, _enc, done) => (add(String(chunk)), done()) });
  const code = await main(argv, { stdin: Readable.from([]), stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env, cwd });
  return { code, stdout, stderr };
}

const signup = (cwd: string, username: string, password: string, licence = '91310000MA1CLITST1') =>
  lily(cwd, ['merchant', 'signup', '--server', srv.baseUrl, '--username', username, '--password', password, '--business', 'CLI Test Co.', '--licence', licence, '--contact', 'Li Lei', '--phone', '13900000001', '--email', 'dev@clitest.example']);

async function admit(business: string) {
  const admin = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
  const pending = await http(srv.baseUrl, 'GET', '/api/ops/merchants?status=pending', { token: admin });
  const m = pending.body.merchants.find((x: { businessName: string }) => x.businessName === business);
  await http(srv.baseUrl, 'POST', `/api/ops/merchants/${m.id}/decision`, { token: admin, body: { admit: true, reason: 'ok' } });
}

beforeAll(async () => {
  srv = await startTestServer();
  work = mkdtempSync(path.join(tmpdir(), 'lily-cli-'));
  project = path.join(work, 'shop');
  init({ folder: project, appId: APP_ID, name: 'CLI Test' });
  // A port nobody listens on.
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  deadServer = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  await new Promise<void>((resolve) => s.close(() => resolve()));
});
afterAll(async () => {
  await srv?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('lily merchant and lily app', () => {
  it('refuse wrong usage with exit status 2', async () => {
    const missing = await lily(project, ['merchant', 'signup', '--server', srv.baseUrl, '--username', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs --business <…> --licence <…> --contact <…> --phone <…> --email <…>');
    const noServer = await lily(project, ['merchant', 'login', '--username', 'x', '--password', 'y']);
    expect(noServer).toMatchObject({ code: 2, stderr: expect.stringContaining('give --server <url>') });
    const badServer = await lily(project, ['merchant', 'login', '--server', 'localhost:3000', '--username', 'x', '--password', 'y']);
    expect(badServer).toMatchObject({ code: 2, stderr: expect.stringContaining('localhost:3000 is not an http(s) URL') });
    const noPassword = await lily(project, ['merchant', 'login', '--server', srv.baseUrl, '--username', 'x']);
    expect(noPassword).toMatchObject({ code: 2, stderr: expect.stringContaining('give --password') });
    expect((await lily(project, ['merchant', 'dance'])).code).toBe(2);
    expect((await lily(project, ['app'])).code).toBe(2);
    const noApp = await lily(work, ['app', 'status']);
    expect(noApp).toMatchObject({ code: 2, stderr: expect.stringContaining('no app.json in') });
  });

  it('say when the server cannot be reached', async () => {
    const r = await lily(project, ['merchant', 'login', '--server', deadServer, '--username', 'x', '--password', 'y']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the Lily server at ${deadServer} (ECONNREFUSED)`);
  });

  it('need a session for app commands', async () => {
    const r = await lily(project, ['app', 'status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not logged in here');
  });

  it('sign up (and go on after a refused business), log in, and refuse a wrong password or a taken name', async () => {
    const bad = await signup(project, 'cli-merchant', 'cli-merchant-pass', 'TOO-SHORT');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('merchant account cli-merchant created');
    expect(bad.stderr).toMatch(/INVALID_PARAMS[\s\S]*licenceNo/);
    // Signing up again with the details fixed goes on with the same account.
    const ok = await signup(project, 'cli-merchant', 'cli-merchant-pass');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('merchant account cli-merchant exists');
    expect(ok.stdout).toContain('business "CLI Test Co." is pending');
    const session = path.join(project, '.lily', 'session.json');
    expect(statSync(session).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(session)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(session, 'utf8'))).toMatchObject({ server: srv.baseUrl, username: 'cli-merchant' });

    const taken = await signup(work, 'cli-merchant', 'somebody-else');
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringContaining('the username cli-merchant is taken') });
    const wrong = await lily(work, ['merchant', 'login', '--server', srv.baseUrl, '--username', 'cli-merchant', '--password', 'wrong-password']);
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringContaining('wrong username or password for merchant cli-merchant') });
    const fromEnv = await lily(project, ['merchant', 'login', '--server', srv.baseUrl, '--username', 'cli-merchant'], { LILY_PASSWORD: 'cli-merchant-pass' });
    expect(fromEnv.code).toBe(0);
  });

  it('refuse to create an app before the bank admits the business', async () => {
    const r = await lily(project, ['app', 'create']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Your business is pending; apps can be created once it is admitted.');
    expect((await lily(project, ['merchant', 'status'])).stdout).toContain('is pending');
  });

  it('create the app once, apply, name testers and the webhook, and show its status', async () => {
    await admit('CLI Test Co.');
    expect((await lily(project, ['merchant', 'status'])).stdout).toContain('is admitted');
    const created = await lily(project, ['app', 'create']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const file = path.join(project, '.lily', 'sandbox.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(readFileSync(file, 'utf8'));
    expect(creds).toMatchObject({ appId: APP_ID, env: 'sandbox', server: srv.baseUrl, bank: { publicKey: srv.booted.deps.bankKeys.publicKey } });
    expect(creds.privateKey).toMatch(/^[0-9a-f]{64}$/);
    const again = await lily(project, ['app', 'create']);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining(`.lily/sandbox.json already holds the sandbox key of ${APP_ID}`) });

    const undeclared = await lily(project, ['app', 'apply', 'payment.deposit']);
    expect(undeclared).toMatchObject({ code: 2, stderr: expect.stringContaining('app.json does not declare payment.deposit') });
    expect((await lily(project, ['app', 'apply', '--env', 'moon'])).code).toBe(2);
    const applied = await lily(project, ['app', 'apply', 'payment.cashier']);
    expect(applied).toMatchObject({ code: 0, stdout: expect.stringContaining('applied in the sandbox for payment.cashier') });

    const nobody = await lily(project, ['app', 'testers', 'alice', 'nobody-here']);
    expect(nobody).toMatchObject({ code: 1, stderr: expect.stringContaining('No bank-app user nobody-here.') });
    expect((await lily(project, ['app', 'testers'])).code).toBe(2);
    expect((await lily(project, ['app', 'testers', 'alice'])).stdout).toContain(`they open it at ${srv.baseUrl}/apps/${APP_ID}?env=sandbox`);
    const badHook = await lily(project, ['app', 'webhook', 'ftp://example.com/hook']);
    expect(badHook).toMatchObject({ code: 1, stderr: expect.stringContaining('INVALID_PARAMS') });
    expect((await lily(project, ['app', 'webhook', 'https://shop.example/lily/webhook'])).code).toBe(0);

    const status = await lily(project, ['app', 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${APP_ID} "CLI Test": draft`);
    expect(status.stdout).toMatch(/sandbox\s+payment\.cashier\s+pending/);
    expect(status.stdout).toContain('versions: none uploaded (lily publish)');
    const app = await srv.booted.deps.apps.get(APP_ID);
    expect(app.webhookUrl).toBe('https://shop.example/lily/webhook');
  });

  it('say NOT_FOUND for an app that is not the merchant’s, or a version never uploaded', async () => {
    const unknown = await lily(project, ['app', 'status', '--app-id', 'com.nobody.app']);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('No app com.nobody.app. (NOT_FOUND)') });
    const release = await lily(project, ['app', 'release', '9.9.9']);
    expect(release.code).toBe(1);
    expect(release.stderr).toContain('NOT_FOUND');
    expect((await lily(project, ['app', 'release', '1.0.0', '--percent', '0'])).code).toBe(2);
  });

  it('publish with what app create saved, and say when the server is down', async () => {
    const ok = await lily(project, ['publish']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${APP_ID} 1.0.0: pending_review (review passed)`);
    expect(ok.stdout).toContain(`live in the sandbox for the app's testers: ${srv.baseUrl}/apps/${APP_ID}?env=sandbox`);
    const early = await lily(project, ['app', 'release', '1.0.0']);
    expect(early).toMatchObject({ code: 1, stderr: expect.stringContaining('Version 1.0.0 is pending_review; only approved versions can be released. (INVALID_STATE)') });
    const down = await lily(project, ['publish', '--server', deadServer]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach the Lily server');
    const elsewhere = await lily(work, ['publish']);
    expect(elsewhere).toMatchObject({ code: 2, stderr: expect.stringContaining('lily publish needs --server') });
  });

  it('say when the session has ended', async () => {
    const file = path.join(project, '.lily', 'session.json');
    const session = JSON.parse(readFileSync(file, 'utf8'));
    await http(srv.baseUrl, 'POST', '/api/auth/logout', { token: session.token });
    const r = await lily(project, ['app', 'status']);
    expect(r).toMatchObject({ code: 1, stderr: expect.stringContaining('your session has expired or was ended: run `lily merchant login`') });
    writeFileSync(file, '{ not json');
    expect((await lily(project, ['merchant', 'status'])).stderr).toContain('cannot read');
  });
});
