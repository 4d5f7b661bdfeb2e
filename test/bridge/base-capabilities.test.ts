/**
 * Every method of the 14 base-app capabilities through the real bridge: the base-tour mini-app,
 * released through the real services, runs in a connected headless host (host-side gates and
 * capabilities) talking to an in-process server over a real socket.io connection. For each
 * method: valid params (result valid against its schema), invalid params, no grant, rate limit;
 * and consent for the scoped ones (location, clipboard read).
 */
import { once } from 'node:events';
import dns from 'node:dns';
import { createServer, type Server } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RATE_TIERS } from '../../capabilities/define.ts';
import { defaultRegistry } from '../../capabilities/index.ts';
import type { Response } from '../../protocol/errors.ts';
import { http, startTestServer, type TestServer } from '../helpers/server.ts';
import { useLeakCheckedEngine } from '../runtime/support/engine.ts';
import {
  BASE,
  BASE_METHODS,
  burst,
  expectValidResult,
  inputCall,
  newUser,
  openTour,
  packTour,
  releaseTour,
  tapCall,
  until,
  type TourSession,
} from './tour-kit.ts';

const MAIN = 'com.lily.basetour';
const PARTNER = 'com.lily.basetour.partner';
const EVEN = 'com.lily.basetour.even';
const ODD = 'com.lily.basetour.odd';
/** The mini-app's back end: declared in the manifest, resolved to loopback for this test only. */
const BACKEND_HOST = 'api.basetour.test';
const ALL = BASE.map((c) => c.id);

const engine = useLeakCheckedEngine();
const registry = defaultRegistry();
let srv: TestServer;
let backend: Server;
let backendPort: number;
let alice: { token: string; id: string };
const realLookup = dns.lookup;

const open: TourSession[] = [];
// Registered after the leak check, so it runs before it: every test's hosts are closed first.
afterEach(async () => {
  for (const s of open.splice(0)) await s.connected.close();
});

/** A connected host for `user` with `appId` open; closed (with everything it opened) after the test. */
async function session(user: { token: string }, appId = MAIN, options: Parameters<typeof openTour>[3] = {}): Promise<TourSession> {
  const s = await openTour(srv, user.token, appId, { engine: engine(), openAppTargets: { [MAIN]: [PARTNER] }, ...options });
  open.push(s);
  return s;
}

const quoteUrl = () => `http://${BACKEND_HOST}:${backendPort}/quote`;

beforeAll(async () => {
  // The manifest's domains are host names (no IP, port or localhost), so the declared back end
  // gets a name that resolves to loopback here, like an /etc/hosts entry; the server is started
  // with private networks allowed, as the local demo is.
  (dns as { lookup: unknown }).lookup = ((hostname: string, options: unknown, callback: unknown) => {
    if (hostname !== BACKEND_HOST) return (realLookup as (...a: unknown[]) => void)(hostname, options, callback);
    const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    process.nextTick(() => (all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
  }) as typeof dns.lookup;
  syncBuiltinESMExports();

  backend = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ quoteId: 'q_81x', fare: 8650, method: req.method, echo: Buffer.concat(chunks).toString('utf8') || null, app: req.headers['x-lily-app-id'] }),
      );
    });
  });
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  backendPort = (backend.address() as AddressInfo).port;

  srv = await startTestServer({ LILY_ALLOW_PRIVATE_NETWORK: 'true' });
  alice = await newUser(srv, 'tour-alice');
  const testers = [alice.id];
  const [main, partner, even, odd] = await Promise.all([
    packTour(MAIN, { domains: [BACKEND_HOST] }),
    packTour(PARTNER, { name: 'Base Tour Partner' }),
    packTour(EVEN, { name: 'Base Tour Even' }),
    packTour(ODD, { name: 'Base Tour Odd' }),
  ]);
  await releaseTour(srv, main, { name: 'Base Tour', granted: ALL, testers });
  await releaseTour(srv, partner, { name: 'Base Tour Partner', granted: ALL, testers });
  // "Grant some, not others": each of these two gets every other capability.
  await releaseTour(srv, even, { name: 'Base Tour Even', granted: ALL.filter((_, i) => i % 2 === 0), testers });
  await releaseTour(srv, odd, { name: 'Base Tour Odd', granted: ALL.filter((_, i) => i % 2 === 1), testers });
}, 120_000);

