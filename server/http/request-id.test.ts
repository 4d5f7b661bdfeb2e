import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { lazyLog, startRequest } from './request-id.ts';

/** A server whose handler logs through startRequest into `lines`. */
async function serve(handler: (req: ReturnType<typeof startRequest>) => void): Promise<{ server: Server; url: string; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger('info', sink);
  const server = createServer((req, res) => {
    const tracked = startRequest(log, req, res);
    handler(tracked);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines };
}

describe('request context', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('logs one access line per request with its id, whether or not its logger was used', async () => {
    const s = await serve((req) => {
      if (req.url?.startsWith('/used')) req.log.warn({ step: 1 }, 'used');
    });
    server = s.server;
    await fetch(`${s.url}/quiet?x=1`, { headers: { 'x-request-id': 'quiet-1' } });
    await fetch(`${s.url}/used`, { headers: { 'x-request-id': 'used-1' } });
    await new Promise((r) => setTimeout(r, 50));
    const access = s.lines.filter((l) => l.msg === 'request');
    expect(access).toEqual([
      expect.objectContaining({ requestId: 'quiet-1', method: 'GET', path: '/quiet', status: 200, service: 'lily' }),
      expect.objectContaining({ requestId: 'used-1', method: 'GET', path: '/used', status: 200 }),
    ]);
    expect(s.lines.find((l) => l.msg === 'used')).toMatchObject({ requestId: 'used-1', step: 1 });
  });

  it('adds later bindings (the Open API adds app, environment and operation) to the request logger and its access line', async () => {
    const base = { current: undefined as ReturnType<typeof createLogger> | undefined };
    const s = await serve((req) => {
      lazyLog(req, base.current!, { requestId: req.id, appId: 'app1', operationId: 'createPrepay' });
      if (req.url === '/log') req.log.info('inside');
    });
    server = s.server;
    // The base logger of the bindings writes to the same sink as the server's.
    base.current = createLogger('info', new Writable({ write: (c: Buffer, _e, d) => (s.lines.push(...c.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)), d()) }));
    await fetch(`${s.url}/quiet`);
    await fetch(`${s.url}/log`);
    await new Promise((r) => setTimeout(r, 50));
    const access = s.lines.filter((l) => l.msg === 'request');
    expect(access).toHaveLength(2);
    for (const line of access) expect(line).toMatchObject({ appId: 'app1', operationId: 'createPrepay', status: 200 });
    expect(s.lines.find((l) => l.msg === 'inside')).toMatchObject({ appId: 'app1' });
  });
});
