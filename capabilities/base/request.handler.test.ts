import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LilyError } from '../../protocol/errors.ts';
import type { Store } from '../../server/store/types.ts';
import type { CapabilityConfig, CapabilityContext } from '../context.ts';
import { createServerRegistry } from '../handlers.ts';
import { testContext } from '../testing/context.ts';
import { isPublicAddress, parseIPv6 } from './ip.ts';
import { domainAllowed } from './request.handler.ts';

// The proxy never touches the store.
const store = {} as Store;
let server: http.Server;
let port: number;
let hits: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
let release: (() => void)[] = [];

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    hits.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    const url = new URL(req.url!, 'http://x');
    switch (url.pathname) {
      case '/json':
        res.setHeader('Set-Cookie', 'sid=secret');
        res.setHeader('X-Trace', 'abc');
        return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ fare: 8650, n: '上海' }));
      case '/echo':
        return res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ method: req.method, type: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }));
      case '/text':
        return res.writeHead(404, { 'Content-Type': 'text/plain' }).end('{not json');
      case '/same':
        return res.writeHead(302, { Location: '/json' }).end();
      case '/see-other':
        return res.writeHead(303, { Location: `/echo` }).end();
      case '/other':
        return res.writeHead(302, { Location: `http://127.0.0.1:${port}/json` }).end();
      case '/loop':
        return res.writeHead(307, { Location: '/loop' }).end();
      case '/big':
        return res.writeHead(200, { 'Content-Length': 4096 }).end('x'.repeat(4096));
      case '/big-chunked':
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        for (let i = 0; i < 8; i++) res.write('y'.repeat(512));
        return res.end();
      case '/slow':
        return setTimeout(() => res.writeHead(200).end('late'), 3000).unref();
      case '/hold':
        return release.push(() => res.writeHead(200).end('released'));
      default:
        return res.writeHead(404).end();
    }
  });
  server.listen(0);
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  hits = [];
  release = [];
});

const registry = createServerRegistry();
const allow: CapabilityConfig = { allowPrivateNetwork: true };
function ctx(overrides: Partial<CapabilityContext> = {}): CapabilityContext {
  return testContext(store, { manifest: { appId: 'demo-app', version: '1.0.0', domains: [`localhost:${port}`] }, config: allow, ...overrides });
}
const call = (params: Record<string, unknown>, c = ctx()) => registry.invoke(c, 'base.request', 'request', params) as Promise<{ statusCode: number; headers: Record<string, string>; data: unknown; size: number }>;
async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof LilyError ? `${err.code}: ${err.message}` : `non-LilyError ${String(err)}`;
  }
}
const url = (path: string, host = 'localhost') => `http://${host}:${port}${path}`;