afterAll(async () => {
  await srv?.close();
  backend?.closeAllConnections();
  backend?.close();
  (dns as { lookup: unknown }).lookup = realLookup;
  syncBuiltinESMExports();
});

describe('the tour covers the catalog', () => {
  it('calls every method of the 14 base capabilities', () => {
    expect(BASE.map((c) => c.id)).toEqual([
      'base.system',
      'base.navigate',
      'base.ui',
      'base.storage',
      'base.request',
      'base.location',
      'base.scan',
      'base.clipboard',
      'base.openApp',
      'base.log',
      'base.network',
      'base.phone',
      'base.image',
      'base.support',
    ]);
    expect(BASE_METHODS.length).toBe(34);
  });
});

describe('valid params: every base method answers a result valid against its schema', () => {
  const validated = new Set<string>();
  const valid = (capability: string, method: string, outcome: Awaited<ReturnType<typeof tapCall>>) => {
    const result = expectValidResult(capability, method, outcome);
    validated.add(`${capability}.${method}`);
    return result;
  };

  it('base.system', async () => {
    const s = await session(alice);
    expect(valid('base.system', 'getSystemInfo', await tapCall(s.app, 'getSystemInfo'))).toMatchObject({ platform: 'headless', language: 'zh-CN' });
    expect(valid('base.system', 'getLaunchOptions', await tapCall(s.app, 'getLaunchOptions'))).toMatchObject({ path: 'pages/index/index', referrerAppId: null });
    expect(valid('base.system', 'canIUse', await tapCall(s.app, 'canIUse', { schema: 'base.location.getLocation' }))).toEqual({ available: true, reason: 'ok' });
    expect(valid('base.system', 'canIUse', await tapCall(s.app, 'canIUse', { schema: 'payment.cashier' }))).toEqual({ available: false, reason: 'notDeclared' });
  });

  it('base.navigate', async () => {
    const s = await session(alice);
    expect(valid('base.navigate', 'navigateTo', await tapCall(s.app, 'navigateTo'))).toEqual({ stackDepth: 2 });
    expect(s.app.route).toBe('pages/detail/detail');
    expect(valid('base.navigate', 'navigateBack', await tapCall(s.app, 'navigateBack'))).toEqual({ stackDepth: 1 });
    expect(valid('base.navigate', 'redirectTo', await tapCall(s.app, 'redirectTo'))).toEqual({ stackDepth: 1 });
    expect(s.app.route).toBe('pages/detail/detail');
    expect(valid('base.navigate', 'reLaunch', await tapCall(s.app, 'reLaunch'))).toEqual({ stackDepth: 1 });
    expect(s.app.route).toBe('pages/index/index');
  });

  it('base.ui', async () => {
    const s = await session(alice);
    const sheets = s.connected.host.sheets.queue('modal', { confirm: true }).queue('actionSheet', { tapIndex: 1 });
    valid('base.ui', 'showToast', await tapCall(s.app, 'showToast'));
    expect(s.app.toasts.at(-1)).toMatchObject({ title: '已保存', icon: 'success' });
    expect(valid('base.ui', 'showModal', await tapCall(s.app, 'showModal'))).toEqual({ confirm: true, cancel: false });
    valid('base.ui', 'showLoading', await tapCall(s.app, 'showLoading'));
    expect(s.app.ui.loading).toBe('加载中');
    valid('base.ui', 'hideLoading', await tapCall(s.app, 'hideLoading'));
    expect(s.app.ui.loading).toBeUndefined();
    expect(valid('base.ui', 'showActionSheet', await tapCall(s.app, 'showActionSheet'))).toEqual({ tapIndex: 1 });
    valid('base.ui', 'setNavigationBarTitle', await tapCall(s.app, 'setNavigationBarTitle'));
    expect([...s.app.ui.titles.values()]).toContain('基础能力之旅');
    expect(sheets.shown.map((x) => x.kind)).toEqual(['modal', 'actionSheet']);
  });

  it('base.storage (server-side, per user and app)', async () => {
    const s = await session(alice);
    valid('base.storage', 'setStorage', await tapCall(s.app, 'setStorage'));
    expect(valid('base.storage', 'getStorage', await tapCall(s.app, 'getStorage'))).toEqual({ data: { city: '上海', date: '2025-05-01' } });
    expect(valid('base.storage', 'getStorageInfo', await tapCall(s.app, 'getStorageInfo')).keys).toEqual(['lastSearch']);
    expect(valid('base.storage', 'removeStorage', await tapCall(s.app, 'removeStorage'))).toMatchObject({ removed: true });
    valid('base.storage', 'setStorage', await tapCall(s.app, 'setStorage', { key: 'cart', data: [1, 2] }));
    expect(valid('base.storage', 'clearStorage', await tapCall(s.app, 'clearStorage'))).toEqual({ removedKeys: 1 });
  });

  it('base.request (server-side, to the back end declared in the manifest; sandbox, so http)', async () => {
    const s = await session(alice, MAIN, { env: 'sandbox' });
    const res = valid('base.request', 'request', await tapCall(s.app, 'request', { url: quoteUrl(), method: 'POST', data: { from: '人民广场' } }));
    expect(res).toMatchObject({ statusCode: 200, data: { quoteId: 'q_81x', fare: 8650, method: 'POST', echo: '{"from":"人民广场"}', app: MAIN } });
    // Undeclared hosts are refused by the server.
    expect((await tapCall(s.app, 'request', { url: `http://127.0.0.1:${backendPort}/quote` })).error?.code).toBe('PERMISSION_DENIED');
  });

  it('base.location (consent given in the sheet)', async () => {
    const s = await session(alice);
    const sheets = s.connected.host.sheets.handle('consent', () => ({ granted: true }));
    const fix = valid('base.location', 'getLocation', await tapCall(s.app, 'getLocation', { type: 'wgs84' }));
    expect(fix).toEqual({ latitude: 31.2304, longitude: 121.4737, type: 'wgs84', accuracy: 35 });
    const gcj = valid('base.location', 'getLocation', await tapCall(s.app, 'getLocation'));
    expect(gcj.type).toBe('gcj02');
    expect(gcj.latitude).toBeCloseTo(31.2285, 3); // GCJ-02 shifts Shanghai by a few hundred metres
    expect(gcj.longitude).toBeCloseTo(121.4782, 3);
    sheets.queue('location', { name: '虹桥国际机场T2航站楼', address: '上海市长宁区虹桥路2550号', latitude: 31.1943, longitude: 121.3272 });
    expect(valid('base.location', 'chooseLocation', await tapCall(s.app, 'chooseLocation'))).toMatchObject({ name: '虹桥国际机场T2航站楼', type: 'gcj02' });
    expect(sheets.shown.find((x) => x.kind === 'location')?.request).toEqual({ appId: MAIN, keyword: '虹桥机场' });
  });

  it('base.scan', async () => {
    const s = await session(alice);
    s.connected.host.sheets.queue('scan', { result: 'TKT-20250501-0007', scanType: 'qrCode' });
    expect(valid('base.scan', 'scanCode', await tapCall(s.app, 'scanCode'))).toEqual({ result: 'TKT-20250501-0007', scanType: 'qrCode', lilyPath: null });
  });

  it('base.clipboard (reading with consent)', async () => {
    const s = await session(alice);
    s.connected.host.sheets.handle('consent', () => ({ granted: true }));
    valid('base.clipboard', 'setClipboardData', await tapCall(s.app, 'setClipboardData'));
    expect(s.connected.host.device.clipboard).toBe('ord_A1b2C3d4E5');
    expect(s.app.toasts.at(-1)?.title).toBe('内容已复制');
    expect(valid('base.clipboard', 'getClipboardData', await tapCall(s.app, 'getClipboardData'))).toEqual({ data: 'ord_A1b2C3d4E5' });
  });

  it('base.openApp (allowlisted target, confirmed in the host sheet, opened through the server, and back)', async () => {
    const s = await session(alice);
    const sheets = s.connected.host.sheets.queue('openApp', { confirm: true });
    valid('base.openApp', 'navigateToMiniApp', await tapCall(s.app, 'navigateToMiniApp', { appId: PARTNER, path: 'pages/detail/detail?from=main', extraData: { checkIn: '2025-05-01' } }));
    // The sheet shows the target as the platform knows it, not as the caller describes it.
    expect(sheets.shown.at(-1)).toMatchObject({ kind: 'openApp', request: { appId: MAIN, target: { appId: PARTNER, name: 'Base Tour Partner' } } });
    const partner = s.connected.apps.find((a) => a.launched.info.appId === PARTNER)!;
    expect(partner.app.route).toBe('pages/detail/detail');
    expect(valid('base.system', 'getLaunchOptions', await tapCall(partner.app, 'getLaunchOptions'))).toMatchObject({
      scene: 'openApp',
      referrerAppId: MAIN,
      query: { from: 'main' },
    });
    valid('base.openApp', 'navigateBackMiniApp', await tapCall(partner.app, 'navigateBackMiniApp'));
    expect(s.connected.host.openApp.log.map((r) => [r.kind, r.from, r.to])).toEqual([
      ['open', MAIN, PARTNER],
      ['back', PARTNER, MAIN],
    ]);
    expect(s.connected.host.openApp.log[1]!.extraData).toEqual({ bookingId: 'b_5521' });
    // Only apps opened this way can go back; only allowlisted targets can be opened.
    expect((await tapCall(s.app, 'navigateBackMiniApp')).error?.code).toBe('INVALID_STATE');
    expect((await tapCall(s.app, 'navigateToMiniApp', { appId: EVEN })).error?.code).toBe('PERMISSION_DENIED');
    sheets.queue('openApp', { confirm: false });
    expect((await tapCall(s.app, 'navigateToMiniApp', { appId: PARTNER })).error?.code).toBe('USER_CANCELLED');
  });

  it('base.log (server-side)', async () => {
    const s = await session(alice);
    valid('base.log', 'log', await tapCall(s.app, 'log'));
    expect(valid('base.log', 'reportError', await tapCall(s.app, 'reportError')).errorId).toMatch(/\w+/);
  });

  it('base.network (changes recorded for the registered listener)', async () => {
    const s = await session(alice);
    expect(valid('base.network', 'getNetworkType', await tapCall(s.app, 'getNetworkType'))).toEqual({ networkType: 'wifi' });
    valid('base.network', 'onNetworkStatusChange', await tapCall(s.app, 'onNetworkStatusChange'));
    s.connected.host.setNetwork('4g');
    s.connected.host.setNetwork('none');
    const emits = new Ajv({ strict: false }).compile(registry.method('base.network', 'onNetworkStatusChange')!.spec.emits!);
    expect(s.app.device.networkEvents).toEqual([
      { isConnected: true, networkType: '4g' },
      { isConnected: false, networkType: 'none' },
    ]);
    for (const e of s.app.device.networkEvents) expect(emits(e)).toBe(true);
    expect(valid('base.network', 'getNetworkType', await tapCall(s.app, 'getNetworkType'))).toEqual({ networkType: 'none' });
  });

  it('base.phone (confirmed in the host sheet, only from a tap)', async () => {
    const s = await session(alice);
    const sheets = s.connected.host.sheets.queue('phoneCall', { confirm: true });
    valid('base.phone', 'makePhoneCall', await tapCall(s.app, 'makePhoneCall'));
    expect(sheets.shown.at(-1)).toMatchObject({ kind: 'phoneCall', request: { phoneNumber: '021-5555 0101' } });
    expect(s.connected.host.device.dials).toEqual([expect.objectContaining({ appId: MAIN, phoneNumber: '021-5555 0101' })]);
    expect((await tapCall(s.app, 'makePhoneCall')).error?.code).toBe('USER_CANCELLED'); // sheet dismissed
    const noTap = await inputCall(s.app, 'makePhoneCall');
    expect(noTap.error).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/user tap/) });
    expect(s.connected.host.device.dials).toHaveLength(1);
  });

  it('base.image (host temporary files; previews limited to assets, own files and manifest domains)', async () => {
    const s = await session(alice);
    s.connected.host.sheets.queue('image', {
      images: [
        { type: 'image/png', width: 4000, height: 3000, size: 2_400_000 },
        { type: 'image/jpeg', width: 800, height: 600, size: 91_000 },
        { type: 'image/jpeg', width: 640, height: 480, size: 40_000 },
      ],
    });
    const { images } = valid('base.image', 'chooseImage', await tapCall(s.app, 'chooseImage'));
    expect(images).toHaveLength(2); // count: 2
    expect(images[0]).toMatchObject({ type: 'image/jpeg', width: 1080, height: 810 });
    expect(images[0].tempFilePath).toMatch(/^lilyfile:\/\/tmp\/[0-9a-f]{24}\.jpg$/);
    expect(images[1]).toMatchObject({ width: 800, height: 600, size: 91_000 });
    valid('base.image', 'previewImage', await tapCall(s.app, 'previewImage', { urls: [images[0].tempFilePath, 'assets/poster.png'], current: 'assets/poster.png' }));
    expect(s.app.device.previews.at(-1)).toEqual({ urls: [images[0].tempFilePath, 'assets/poster.png'], current: 'assets/poster.png' });
    for (const url of ['https://evil.example/a.png', 'assets/missing.png', 'lilyfile://tmp/aaaaaaaaaaaaaaaaaaaaaaaa.jpg', 'http://api.basetour.test/a.png']) {
      expect((await tapCall(s.app, 'previewImage', { urls: [url] })).error?.code).toBe('PERMISSION_DENIED');
    }
  });

  it('base.support (server-side FAQ)', async () => {
    const s = await session(alice);
    const res = valid('base.support', 'openCustomerService', await tapCall(s.app, 'openCustomerService'));
    expect(res.answers.length).toBeGreaterThan(0);
    expect(res.ticketId).toBeNull();
  });

  it('validated every base method', () => {
    expect([...validated].sort()).toEqual(BASE_METHODS.map(([c, m]) => `${c}.${m}`).sort());
  });
});

