/**
 * Test harness for the Open API: a real store in a temp dir, the real services, an Express app
 * with the Open API router mounted before the JSON body parser (as in production), listening on
 * an ephemeral port, and a movable clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { defaultRegistry } from '../../capabilities/index.ts';
import { LilyOpenClient } from '../../open-client/index.ts';
import { generateSm2KeyPair } from '../../runtime/crypto/sm.ts';
import { AppService } from '../../server/apps/apps.ts';
import { AuditLog } from '../../server/audit/audit.ts';
import { CredentialService } from '../../server/credentials/credentials.ts';
import { EventBus } from '../../server/events.ts';
import { GrantService } from '../../server/grants/grants.ts';
import { errorHandler, notFound } from '../../server/http/errors.ts';
import { requestContext } from '../../server/http/request-id.ts';
import { keySerial, type BankKeys } from '../../server/keys.ts';
import { createLogger } from '../../server/log.ts';
import { createOpenApi, type OpenApi, type OpenApiOptions } from '../../server/openapi/index.ts';
import type { Env } from '../../server/policies/gates.ts';
import { openStore, type Store } from '../../server/store/index.ts';

const OPS = { kind: 'ops' as const, id: 'ops-test' };

/** A registered app key and a client that signs with it. */
export interface AppKey {
  appId: string;
  env: Env;
  serial: string;
  privateKey: string;
  publicKey: string;
  client: LilyOpenClient;
}

/** A running harness. */
export interface Harness {
  baseUrl: string;
  store: Store;
  audit: AuditLog;
  apps: AppService;
  credentials: CredentialService;
  bankKeys: BankKeys;
  openApi: OpenApi;
  /** Added to the real clock by every service in the harness (ms). */
  clock: { offsetMs: number };
  now(): number;
  /** Creates a draft app (or live with `live: true`) and a generated key for it. */
  /**
   * Creates an app with a key in `env` (default sandbox). Every capability that has Open API
   * routes is granted to it unless `granted` names the ones to grant.
   */
  appWithKey(appId: string, options?: { env?: Env; live?: boolean; granted?: readonly string[] }): Promise<AppKey>;
  grants: GrantService;
  /** A client for an existing key. */
  clientFor(key: Omit<AppKey, 'client'>): LilyOpenClient;
  close(): Promise<void>;
}

/**
 * Starts a harness. With `jsonFirst`, a global JSON parser that keeps `req.rawBody` runs before
 * the Open API router (the older app layout); the router must then use the kept bytes.
 */
export async function startHarness(options: OpenApiOptions & { jsonFirst?: boolean } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lily-openapi-'));
  const store = await openStore({ dataDir, durability: 'normal' });
  const clock = { offsetMs: 0 };
  const now = (): number => Date.now() + clock.offsetMs;
  const pair = generateSm2KeyPair();
  const bankKeys: BankKeys = { serial: keySerial(pair.publicKey), ...pair };
  const audit = new AuditLog(store, now);
  const apps = new AppService(store, audit, new EventBus(), bankKeys, now);
  const credentials = new CredentialService(store, audit, { apps, now });
  const bus = new EventBus();
  const grants = new GrantService(store, audit, bus, now);
  await grants.init();
  const registry = defaultRegistry();
  await audit.init();
  await apps.init();
  await credentials.init();
  const log = createLogger('silent');
  const openApi = createOpenApi({ store, credentials, apps, grants, audit, bankKeys, registry, log, now }, options);
  await openApi.init();

  const app = express();
  app.use(requestContext(log));
  const json = express.json({
    limit: '1mb',
    verify: (req, _res, buf) => {
      (req as unknown as { rawBody: Buffer }).rawBody = buf;
    },
  });
  if (options.jsonFirst) app.use(json);
  app.use('/open/v1', openApi.router);
  if (!options.jsonFirst) app.use(json);
  app.use(notFound());
  app.use(errorHandler());
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const clientFor = (key: Omit<AppKey, 'client'>): LilyOpenClient =>
    new LilyOpenClient({
      baseUrl,
      appId: key.appId,
      serialNo: key.serial,
      privateKey: key.privateKey,
      bankPublicKey: bankKeys.publicKey,
      bankSerial: bankKeys.serial,
    });

  return {
    baseUrl,
    store,
    audit,
    apps,
    credentials,
    bankKeys,
    openApi,
    clock,
    now,
    clientFor,
    grants,
    async appWithKey(appId, opts = {}) {
      const env = opts.env ?? 'sandbox';
      await apps.create({ merchantId: 'm-test', name: `Test ${appId}`, category: 'travel', appId }, OPS);
      const granted = opts.granted ?? [...new Set(registry.routes().map((r) => r.capability.id))];
      for (const capability of granted) await grants.grant({ appId, env, capability }, OPS);
      if (opts.live) {
        // Releasing belongs to the versions suite; here only the status matters.
        await store.collection('apps').updateOne({ _id: appId }, { $set: { status: 'live' } });
      }
      const { credential, privateKey } = await credentials.generate(appId, env, OPS);
      const key = { appId, env, serial: credential.serial, privateKey, publicKey: credential.publicKey };
      return { ...key, client: clientFor(key) };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Raw HTTP: status, headers and text, for requests the client would refuse to send or read. */
export async function rawFetch(
  baseUrl: string,
  method: string,
  pathWithQuery: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const res = await fetch(baseUrl + pathWithQuery, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
