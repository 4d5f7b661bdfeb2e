import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isSpaRoute, staticRoutes } from './static.ts';

let dir: string;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lily-static-'));
  const app = express();
  app.use(staticRoutes(dir));
  app.use((_req, res) => {
    res.status(404).json({ code: 'ROUTE_NOT_FOUND' });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((r) => server.close(() => r()));
});

afterAll(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

describe('staticRoutes', () => {
  it('answers 503 with what to run while there is no build, and serves the build once it exists', async () => {
    const before = await fetch(`${base}/`);
    expect(before.status).toBe(503);
    expect(await before.text()).toContain('npm run build:host');
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(path.join(dir, 'assets/index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'favicon.svg'), '<svg/>');
    const after = await fetch(`${base}/`);
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('<div id="app">');
  });

  it('falls back to index.html for the four faces, with the CSP and no caching', async () => {
    for (const p of ['/', '/me', '/apps/com.lily.hello', '/merchant', '/merchant/apps/x', '/ops/audit', '/developers/capabilities/payment.cashier']) {
      const res = await fetch(base + p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
  });

  it('caches hashed assets for a year and gives scripts the same policy (workers take it from there)', async () => {
    const res = await fetch(`${base}/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const direct = await fetch(`${base}/index.html`);
    expect(direct.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await fetch(`${base}/favicon.svg`)).status).toBe(200);
  });

  it('lets everything else fall through', async () => {
    for (const p of ['/api/auth/me', '/open/v1/ping', '/healthz', '/assets/missing.js', '/merchantx', '/.build-hash']) {
      expect((await fetch(base + p)).status, p).toBe(404);
    }
    expect(isSpaRoute('/apps')).toBe(true);
    expect(isSpaRoute('/api')).toBe(false);
    expect(isSpaRoute('/developersx')).toBe(false);
  });
});