/** Params each method's schema refuses. */
const INVALID: Record<string, unknown> = {
  getSystemInfo: { verbose: true },
  getLaunchOptions: { x: 1 },
  canIUse: { schema: 'payment' },
  navigateTo: { url: 42 },
  navigateBack: { delta: 0 },
  redirectTo: {},
  reLaunch: { url: 'javascript:alert(1)' },
  showToast: { title: '' },
  showModal: { title: '没有内容' },
  showLoading: {},
  hideLoading: { now: true },
  showActionSheet: { itemList: [] },
  setNavigationBarTitle: { title: 'x'.repeat(33) },
  setStorage: { key: 42, data: 1 },
  getStorage: {},
  removeStorage: { key: '' },
  clearStorage: { all: true },
  getStorageInfo: { x: 1 },
  request: { url: 'ftp://api.basetour.test/quote' },
  getLocation: { type: 'bd09' },
  chooseLocation: { latitude: 91 },
  scanCode: { scanType: ['dataMatrix'] },
  setClipboardData: { data: 42 },
  getClipboardData: { x: 1 },
  navigateToMiniApp: { path: 'pages/index/index' },
  navigateBackMiniApp: { extraData: 'b_5521' },
  log: { level: 'loud', message: 'x' },
  reportError: { name: 'TypeError' },
  getNetworkType: { x: 1 },
  onNetworkStatusChange: { x: 1 },
  makePhoneCall: { phoneNumber: 'call me maybe' },
  chooseImage: { count: 10 },
  previewImage: { urls: [] },
  openCustomerService: { question: '' },
};

