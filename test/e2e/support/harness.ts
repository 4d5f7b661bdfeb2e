/**
 * The browser-test harness: a real Lily server in-process with the built host app, real Chromium
 * (Debian's, at /usr/bin/chromium) driven by playwright-core, apps released through the real
 * services, and screenshots under `test/e2e/screenshots/`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import express from 'express';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { ensureHostBuild, HOST_DIST, ROOT } from '../../../host-app/scripts/ensure-host-build.ts';
import type { Booted } from '../../../server/boot.ts';
import { installSamples, type InstalledSamples } from '../../../server/demo/index.ts';
import { serializePackage } from '../../../runtime/package/format.ts';
import { pack } from '../../../runtime/package/pack.ts';
import { hostApiRoutes } from '../../../server/host-api/routes.ts';
import { errorHandler } from '../../../server/http/errors.ts';
import { authenticate } from '../../../server/identity/middleware.ts';
import { attachDashboard } from '../../../server/ops/dashboard.ts';
import type { OpsNamespace } from '../../../server/ops/gateway.ts';
import { isSpaRoute, staticRoutes } from '../../../server/static.ts';
import { http, login, startTestServer, type TestServer } from '../../helpers/server.ts';

/** Where Chromium is expected. */
export const CHROMIUM = process.env.LILY_CHROMIUM ?? '/usr/bin/chromium';
/** Where screenshots go (gitignored). */
export const SCREENSHOTS = path.join(ROOT, 'test/e2e/screenshots');

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A server that also serves the built host app. */
export interface E2eServer extends TestServer {
  /** Logs in through the API and returns a bearer token (for setup steps). */
  token(kind: 'user' | 'merchant' | 'ops', username: string, password: string): Promise<string>;
}

const HOST_API_PATHS = new Set(['/api/me/wallet', '/api/me/orders', '/api/me/cashier', '/api/me/confirm-facts']);

/**
 * Makes a booted server serve what the host app needs. Whatever the server does not wire itself
 * (the static routes, the host API routes, the live dashboard) is put in front of it, exactly as
 * `server/app.ts` would mount it. Returns what to call at shutdown.
 */
export async function frontHostApp(baseUrl: string, booted: Booted): Promise<() => void> {
  const { deps, lily } = booted;
  const servesApp = (await fetch(`${baseUrl}/`).then((r) => r.text())).includes('<div id="app">');
  const servesHostApi = (await fetch(`${baseUrl}/api/me/wallet`)).status !== 404;
  if (!servesApp || !servesHostApi) {
    const front = express();
    if (!servesApp) front.use(staticRoutes(HOST_DIST));
    if (!servesHostApi) {
      const api = express.Router();
      api.use(express.json(), authenticate(deps.identity));
      api.use(hostApiRoutes({ store: deps.store, payments: deps.payments, tokens: deps.tokens, apps: deps.apps, merchants: deps.merchants }));
      front.use('/api', api, errorHandler());
    }
    const server = lily.server;
    const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const p = new URL(req.url ?? '/', 'http://host').pathname;
      const mine = (!servesApp && (isSpaRoute(p) || p.startsWith('/assets/') || p === '/favicon.svg')) || (!servesHostApi && HOST_API_PATHS.has(p));
      if (mine) front(req, res);
      else for (const l of listeners) l.call(server, req, res);
    });
  }
  // The live dashboard listens to the bus's bridge.call events; attach it unless the app did.
  const busListeners = (deps.bus as unknown as { emitter: { listenerCount(e: string): number } }).emitter.listenerCount('bridge.call');
  const dashboard = busListeners === 0 ? attachDashboard(lily.io.of('/ops') as unknown as OpsNamespace, deps.bus, { openSessions: () => lily.io.of('/bridge').sockets.size }) : null;
  return () => dashboard?.dispose();
}

/**
 * Builds the host app if needed and boots a test server that serves it; `env` adds configuration
 * (e.g. `LILY_ALLOW_PRIVATE_NETWORK` for sample back ends on loopback).
 */
export async function startE2eServer(env: Record<string, string> = {}): Promise<E2eServer> {
  await ensureHostBuild();
  const srv = await startTestServer(env);
  const stopFront = await frontHostApp(srv.baseUrl, srv.booted);
  return {
    ...srv,
    async close() {
      stopFront();
      await srv.close();
    },
    token: (kind, username, password) => login(srv.baseUrl, kind, username, password),
  };
}

/** Launches Chromium; fails with a clear message when it is not installed (never skips). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set LILY_CHROMIUM. The browser tests cannot run without it.`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

/** A phone-sized context (the bank-app shell) or a desktop one (portals), Chinese by default. */
export async function newContext(browser: Browser, kind: 'phone' | 'desktop'): Promise<BrowserContext> {
  return browser.newContext(
    kind === 'phone'
      ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' }
      : { viewport: { width: 1360, height: 900 }, locale: 'zh-CN' },
  );
}

/** Collects page errors and CSP violations; the tests assert there are none. */
export function watchPage(page: Page, problems: string[] = []): string[] {
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) problems.push(`csp: ${text}`);
  });
  return problems;
}

