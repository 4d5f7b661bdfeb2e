/**
 * The container logic of one open mini-app, with a fake runtime worker and a fake bridge: visible
 * capabilities, the host gate over live grants and app status, host capabilities, the consent,
 * cashier and confirm sheets, token refresh, and closing.
 */
import { describe, expect, it } from 'vitest';
import type { BridgeAnswer, BridgeCall } from '../../../protocol/bridge.ts';
import type { BridgeCallRequest, HostInput, ServerToClientEvents } from '../../../protocol/socket.ts';
import type { LaunchInfo } from '../api/bridge.ts';
import type { CashierSummary } from '../api/types.ts';
import { CATALOG } from '../test-support/catalog.ts';
import type { InstanceHandlers, Opened } from './client.ts';
import type { OpenMessage } from './protocol.ts';
import { MiniAppSession, type HostNotice, type SessionDeps } from './session.ts';
import type { SheetAnswers, SheetKind, SheetRequests } from './sheets.ts';

const catalog = CATALOG;

function launchInfo(over: Partial<LaunchInfo> = {}): LaunchInfo {
  return {
    instanceId: 'i_1',
    appId: 'com.test.app',
    env: 'production',
    version: '1.0.0',
    trial: false,
    app: { name: '测试应用', icon: 'assets/icon.png', category: 'travel' },
    openId: 'o_abcdefgh',
    launchToken: 'lt_1',
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
    package: { url: '/api/packages/d1', digest: 'd1' },
    release: { record: { appId: 'com.test.app', env: 'production', version: '1.0.0', packageDigest: 'd1', manifestDigest: 'm1', grantedCapabilities: [], issuedAt: '', bankKeySerial: 's' }, signature: 'sig' },
    bank: { serial: 's', publicKey: '04ab' },
    manifest: {
      capabilities: ['base.ui', 'base.navigate', 'base.system', 'payment.cashier', 'payment.wallet', 'member.points', 'base.image'].map((id) => ({ id, reason: `needs ${id}` })),
      domains: [],
    },
    grants: { 'base.ui': null, 'base.navigate': null, 'base.system': null, 'payment.cashier': null, 'payment.wallet': null, 'member.points': null, 'base.image': null },
    consents: {},
    ...over,
  };
}