describe('invalid params: INVALID_PARAMS naming the field', () => {
  it('covers every base method', () => {
    expect(Object.keys(INVALID).sort()).toEqual(BASE_METHODS.map(([, m]) => m).sort());
  });

  it.each(BASE)('$id', async ({ id, methods }) => {
    const s = await session(alice);
    s.connected.host.sheets.handle('consent', () => ({ granted: true }));
    for (const method of methods) {
      const outcome = await tapCall(s.app, method, INVALID[method]);
      expect(outcome.error?.code, `${id}.${method}`).toBe('INVALID_PARAMS');
      expect(outcome.error?.message.length).toBeGreaterThan(10);
    }
    // Nothing was shown or done for a refused call.
    expect(s.connected.host.sheets.shown.filter((x) => x.kind !== 'consent')).toEqual([]);
    expect(s.app.toasts).toEqual([]);
  });
});

describe('no grant: PERMISSION_DENIED', () => {
  const missing = (appId: string) => ALL.filter((_, i) => (appId === EVEN ? i % 2 === 1 : i % 2 === 0));

  it.each([EVEN, ODD])('%s: granted capabilities work, the others are refused by the host and by the server', async (appId) => {
    const s = await session(alice, appId);
    const sheets = s.connected.host.sheets.handle('consent', () => ({ granted: true }));
    // One granted capability works.
    const works = appId === EVEN ? await tapCall(s.app, 'getSystemInfo') : await tapCall(s.app, 'getStorageInfo');
    expect(works.ok).toBe(true);
    for (const capability of missing(appId)) {
      for (const method of BASE.find((c) => c.id === capability)!.methods) {
        const outcome = await tapCall(s.app, method, method === 'request' ? { url: quoteUrl() } : undefined);
        expect(outcome.error?.code, `${capability}.${method}`).toBe('PERMISSION_DENIED');
        expect(outcome.error?.message).toContain(`${capability} has not been granted`);
      }
      expect(s.connected.denials.filter((d) => d.capability === capability).every((d) => d.gate === 'grant')).toBe(true);
    }
    // Refused before any sheet: no consent asked for a capability the app may not use.
    expect(sheets.shown).toEqual([]);
    // The server refuses them too when the host is bypassed.
    const { launchToken } = s.launched.info;
    for (const capability of missing(appId).filter((c) => registry.get(c)!.side === 'server')) {
      const method = BASE.find((c) => c.id === capability)!.methods[0]!;
      const params: Record<string, Record<string, unknown>> = { 'base.storage': {}, 'base.request': { url: quoteUrl() }, 'base.log': { message: 'x' }, 'base.support': { question: '退款' } };
      const direct = (await s.connected.connection.socket
        .timeout(10_000)
        .emitWithAck('call', { launchToken, capability, method, params: params[capability]!, callId: 'direct' })) as Response<unknown>;
      expect(direct.error?.code, capability).toBe('PERMISSION_DENIED');
    }
  });

  it('canIUse reports a declared but ungranted capability as notGranted', async () => {
    const s = await session(alice, EVEN);
    expect((await tapCall(s.app, 'canIUse', { schema: 'base.storage.getStorage' })).result).toEqual({ available: false, reason: 'notGranted' });
    expect((await tapCall(s.app, 'canIUse', { schema: 'base.request' })).result).toEqual({ available: true, reason: 'ok' });
  });
});