/** Saves a screenshot (the whole page unless `fullPage: false`) as `test/e2e/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const fullPage = options.fullPage ?? true;
  // A full-page capture draws sticky bars where the viewport ends; lay them out in place meanwhile.
  const unstick = "document.querySelectorAll('.tabbar, .shell-header, .portal-header').forEach((e) => (e.style.position = 'static'))";
  const restick = "document.querySelectorAll('.tabbar, .shell-header, .portal-header').forEach((e) => (e.style.position = ''))";
  if (fullPage) await page.evaluate(`window.scrollTo(0, 0); ${unstick}`);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
  if (fullPage) await page.evaluate(restick);
}

/** Logs in through a face's login form. */
export async function loginUi(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/^密码$|^Password$/).fill(password);
  await page.locator('form.login-form button[type="submit"]').click();
  await expect.poll(() => page.locator('form.login-form').count(), { timeout: 10_000 }).toBe(0);
}

/**
 * Makes the demo merchant an admitted partner (through the real routes) and returns its token.
 */
export async function admittedMerchant(srv: E2eServer): Promise<string> {
  const merchant = await srv.token('merchant', 'merchant', 'merchant-demo');
  const admin = await srv.token('ops', 'admin', 'admin-demo');
  const me = await http(srv.baseUrl, 'GET', '/api/merchant/me', { token: merchant });
  if (!me.body.merchant) {
    const reg = await http(srv.baseUrl, 'POST', '/api/merchant/register', {
      token: merchant,
      body: { businessName: '百合出行科技有限公司', licenceNo: '91310000MA1LILY001', contact: { name: '李明', phone: '13800000000', email: 'li@ride.example' } },
    });
    expect(reg.status).toBe(201);
    await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: admin, body: { admit: true, reason: '资质齐全' } });
  }
  return merchant;
}

/**
 * Packs a mini-app folder (as `lily pack` does), uploads it as the merchant, approves it as a
 * reviewer, releases it to production and grants its declared capabilities: the real path.
 */
export async function releaseApp(srv: E2eServer, folder: string, app: { appId: string; name: string; category: string }): Promise<void> {
  const merchant = await admittedMerchant(srv);
  const reviewer = await srv.token('ops', 'reviewer', 'reviewer-demo');
  const created = await http(srv.baseUrl, 'POST', '/api/merchant/apps', { token: merchant, body: app });
  expect(created.status).toBe(201);
  const { pkg } = await pack(folder);
  // Ops grant what the manifest declares (in the product: capability applications, decided in the console).
  for (const env of ['sandbox', 'production'] as const) {
    for (const { id } of pkg.manifest.capabilities) {
      await srv.booted.deps.grants.grant({ appId: app.appId, env, capability: id }, { kind: 'ops', id: 'ops-e2e' });
    }
  }
  const up = await fetch(`${srv.baseUrl}/api/merchant/apps/${app.appId}/versions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${merchant}`, 'content-type': 'application/vnd.lily.package+json' },
    body: serializePackage(pkg),
  });
  const uploaded = (await up.json()) as { version: { id: string; report: { passed: boolean } } };
  expect(up.status).toBe(201);
  expect(uploaded.version.report.passed).toBe(true);
  const decided = await http(srv.baseUrl, 'POST', `/api/ops/versions/${uploaded.version.id}/decision`, { token: reviewer, body: { approve: true, reason: 'ok' } });
  expect(decided.status).toBe(200);
  const released = await http(srv.baseUrl, 'POST', `/api/merchant/apps/${app.appId}/releases`, { token: merchant, body: { version: pkg.manifest.version } });
  expect(released.status).toBe(200);
}

/** The internal id of a demo user. */
export async function userId(srv: E2eServer, username: string, password: string): Promise<string> {
  const token = await srv.token('user', username, password);
  return (await http(srv.baseUrl, 'GET', '/api/auth/me', { token })).body.principal.id as string;
}

/** Waits until `locator` is visible and returns its trimmed text. */
export async function textOf(locator: Locator, timeout = 20_000): Promise<string> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return (await locator.first().innerText()).trim();
}

/** Fen as the sample pages show money: `¥12.50`. */
export const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;

/** One sample mini-app in the bank app: its server, its running back end, Chromium and alice's phone. */
export interface SampleE2e {
  srv: E2eServer;
  demo: InstalledSamples;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Page errors and CSP violations seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Boots a server that serves the host app, installs `sample` as the demo does (its back end on a
 * free port, reachable on loopback), starts the background workers (webhook delivery), and opens
 * a phone-sized page in Chromium; `geolocation` is the phone's position, granted to the bank app.
 */
export async function startSampleE2e(sample: string, options: { geolocation?: { latitude: number; longitude: number } } = {}): Promise<SampleE2e> {
  const srv = await startE2eServer({ LILY_ALLOW_PRIVATE_NETWORK: 'true' });
  const demo = await installSamples(srv.booted.deps, { dataDir: srv.dataDir, host: '127.0.0.1', basePort: 0, samples: [sample], lilyUrl: srv.baseUrl });
  srv.booted.startWorkers();
  const browser = await launchBrowser();
  const context = await newContext(browser, 'phone');
  if (options.geolocation) {
    await context.grantPermissions(['geolocation'], { origin: srv.baseUrl });
    await context.setGeolocation({ ...options.geolocation, accuracy: 20 });
  }
  const page = await context.newPage();
  return {
    srv,
    demo,
    browser,
    context,
    page,
    problems: watchPage(page),
    async close() {
      await browser.close();
      await demo.close();
      await srv.close();
    },
  };
}
