/**
 * Test helpers: a whole Lily server in-process on an ephemeral port, with its own data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { boot, type Booted } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';

/** A running test server. */
export interface TestServer {
  baseUrl: string;
  booted: Booted;
  dataDir: string;
  close(): Promise<void>;
}

/** Boots Lily on 127.0.0.1 with a fresh data dir (or the given one) and a cheap scrypt cost. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = env.LILY_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'lily-test-'));
  const config = loadConfig({ LILY_SCRYPT_COST: '1024', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', LILY_CRYPTO_THREADS: '0', ...env, LILY_DATA_DIR: dataDir });
  const booted = await boot(config, createLogger(config.logLevel));
  await new Promise<void>((resolve) => booted.lily.server.listen(0, '127.0.0.1', resolve));
  const { port } = booted.lily.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    booted,
    dataDir,
    async close() {
      await booted.close();
      if (env.LILY_DATA_DIR === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON request helper returning status, headers and parsed body. */
export async function http(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

/** Logs in and returns the bearer token. */
export async function login(baseUrl: string, kind: 'user' | 'merchant' | 'ops', username: string, password: string): Promise<string> {
  const res = await http(baseUrl, 'POST', '/api/auth/login', { body: { kind, username, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}