describe('no consent: the host asks in its sheet, records the answer, and proceeds or answers CONSENT_REQUIRED', () => {
  it('location (scope.location) and clipboard reads (scope.clipboard)', async () => {
    const bob = await newUser(srv, 'tour-consent');
    const s = await session(bob);
    const sheets = s.connected.host.sheets;
    const consents = async () => (await http(srv.baseUrl, 'GET', '/api/consents', { token: bob.token })).body.apps[0]?.scopes ?? [];
    const consentSheets = () => sheets.shown.filter((x) => x.kind === 'consent');

    // Refused: CONSENT_REQUIRED, and the refusal is stored on the server.
    sheets.queue('consent', { granted: false });
    expect((await tapCall(s.app, 'getLocation')).error?.code).toBe('CONSENT_REQUIRED');
    expect(consentSheets()).toHaveLength(1);
    // The sheet shows the server's data: app name, purpose, the manifest's reason.
    expect(consentSheets()[0]!.request).toMatchObject({
      appId: MAIN,
      scope: 'scope.location',
      appName: 'Base Tour',
      purpose: { zh: expect.stringMatching(/上车点/), en: expect.stringMatching(/pick-up point/) },
      reasons: ['Finds the pick-up point nearest to you.'],
    });
    expect(await consents()).toEqual([expect.objectContaining({ scope: 'scope.location', status: 'refused' })]);

    // Asked again on the next use; accepted: the call proceeds, and the consent is stored.
    sheets.queue('consent', { granted: true }).queue('location', { name: '人民广场', address: '上海市黄浦区人民大道', latitude: 31.2317, longitude: 121.4759 });
    expectValidResult('base.location', 'chooseLocation', await tapCall(s.app, 'chooseLocation'));
    expect(consentSheets()).toHaveLength(2);
    expect(await consents()).toEqual([expect.objectContaining({ scope: 'scope.location', status: 'granted' })]);
    // Granted once for the scope: both methods go on without asking.
    expectValidResult('base.location', 'getLocation', await tapCall(s.app, 'getLocation'));
    expect(consentSheets()).toHaveLength(2);

    // Writing the clipboard needs no consent; reading it does.
    expectValidResult('base.clipboard', 'setClipboardData', await tapCall(s.app, 'setClipboardData', { data: 'SPRING2025' }));
    expect(consentSheets()).toHaveLength(2);
    sheets.queue('consent', { granted: false });
    expect((await tapCall(s.app, 'getClipboardData')).error?.code).toBe('CONSENT_REQUIRED');
    expect(consentSheets().at(-1)!.request).toMatchObject({ scope: 'scope.clipboard', purpose: expect.objectContaining({ en: expect.stringMatching(/Paste/) }) });
    sheets.queue('consent', { granted: true });
    expect(expectValidResult('base.clipboard', 'getClipboardData', await tapCall(s.app, 'getClipboardData'))).toEqual({ data: 'SPRING2025' });
    expect(consentSheets()).toHaveLength(4);

    // Revoked in settings: the host hears of it and asks again (dismissed: CONSENT_REQUIRED).
    expect((await http(srv.baseUrl, 'DELETE', `/api/consents/${MAIN}/scope.location`, { token: bob.token })).status).toBe(204);
    await until(() => s.launched.consents.get('scope.location')?.status === 'revoked');
    expect((await tapCall(s.app, 'getLocation')).error?.code).toBe('CONSENT_REQUIRED');
    expect(consentSheets()).toHaveLength(5);
    expect(consentSheets().at(-1)!.answeredBy).toBe('default');
  });
});

