/**
 * The server as a real process: starts on an empty data dir, survives kill -9 with its data, and
 * refuses bad configuration with one line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { http, login } from '../helpers/server.ts';

const root = path.resolve(import.meta.dirname, '../..');
const main = path.join(root, 'server/main.ts');
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function startProcess(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--demo'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', LILY_SCRYPT_COST: '1024', HOST: '127.0.0.1', LILY_DEMO_BASE_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

async function waitHealthy(baseUrl: string, child: ChildProcess, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become healthy');
}

describe('server process', () => {
  it('starts on an empty data dir within 30 s, and keeps all data across kill -9', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lily-proc-'));
    dirs.push(dataDir);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), LILY_DATA_DIR: dataDir };

    const first = startProcess(env);
    let stdout = '';
    first.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const ms = await waitHealthy(baseUrl, first);
    expect(ms).toBeLessThan(30_000);
    expect((await http(baseUrl, 'GET', '/readyz')).status).toBe(200);

    const reg = await http(baseUrl, 'POST', '/api/auth/register', { body: { kind: 'user', username: 'survivor', password: 'survivor-pass' } });
    expect(reg.status).toBe(201);
    const token = await login(baseUrl, 'user', 'survivor', 'survivor-pass');
    const keyBefore = (await http(baseUrl, 'GET', '/api/bank/public-key')).body.publicKey;
    // How to log in is printed for a person.
    for (let i = 0; i < 50 && !stdout.includes('Demo accounts'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(stdout).toContain('alice');

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = startProcess(env);
    await waitHealthy(baseUrl, second);
    // The account, the session and the bank key all survived.
    await expect(login(baseUrl, 'user', 'survivor', 'survivor-pass')).resolves.toBeTruthy();
    expect((await http(baseUrl, 'GET', '/api/auth/me', { token })).body.principal.username).toBe('survivor');
    expect((await http(baseUrl, 'GET', '/api/bank/public-key')).body.publicKey).toBe(keyBefore);
    const key = JSON.parse(readFileSync(path.join(dataDir, 'keys/bank-sm2.json'), 'utf8'));
    expect(key.publicKey).toBe(keyBefore);
    second.kill('SIGTERM');
    const code = await new Promise((r) => second.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  }, 90_000);

  it.each([
    [{ PORT: 'abc' }, 'lily: PORT must be a whole number, got "abc"'],
    [{ LOG_LEVEL: 'shouty' }, 'lily: LOG_LEVEL must be one of'],
  ])('exits with a one-line reason for %o', (env, line) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lily-bad-'));
    dirs.push(dataDir);
    const res = spawnSync(process.execPath, ['--import', 'tsx', main], {
      cwd: root,
      env: { ...process.env, LILY_DATA_DIR: dataDir, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.status).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(line);
  });

  it('exits with a one-line reason when the data dir cannot be used', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lily-bad-'));
    dirs.push(dataDir);
    const file = path.join(dataDir, 'not-a-dir');
    writeFileSync(file, 'x');
    const res = spawnSync(process.execPath, ['--import', 'tsx', main], {
      cwd: root,
      env: { ...process.env, LILY_DATA_DIR: path.join(file, 'data') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^lily: LILY_DATA_DIR .* cannot be created/);
  });

  it('exits with a one-line reason when the port is taken', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lily-bad-'));
    dirs.push(dataDir);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const child = startProcess({ PORT: String(port), LILY_DATA_DIR: dataDir, LILY_SEED: 'false' });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    blocker.close();
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`lily: port ${port} is already in use; set PORT to a free port`);
  }, 60_000);
});
