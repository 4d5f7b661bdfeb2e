/**
 * The merchant client against the real Open API through a tampering proxy: unsigned or altered
 * responses are refused, honest ones pass.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LilyOpenApiError, LilyOpenClient, LilyResponseVerificationError } from '../../open-client/index.ts';
import { registerTestHandlers } from './fixtures.ts';
import { startHarness, type AppKey, type Harness } from './harness.ts';

let h: Harness;
let A: AppKey;
let proxy: Server;
let mode: 'pass' | 'strip' | 'alter' = 'pass';

beforeAll(async () => {
  h = await startHarness();
  registerTestHandlers(h);
  A = await h.appWithKey('alpha.app');
  const target = new URL(h.baseUrl);
  proxy = createServer((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          let body = Buffer.concat(chunks).toString('utf8');
          const headers = { ...up.headers };
          delete headers['content-length'];
          if (mode === 'strip') for (const k of Object.keys(headers)) if (k.startsWith('lily-')) delete headers[k];
          if (mode === 'alter') body = body.replace('alpha.app', 'app_evil!');
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(body);
        });
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await h?.close();
});

function viaProxy() {
  return new LilyOpenClient({
    baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    appId: A.appId,
    serialNo: A.serial,
    privateKey: A.privateKey,
    bankPublicKey: h.bankKeys.publicKey,
    bankSerial: h.bankKeys.serial,
  });
}

describe('lily-open-client through a tampering proxy', () => {
  it('passes honest responses', async () => {
    mode = 'pass';
    expect(await viaProxy().get('/open/v1/ping')).toMatchObject({ appId: 'alpha.app' });
  });

  it('refuses a response whose signature headers were stripped', async () => {
    mode = 'strip';
    const err = await viaProxy().get('/open/v1/ping').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LilyResponseVerificationError);
    expect((err as Error).message).toMatch(/not signed/);
  });

  it('refuses an altered response, success or problem alike', async () => {
    mode = 'alter';
    const ok = await viaProxy().get('/open/v1/ping').catch((e: unknown) => e);
    expect(ok).toBeInstanceOf(LilyResponseVerificationError);
    expect((ok as Error).message).toMatch(/does not verify/);
    const problem = await viaProxy().post('/open/v1/apps/beta.app/versions', { package: 'alpha.app' }).catch((e: unknown) => e);
    expect(problem).toBeInstanceOf(LilyResponseVerificationError);
    expect(problem).not.toBeInstanceOf(LilyOpenApiError);
  });
});