describe('rate limit: RATE_LIMITED after a burst, for every method', () => {
  let carol: { token: string; id: string };
  beforeAll(async () => {
    carol = await newUser(srv, 'tour-burst');
    await srv.booted.deps.apps.setTesters(MAIN, [alice.id, carol.id], { kind: 'ops', id: 'ops-test' });
  });

  it.each(BASE)('$id ($side side, $rateTier tier)', async ({ id, side, rateTier, methods }) => {
    // Sandbox, so that base.request can reach the http back end.
    const s = await session(carol, MAIN, { env: 'sandbox' });
    s.connected.host.sheets.handle('consent', () => ({ granted: true }));
    const tier = RATE_TIERS[rateTier];
    // Host-side calls go out at once (inside the tap, so gestures count); server-backed ones in
    // chunks that stay under the socket's in-flight cap (and base.request's concurrency cap), over
    // three times the burst so that the server's refill cannot keep up.
    const spec =
      side === 'host'
        ? { times: tier.burst * 2 }
        : { times: tier.burst * 3, chunk: id === 'base.request' ? 4 : id === 'base.support' ? 10 : 30 };
    const args = id === 'base.request' ? { request: { url: quoteUrl() } } : {};
    for (const [method, params] of Object.entries(args)) await s.app.input('onArgs', JSON.stringify({ method, params }));
    const tally = await burst(s.app, { label: id.replace('.', '-'), methods, ...spec });
    // Calls that need the same consent at once share one sheet.
    expect(s.connected.host.sheets.shown.filter((x) => x.kind === 'consent').length).toBeLessThanOrEqual(1);
    for (const method of methods) {
      expect(tally[method]?.RATE_LIMITED, `${id}.${method}: ${JSON.stringify(tally[method])}`).toBeGreaterThan(0);
      expect(tally[method]!.retryAfterSeconds, `${id}.${method}`).toBeGreaterThanOrEqual(1);
    }
    const allowed = Object.values(tally).reduce((n, t) => n + Object.entries(t).filter(([k]) => k !== 'RATE_LIMITED' && k !== 'retryAfterSeconds').reduce((a, [, v]) => a + (v as number), 0), 0);
    expect(allowed).toBeGreaterThanOrEqual(tier.burst);
    if (side === 'host') {
      // The whole burst reaches the host's gate at once: at most a second's refill on a slow machine.
      expect(allowed).toBeLessThanOrEqual(tier.burst + Math.ceil(tier.perMinute / 60));
      expect(s.connected.denials.some((d) => d.capability === id && d.gate === 'flow' && d.code === 'RATE_LIMITED')).toBe(true);
    }
  });
});