/** Everything a test can look at and steer. */
function harness(options: { held?: boolean; info?: LaunchInfo } = {}) {
  const info = options.info ?? launchInfo();
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const sent: { req: Pick<BridgeCallRequest, 'capability' | 'method' | 'params' | 'callId'>; host?: HostInput; userGesture?: boolean }[] = [];
  const answers: BridgeAnswer[] = [];
  const opened: Omit<OpenMessage, 'type'>[] = [];
  const answered: { callId: number; answer: BridgeAnswer }[] = [];
  const navigated: { callId: number; method: string }[] = [];
  const sheetsShown: { kind: SheetKind; request: unknown }[] = [];
  const sheetAnswers: unknown[] = [];
  const notices: HostNotice[] = [];
  const toasts: string[] = [];
  const decided: [string, string, boolean][] = [];
  const hostEvents: { capability: string; method: string; payload: unknown }[] = [];
  const network = new Set<(state: { isConnected: boolean; networkType: 'unknown' | 'none' }) => void>();
  let handlers: InstanceHandlers | undefined;
  let closed = 0;
  let detached = 0;
  let refreshed = 0;

  const deps: SessionDeps = {
    bridge: {
      launch: async () => info,
      packageText: async () => '{"format":"lily-package/1"}',
      call: async (_info, req, opts) => {
        sent.push({ req, ...(opts?.host ? { host: opts.host } : {}), ...(opts?.userGesture ? { userGesture: true } : {}) });
        return answers.shift() ?? { result: { ok: true } };
      },
      refresh: async (i) => {
        refreshed++;
        i.launchToken = 'lt_2';
        return true;
      },
      report: async () => undefined,
      detach: async () => {
        detached++;
      },
      on: ((event: keyof ServerToClientEvents, l: (p: unknown) => void) => {
        listeners.set(event, [...(listeners.get(event) ?? []), l]);
        return () => listeners.set(event, (listeners.get(event) ?? []).filter((x) => x !== l));
      }) as SessionDeps['bridge']['on'],
    },
    runtime: {
      holds: () => options.held === true,
      open: async (msg, h) => {
        opened.push(msg);
        handlers = h;
        return { appId: info.appId, pages: [{ pageId: 1, route: 'pages/index/index', query: {} }], assets: [], cached: false, ms: 5 } satisfies Opened;
      },
      event: async () => ({ status: 'handled' }),
      hostEvent: (_id, capability, method, payload) => hostEvents.push({ capability, method, payload }),
      back: async () => ({ ok: true }),
      answer: (_id, callId, answer) => answered.push({ callId, answer }),
      navigate: (_id, callId, req) => navigated.push({ callId, method: req.method }),
      close: () => {
        closed++;
      },
    },
    catalog,
    api: {
      consentSheet: async (appId, scope) => ({ appId, appName: '测试应用', appIcon: '', scope, title: 'Wallet', titleZh: '钱包余额', description: { zh: '', en: '' }, purpose: { zh: 'p', en: 'p' }, reasons: [] }),
      decideConsent: async (appId, scope, granted) => {
        decided.push([appId, scope, granted]);
        return { appId, scope, status: granted ? 'granted' : 'refused', expiresAt: null };
      },
      confirmFacts: async (_token, capability) => [
        { key: 'merchant.name', value: '测试商户', kind: 'text' as const },
        ...(capability === 'payment.deposit' ? [{ key: 'hold.amount', value: 10_000, kind: 'money' as const }] : []),
      ],
      addresses: async () => [
        { id: 'addr_1', recipientName: '李娜', phoneNumber: '13800000001', province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道 100 号', postalCode: '200120' },
        { id: 'addr_2', recipientName: '李娜', phoneNumber: '13800000001', province: '北京市', city: '北京市', district: '朝阳区', detail: '建国路 1 号', postalCode: '100022' },
      ],
      invoiceTitles: async () => [],
      cashier: async () =>
        ({ orderId: 'ord_1', appId: info.appId, appName: '测试应用', merchantName: '测试商户', description: 'Ticket', amount: 1250, expiresAt: 0, env: 'production', balance: 100_000, cards: [], installmentPlans: [], installmentMinAmount: 60_000 }) satisfies CashierSummary,
    },
    ui: {
      sheet: async <K extends SheetKind>(kind: K, request: SheetRequests[K]) => {
        sheetsShown.push({ kind, request });
        return (sheetAnswers.shift() ?? { cancel: true }) as SheetAnswers[K];
      },
      toast: (t) => toasts.push(t.title),
      loading: () => undefined,
      title: () => undefined,
      render: () => undefined,
      pages: () => undefined,
      stopped: () => undefined,
      notice: (n) => notices.push(n),
    },
    system: () => ({ platform: 'web', hostVersion: '1.0.0', sdkVersion: '1.0.0', language: 'zh-CN', theme: 'light', windowWidth: 390, windowHeight: 700, pixelRatio: 2, fontScale: 1 }),
    networkChanges: (listener) => {
      network.add(listener);
      return () => network.delete(listener);
    },
    shareLabels: () => ({ title: '分享到', contacts: '发送给好友', moments: '分享到动态', link: '复制链接' }),
  };
  const push = <E extends keyof ServerToClientEvents>(event: E, payload: Parameters<ServerToClientEvents[E]>[0]) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  const call = (capability: string, method: string, params: unknown = {}, userGesture = true): BridgeCall => ({ instanceId: info.instanceId, appId: info.appId, capability, method, params, callId: Math.floor(Math.random() * 1e6), userGesture });
  return {
    deps,
    info,
    push,
    call,
    sent,
    answers,
    opened,
    answered,
    navigated,
    sheetsShown,
    sheetAnswers,
    notices,
    toasts,
    decided,
    hostEvents,
    network,
    handlers: () => handlers!,
    counts: () => ({ closed, detached, refreshed, listeners: [...listeners.values()].flat().length }),
  };
}

describe('MiniAppSession', () => {
  it('starts the app with the capabilities it may see: declared, granted now, supported by this host', async () => {
    const h = harness({ info: launchInfo({ grants: { 'base.ui': null, 'payment.cashier': null, 'base.image': null } }) });
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app', query: { prepayId: 'pp_1' } });
    expect(s.state).toBe('running');
    const caps = Object.fromEntries(h.opened[0]!.capabilities.map((c) => [c.id, c.methods]));
    expect(Object.keys(caps).sort()).toEqual(['base.ui', 'payment.cashier']);
    expect(caps['payment.cashier']).toEqual(['requestPayment']);
    expect(h.opened[0]).toMatchObject({ digest: 'd1', packageText: expect.any(String), launch: { query: { prepayId: 'pp_1' }, scene: 'marketplace' } });
  });

  it('does not send the package again when the worker holds it', async () => {
    const h = harness({ held: true });
    await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    expect(h.opened[0]!.packageText).toBeUndefined();
  });

  it('answers host capabilities itself: toast, modal, navigation, system info', async () => {
    const h = harness();
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    expect(await s.handleCall(h.call('base.ui', 'showToast', { title: 'Saved' }))).toEqual({ result: { ok: true } });
    expect(h.toasts).toEqual(['Saved']);
    h.sheetAnswers.push({ confirm: true });
    expect(await s.handleCall(h.call('base.ui', 'showModal', { content: 'Sure?' }))).toEqual({ result: { confirm: true, cancel: false } });
    expect(h.sheetsShown[0]).toMatchObject({ kind: 'modal', request: { appName: '测试应用', content: 'Sure?', showCancel: true } });
    const nav = h.call('base.navigate', 'navigateTo', { url: 'pages/about/about' });
    expect(await s.handleCall(nav)).toBe('navigated');
    expect(h.navigated).toEqual([{ callId: nav.callId, method: 'navigateTo' }]);
    const info = await s.handleCall(h.call('base.system', 'getSystemInfo'));
    expect(info).toMatchObject({ result: { platform: 'web', language: 'zh-CN' } });
    expect(await s.handleCall(h.call('base.ui', 'showToast', { title: '' }))).toMatchObject({ error: { code: 'INVALID_PARAMS' } });
    expect(h.sent).toEqual([]);
  });

  it('refuses at once, with a host notice, a capability ops revoke while the app is open', async () => {
    const h = harness();
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.push('grant:changed', { appId: 'com.test.app', env: 'production', capability: 'base.ui', status: 'revoked' });
    h.push('grant:changed', { appId: 'other.app', env: 'production', capability: 'base.system', status: 'revoked' });
    expect(await s.handleCall(h.call('base.ui', 'showToast', { title: 'x' }))).toMatchObject({ error: { code: 'PERMISSION_DENIED' } });
    expect(h.notices).toEqual([{ kind: 'error', code: 'PERMISSION_DENIED', capability: 'base.ui' }]);
    expect(await s.handleCall(h.call('base.system', 'getSystemInfo'))).toHaveProperty('result');
    h.push('grant:changed', { appId: 'com.test.app', env: 'production', capability: 'base.ui', status: 'granted' });
    expect(await s.handleCall(h.call('base.ui', 'showToast', { title: 'x' }))).toEqual({ result: { ok: true } });
  });

  it('stops every call when the app is suspended, and tells the user', async () => {
    const h = harness();
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.push('app:status', { appId: 'com.test.app', status: 'suspended', reason: 'complaints' });
    expect(h.notices[0]).toEqual({ kind: 'suspended', status: 'suspended', reason: 'complaints' });
    expect(await s.handleCall(h.call('payment.wallet', 'getBalance'))).toMatchObject({ error: { code: 'APP_SUSPENDED' } });
    expect(h.sent).toEqual([]);
  });

  it('asks for consent when the server needs it, records the answer and retries once', async () => {
    const h = harness();
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.answers.push({ error: { code: 'CONSENT_REQUIRED', message: 'ask' } }, { result: { balance: 100, currency: 'CNY' } });
    h.sheetAnswers.push({ granted: true });
    expect(await s.handleCall(h.call('payment.wallet', 'getBalance', {}, false))).toEqual({ result: { balance: 100, currency: 'CNY' } });
    expect(h.sheetsShown.map((x) => x.kind)).toEqual(['consent']);
    expect(h.sheetsShown[0]!.request).toMatchObject({ sheet: { scope: 'scope.wallet', appName: '测试应用' } });
    expect(h.decided).toEqual([['com.test.app', 'scope.wallet', true]]);
    expect(h.sent).toHaveLength(2);
  });

  it('does not ask again in this session after the user refused', async () => {
    const h = harness();
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.answers.push({ error: { code: 'CONSENT_REQUIRED', message: 'ask' } }, { error: { code: 'CONSENT_REQUIRED', message: 'ask' } });
    h.sheetAnswers.push({ granted: false });
    expect(await s.handleCall(h.call('payment.wallet', 'getBalance'))).toMatchObject({ error: { code: 'CONSENT_REQUIRED' } });
    expect(await s.handleCall(h.call('payment.wallet', 'getBalance'))).toMatchObject({ error: { code: 'CONSENT_REQUIRED' } });
    expect(h.sheetsShown).toHaveLength(1);
    expect(h.decided).toEqual([['com.test.app', 'scope.wallet', false]]);
    expect(h.sent).toHaveLength(2);
  });

  it('pays through the cashier: the PIN rides beside the call, a wrong PIN shows the sheet again', async () => {
    const h = harness();
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.answers.push({ error: { code: 'PIN_INCORRECT', message: 'wrong' } }, { result: { orderId: 'ord_1', status: 'paid', paidAmount: 1250, discountAmount: 0 } });
    h.sheetAnswers.push({ pin: '000000', cardId: null, installmentTerm: null }, { pin: '123456', cardId: 'card_1', installmentTerm: null });
    const paid = await s.handleCall(h.call('payment.cashier', 'requestPayment', { prepayId: 'pp_1' }));
    expect(paid).toMatchObject({ result: { orderId: 'ord_1' } });
    expect(h.sheetsShown.map((x) => [x.kind, (x.request as { error?: string }).error])).toEqual([
      ['cashier', undefined],
      ['cashier', 'PIN_INCORRECT'],
    ]);
    expect(h.sent.map((x) => x.host)).toEqual([
      { confirmed: true, pin: '000000' },
      { confirmed: true, pin: '123456', cardId: 'card_1' },
    ]);
    expect(h.sent[0]!.req.params).toEqual({ prepayId: 'pp_1' });
    expect(h.sent[0]!.userGesture).toBe(true);
    expect(h.notices).toEqual([{ kind: 'paid', amount: 1250, discount: 0 }]);
  });

  it('answers USER_CANCELLED, sending nothing, when the user closes the cashier', async () => {
    const h = harness();
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    expect(await s.handleCall(h.call('payment.cashier', 'requestPayment', { prepayId: 'pp_1' }))).toMatchObject({ error: { code: 'USER_CANCELLED' } });
    expect(h.sent).toEqual([]);
  });

  it('shows the confirm sheet a method declares, labelling the mini-app’s facts', async () => {
    const h = harness();
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.sheetAnswers.push({ confirmed: true });
    await s.handleCall(h.call('member.points', 'redeemPoints', { points: 200, description: 'Coffee', outRedeemNo: 'r1' }));
    expect(h.sheetsShown[0]).toMatchObject({ kind: 'confirm', request: { kind: 'points', needsPin: false } });
    expect((h.sheetsShown[0]!.request as { facts: unknown[] }).facts).toEqual([
      { label: 'merchant.name', value: '测试商户', kind: 'text', source: 'server' },
      { label: 'points', value: 200, kind: 'text', source: 'app' },
      { label: 'description', value: 'Coffee', kind: 'text', source: 'app' },
    ]);
    expect(h.sent[0]!.host).toEqual({ confirmed: true });
  });

  it('shows a deposit hold as the server has it and asks for the PIN', async () => {
    const h = harness({ info: launchInfo({ manifest: { capabilities: [{ id: 'payment.deposit', reason: 'deposit' }], domains: [] }, grants: { 'payment.deposit': null } }) });
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.sheetAnswers.push({ confirmed: true, pin: '123456' });
    await s.handleCall(h.call('payment.deposit', 'authorizeHold', { holdId: 'hold_1' }));
    expect(h.sheetsShown[0]).toMatchObject({ kind: 'confirm', request: { kind: 'hold', needsPin: true } });
    expect((h.sheetsShown[0]!.request as { facts: unknown[] }).facts).toContainEqual({ label: 'hold.amount', value: 10_000, kind: 'money', source: 'server' });
    expect(h.sent[0]!.host).toEqual({ confirmed: true, pin: '123456' });
  });

  it('asks before accepting message templates, and sends the answer beside the call', async () => {
    const h = harness({ info: launchInfo({ manifest: { capabilities: [{ id: 'marketing.subscribe', reason: 'tickets' }], domains: [] }, grants: { 'marketing.subscribe': null } }) });
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.sheetAnswers.push({ confirmed: true });
    await s.handleCall(h.call('marketing.subscribe', 'requestSubscribe', { templateIds: ['tpl_Order'] }));
    expect(h.sheetsShown[0]).toMatchObject({ kind: 'confirm', request: { kind: 'subscribe', capability: 'marketing.subscribe', needsPin: false } });
    expect(h.sent[0]!.host).toEqual({ confirmed: true });
    // Closed: nothing is sent, the mini-app hears USER_CANCELLED.
    expect(await s.handleCall(h.call('marketing.subscribe', 'requestSubscribe', { templateIds: ['tpl_Order'] }))).toMatchObject({ error: { code: 'USER_CANCELLED' } });
    expect(h.sent).toHaveLength(1);
  });

  it('sends the coupon picked in the cashier beside the payment', async () => {
    const h = harness();
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.answers.push({ result: { orderId: 'ord_1', status: 'paid', paidAmount: 750, discountAmount: 500 } });
    h.sheetAnswers.push({ pin: '123456', cardId: null, installmentTerm: null, couponId: 'cp_1' });
    await s.handleCall(h.call('payment.cashier', 'requestPayment', { prepayId: 'pp_1' }));
    expect(h.sent[0]!.host).toEqual({ confirmed: true, pin: '123456', couponId: 'cp_1' });
    expect(h.notices).toEqual([{ kind: 'paid', amount: 750, discount: 500 }]);
  });

  it('shows its own share sheet and sends the channel the user picked beside the call', async () => {
    const h = harness({ info: launchInfo({ manifest: { capabilities: [{ id: 'marketing.share', reason: 'share' }], domains: [] }, grants: { 'marketing.share': null } }) });
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.sheetAnswers.push({ tapIndex: 1 });
    h.answers.push({ result: { shareCode: 'R8K2Q7', channel: 'moments' } });
    expect(await s.handleCall(h.call('marketing.share', 'share', { title: 'A film', path: 'pages/film/film?id=1' }))).toEqual({ result: { shareCode: 'R8K2Q7', channel: 'moments' } });
    expect(h.sheetsShown[0]).toMatchObject({ kind: 'actionSheet', request: { itemList: ['发送给好友', '分享到动态', '复制链接'], alertText: '分享到' } });
    expect(h.sent[0]).toMatchObject({ req: { capability: 'marketing.share', method: 'share' }, host: { confirmed: true, pickedId: 'moments' } });
    // Closed: nothing is sent.
    expect(await s.handleCall(h.call('marketing.share', 'share', { title: 'A film', path: 'pages/film/film' }))).toMatchObject({ error: { code: 'USER_CANCELLED' } });
    expect(h.sent).toHaveLength(1);
  });

  it('picks a saved address in its own sheet after consent; only the picked id travels', async () => {
    const caps = ['member.address', 'member.invoice'];
    const h = harness({
      info: launchInfo({
        manifest: { capabilities: caps.map((id) => ({ id, reason: id })), domains: [] },
        grants: { 'member.address': null, 'member.invoice': null },
        consents: { 'scope.address': { status: 'granted', expiresAt: null }, 'scope.invoice': { status: 'granted', expiresAt: null } },
      }),
    });
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.sheetAnswers.push({ tapIndex: 1 });
    h.answers.push({ result: { recipientName: '李娜' } });
    expect(await s.handleCall(h.call('member.address', 'chooseAddress'))).toEqual({ result: { recipientName: '李娜' } });
    expect(h.sheetsShown.at(-1)).toMatchObject({ kind: 'actionSheet', request: { itemList: [expect.stringContaining('世纪大道'), expect.stringContaining('建国路')] } });
    expect(h.sent.at(-1)).toMatchObject({ req: { capability: 'member.address', method: 'chooseAddress' }, host: { confirmed: true, pickedId: 'addr_2' } });
    // Nothing saved: a clear answer, no sheet, nothing sent.
    const sent = h.sent.length;
    expect(await s.handleCall(h.call('member.invoice', 'chooseInvoiceTitle'))).toMatchObject({ error: { code: 'NOT_FOUND', message: 'The user has no saved invoice title yet.' } });
    expect(h.sent).toHaveLength(sent);
  });

  it('delivers connection changes to an app that listens, and stops at close', async () => {
    const h = harness({ info: launchInfo({ manifest: { capabilities: [{ id: 'base.network', reason: 'offline notice' }], domains: [] }, grants: { 'base.network': null } }) });
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    expect(h.network.size).toBe(0);
    expect(await s.handleCall(h.call('base.network', 'onNetworkStatusChange'))).toEqual({ result: { ok: true } });
    expect(await s.handleCall(h.call('base.network', 'onNetworkStatusChange'))).toEqual({ result: { ok: true } });
    expect(h.network.size).toBe(1);
    for (const l of h.network) l({ isConnected: false, networkType: 'none' });
    expect(h.hostEvents).toEqual([{ capability: 'base.network', method: 'onNetworkStatusChange', payload: { isConnected: false, networkType: 'none' } }]);
    s.close();
    expect(h.network.size).toBe(0);
  });

  it('refreshes an expiring launch token and retries once', async () => {
    const h = harness({ info: launchInfo({ expiresAt: new Date(Date.now() + 1000).toISOString() }) });
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    h.answers.push({ error: { code: 'LAUNCH_TOKEN_INVALID', message: 'expired' } }, { result: { points: 5 } });
    expect(await s.handleCall(h.call('member.points', 'getPoints'))).toEqual({ result: { points: 5 } });
    expect(h.counts().refreshed).toBe(1);
  });

  it('answers guest calls the runtime sends, and closes cleanly', async () => {
    const h = harness();
    const s = await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    const c = h.call('base.ui', 'hideLoading');
    h.handlers().call(c);
    await new Promise((r) => setTimeout(r, 0));
    expect(h.answered).toEqual([{ callId: c.callId, answer: { result: { ok: true } } }]);
    s.close();
    s.close();
    expect(h.counts()).toMatchObject({ closed: 1, detached: 1, listeners: 0 });
    expect(await s.handleCall(h.call('base.ui', 'hideLoading'))).toMatchObject({ error: { code: 'INSTANCE_CLOSED' } });
  });

  it('shows the page below as it was when going back', async () => {
    const h = harness();
    const rendered: number[] = [];
    h.deps.ui.render = (u) => rendered.push(u.pageId);
    await MiniAppSession.open(h.deps, { appId: 'com.test.app' });
    const hd = h.handlers();
    const tree = { type: 'view' as const, props: {}, children: [] };
    hd.render({ pageId: 1, route: 'pages/index/index', tree });
    hd.pages([
      { pageId: 1, route: 'pages/index/index', query: {} },
      { pageId: 2, route: 'pages/about/about', query: {} },
    ]);
    hd.render({ pageId: 2, route: 'pages/about/about', tree });
    hd.render({ pageId: 1, route: 'pages/index/index', tree }); // a page below the top: not shown
    hd.pages([{ pageId: 1, route: 'pages/index/index', query: {} }]);
    expect(rendered).toEqual([1, 2, 1]);
  });
});