describe('base.request', () => {
  it('proxies to a declared domain and parses JSON, dropping Set-Cookie', async () => {
    const res = await call({ url: url('/json') });
    expect(res).toMatchObject({ statusCode: 200, data: { fare: 8650, n: '上海' } });
    expect(res.size).toBe(Buffer.byteLength(JSON.stringify({ fare: 8650, n: '上海' })));
    expect(res.headers['x-trace']).toBe('abc');
    expect(res.headers).not.toHaveProperty('set-cookie');
    expect(hits[0]!.headers['x-lily-app-id']).toBe('demo-app');
  });

  it('sends JSON and text bodies and keeps HTTP error statuses as results', async () => {
    const json = await call({ url: url('/echo'), method: 'POST', data: { from: '人民广场' } });
    expect(json).toMatchObject({ statusCode: 201, data: { method: 'POST', type: 'application/json; charset=utf-8', body: '{"from":"人民广场"}' } });
    const text = await call({ url: url('/echo'), method: 'PUT', data: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(text.data).toMatchObject({ type: 'application/x-www-form-urlencoded', body: 'a=1' });
    expect(await call({ url: url('/text') })).toMatchObject({ statusCode: 404, data: '{not json' });
    expect(await call({ url: url('/json'), dataType: 'text' })).toMatchObject({ data: '{"fare":8650,"n":"上海"}' });
  });

  it('refuses undeclared domains without connecting', async () => {
    expect(await code(call({ url: url('/json', '127.0.0.1') }))).toMatch(/^PERMISSION_DENIED: 127\.0\.0\.1:\d+ is not in the mini-app's manifest domains/);
    expect(await code(call({ url: `http://localhost:${port + 1}/json` }))).toMatch(/^PERMISSION_DENIED/);
    expect(await code(call({ url: url('/json') }, ctx({ manifest: { appId: 'demo-app', version: '1.0.0', domains: ['calhost', 'sub.localhost', 'localhost.evil.example'] } })))).toMatch(/^PERMISSION_DENIED/);
    expect(hits).toHaveLength(0);
  });

  it('requires HTTPS in production', async () => {
    const production = ctx({ env: 'production', config: { allowPrivateNetwork: false } });
    expect(await code(call({ url: url('/json') }, production))).toBe('PERMISSION_DENIED: Production mini-apps may only make https:// requests.');
    // Private networks allowed (the local demo) only excuses plain http to localhost, nothing else.
    const demo = ctx({ env: 'production', manifest: { appId: 'demo-app', version: '1.0.0', domains: [`localhost:${port}`, `127.0.0.1:${port}`] } });
    expect(await code(call({ url: url('/json', '127.0.0.1') }, demo))).toBe('PERMISSION_DENIED: Production mini-apps may only make https:// requests.');
    expect(hits).toHaveLength(0);
    expect(await call({ url: url('/json') }, demo)).toMatchObject({ statusCode: 200 });
  });

  it('follows redirects on the same host and refuses one to another host', async () => {
    expect(await call({ url: url('/same') })).toMatchObject({ statusCode: 200, data: { fare: 8650 } });
    expect(await call({ url: url('/see-other'), method: 'POST', data: { a: 1 } })).toMatchObject({ data: { method: 'GET', body: '' } });
    hits = [];
    expect(await code(call({ url: url('/other') }))).toMatch(/^PERMISSION_DENIED: A redirect to 127\.0\.0\.1:\d+ was refused/);
    expect(hits.map((h) => h.url)).toEqual(['/other']);
    expect(await code(call({ url: url('/loop') }))).toBe('PERMISSION_DENIED: More than 3 redirects.');
    expect(hits.filter((h) => h.url === '/loop')).toHaveLength(4);
  });

  it('refuses oversized responses, declared or streamed', async () => {
    const small = ctx({ config: { ...allow, request: { maxResponseBytes: 1024 } } });
    expect(await code(call({ url: url('/big') }, small))).toMatch(/^PAYLOAD_TOO_LARGE: The response is 4096 bytes/);
    expect(await code(call({ url: url('/big-chunked') }, small))).toMatch(/^PAYLOAD_TOO_LARGE: The response is larger than 1024 bytes/);
    expect(await call({ url: url('/big-chunked') })).toMatchObject({ size: 4096 });
  });

  it('refuses oversized request bodies and forbidden headers', async () => {
    const small = ctx({ config: { ...allow, request: { maxRequestBytes: 10 } } });
    expect(await code(call({ url: url('/echo'), method: 'POST', data: 'x'.repeat(11) }, small))).toMatch(/^PAYLOAD_TOO_LARGE/);
    expect(await code(call({ url: url('/json'), headers: { Cookie: 'a=b' } }))).toMatch(/^INVALID_PARAMS: The Cookie header may not be set/);
    expect(await code(call({ url: url('/json'), headers: { 'X-Forwarded-For': '1.2.3.4' } }))).toMatch(/^INVALID_PARAMS/);
    expect(await code(call({ url: `http://user:pw@localhost:${port}/json` }))).toMatch(/^INVALID_PARAMS/);
    expect(hits).toHaveLength(0);
  });

  it('times out', async () => {
    const started = Date.now();
    expect(await code(call({ url: url('/slow'), timeout: 200 }))).toMatch(/^TIMEOUT/);
    expect(Date.now() - started).toBeLessThan(2000);
    const capped = ctx({ config: { ...allow, request: { timeoutMs: 300 } } });
    expect(await code(call({ url: url('/slow'), timeout: 5000 }, capped))).toMatch(/^TIMEOUT/);
  });

  it('refuses private and loopback addresses after DNS resolution unless allowed', async () => {
    const strict = ctx({ config: { allowPrivateNetwork: false } });
    expect(await code(call({ url: url('/json') }, strict))).toMatch(/^PERMISSION_DENIED: localhost resolves to a private or reserved address/);
    const literal = ctx({ config: { allowPrivateNetwork: false }, manifest: { appId: 'demo-app', version: '1.0.0', domains: [`127.0.0.1:${port}`] } });
    expect(await code(call({ url: url('/json', '127.0.0.1') }, literal))).toMatch(/^PERMISSION_DENIED: 127\.0\.0\.1 is a private or reserved address/);
    expect(hits).toHaveLength(0);
    expect(await call({ url: url('/json') })).toMatchObject({ statusCode: 200 });
  });

  it('caps requests in flight per instance', async () => {
    const two = (instanceId: string) => ctx({ instanceId, config: { ...allow, request: { maxConcurrentPerInstance: 2 } } });
    const first = [call({ url: url('/hold') }, two('a')), call({ url: url('/hold') }, two('a'))];
    await expect.poll(() => release.length).toBe(2);
    expect(await code(call({ url: url('/json') }, two('a')))).toMatch(/^RATE_LIMITED: At most 2 requests/);
    expect(await call({ url: url('/json') }, two('b'))).toMatchObject({ statusCode: 200 });
    for (const r of release) r();
    expect((await Promise.all(first)).map((r) => r.data)).toEqual(['released', 'released']);
    expect(await call({ url: url('/json') }, two('a'))).toMatchObject({ statusCode: 200 });
  });

  it('answers UNAVAILABLE for unreachable hosts', async () => {
    const closed = http.createServer();
    closed.listen(0);
    await once(closed, 'listening');
    const deadPort = (closed.address() as AddressInfo).port;
    closed.close();
    const c = ctx({ manifest: { appId: 'demo-app', version: '1.0.0', domains: [`localhost:${deadPort}`] } });
    expect(await code(call({ url: `http://localhost:${deadPort}/` }, c))).toMatch(/^UNAVAILABLE/);
  });
});

describe('domainAllowed', () => {
  const u = (s: string) => new URL(s);
  it('matches host exactly, with optional port and scheme pinning', () => {
    expect(domainAllowed(u('https://api.ride.example/x'), ['api.ride.example'])).toBe(true);
    expect(domainAllowed(u('https://API.Ride.example:443/x'), ['api.ride.example'])).toBe(true);
    expect(domainAllowed(u('https://evil.api.ride.example/'), ['api.ride.example'])).toBe(false);
    expect(domainAllowed(u('https://api.ride.example.evil.com/'), ['api.ride.example'])).toBe(false);
    expect(domainAllowed(u('https://ride.example/'), ['api.ride.example'])).toBe(false);
    expect(domainAllowed(u('https://api.ride.example:8443/'), ['api.ride.example:8443'])).toBe(true);
    expect(domainAllowed(u('https://api.ride.example/'), ['api.ride.example:8443'])).toBe(false);
    expect(domainAllowed(u('http://api.ride.example/'), ['https://api.ride.example'])).toBe(false);
    expect(domainAllowed(u('https://api.ride.example/'), ['https://api.ride.example'])).toBe(true);
    expect(domainAllowed(u('https://api.ride.example/'), ['https://api.ride.example/path'])).toBe(false);
  });
});

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', true],
    ['2606:4700::1111', true],
    ['::ffff:8.8.8.8', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.1', false],
    ['100.64.0.1', false],
    ['169.254.169.254', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['::1', false],
    ['::', false],
    ['fe80::1%eth0', false],
    ['fd00::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['64:ff9b::10.0.0.1', false],
    ['2002:c0a8:101::', false],
    ['2001:db8::1', false],
    ['not an ip', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('parses compressed IPv6', () => {
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
    expect(parseIPv6('1::2:3:4:5:6:7:8')).toBeNull();
  });
});
