import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LilyError } from '../../protocol/errors.ts';
import { generateSm2KeyPair, publicKeyOf } from '../../runtime/crypto/sm.ts';
import { AuditLog } from '../audit/audit.ts';
import { errorHandler } from '../http/errors.ts';
import { requestContext } from '../http/request-id.ts';
import { createLogger } from '../log.ts';
import { openStore, type Store } from '../store/index.ts';
import { CredentialService } from './credentials.ts';
import { credentialRoutes, type CredentialAction } from './routes.ts';

let dir: string;
let store: Store;
let server: Server;
let base: string;
const calls: [string, string | null, CredentialAction][] = [];
const bank = generateSm2KeyPair();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lily-cred-routes-'));
  store = await openStore({ dataDir: dir, durability: 'normal' });
  const audit = new AuditLog(store);
  await audit.init();
  const credentials = new CredentialService(store, audit);
  await credentials.init();
  const app = express();
  app.use(requestContext(createLogger('silent')));
  app.use(express.json());
  app.use(
    credentialRoutes({
      credentials,
      bankKeys: { publicKey: bank.publicKey, serial: 'BANKSERIAL000001' },
      async authorize(req, appId, env, action) {
        calls.push([appId, env, action]);
        if (req.get('x-merchant') !== 'owner') throw new LilyError('NOT_FOUND', `No app ${appId}.`);
        if (env === 'production' && action !== 'list') throw new LilyError('FORBIDDEN', 'Production keys come after the first approved release.');
        return { kind: 'merchant', id: 'm-1' };
      },
    }),
  );
  app.use(errorHandler());
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/merchant/apps/app_a/credentials`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, url: string, body?: unknown, owner = true) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(owner ? { 'x-merchant': 'owner' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

describe('credential routes', () => {
  it('generate shows the private key once with the bank key; list never shows it', async () => {
    const gen = await call('POST', `${base}/sandbox/generate`);
    expect(gen.status).toBe(201);
    expect(gen.headers.get('cache-control')).toBe('no-store');
    expect(publicKeyOf(gen.body.privateKey)).toBe(gen.body.credential.publicKey);
    expect(gen.body.bank).toEqual({ publicKey: bank.publicKey, serial: 'BANKSERIAL000001', userId: '1234567812345678' });
    const list = await call('GET', `${base}?env=sandbox`);
    expect(list.body.credentials).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(gen.body.privateKey);
  });

  it('rotate, upload and revoke go through the service with the actor from authorize', async () => {
    const rotated = await call('POST', `${base}/sandbox/rotate`, { overlapSeconds: 60 });
    expect(rotated.status).toBe(201);
    expect(rotated.body.retiring.status).toBe('retiring');
    const revoked = await call('POST', `${base}/sandbox/${rotated.body.retiring.serial}/revoke`, { reason: 'server decommissioned' });
    expect(revoked.body.credential).toMatchObject({ status: 'revoked', revokedReason: 'server decommissioned' });
    const mine = generateSm2KeyPair();
    const up = await call('POST', `${base.replace('app_a', 'app_b')}/sandbox/upload`, { publicKey: mine.publicKey });
    expect(up.body.credential).toMatchObject({ appId: 'app_b', source: 'uploaded' });
    expect(calls.map((c) => c[2])).toEqual(expect.arrayContaining(['generate', 'list', 'rotate', 'revoke', 'upload']));
  });

  it('refuses what authorize refuses, and bad input', async () => {
    expect((await call('POST', `${base}/sandbox/generate`, undefined, false)).body.code).toBe('NOT_FOUND');
    expect((await call('POST', `${base}/production/generate`)).body.code).toBe('FORBIDDEN');
    expect((await call('POST', `${base}/staging/generate`)).body.code).toBe('INVALID_PARAMS');
    expect((await call('POST', `${base}/sandbox/rotate`, { overlapSeconds: -5 })).body.code).toBe('INVALID_PARAMS');
    expect((await call('POST', `${base}/sandbox/upload`, { publicKey: 'zz' })).body.code).toBe('INVALID_PARAMS');
    expect((await call('POST', `${base}/sandbox/0000000000000000/revoke`, {})).body.code).toBe('INVALID_PARAMS');
  });
});
