/**
 * The runtime's guest API and host API: globals, lifecycle, bridge envelope and callbacks,
 * events, timers, navigation, errors, closing.
 */
import { describe, expect, it } from 'vitest';
import type { BridgeCall } from '../../protocol/bridge.ts';
import { HeadlessHost, type HeadlessBridge } from '../../runtime/headless/index.ts';
import { MiniAppInstance, type RenderUpdate } from '../../runtime/instance.ts';
import { ManualScheduler } from '../../runtime/scheduler.ts';
import { useLeakCheckedEngine } from './support/engine.ts';
import { packSources, TEST_BANK, testManifest } from './support/packages.ts';

const engine = useLeakCheckedEngine();

async function open(page: string, options: { bridge?: HeadlessBridge; manifest?: Parameters<typeof packSources>[1]; extra?: Record<string, string> } = {}) {
  const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine(), ...(options.bridge ? { bridge: options.bridge } : {}) });
  const pkg = await packSources({ 'pages/index/index.js': page, ...options.extra }, options.manifest);
  return { host, app: await host.open(pkg) };
}

/** A page whose `go` handler runs `body` (async) and shows `this.data.out`. */
const runner = (body: string) => `
Page({
  data: { out: '' },
  async go() { ${body} },
  render: (d) => h('button', { bindtap: 'go' }, String(d.out)),
});`;

describe('guest globals', () => {
  it('are the ECMAScript built-ins plus exactly the Lily API', async () => {
    const { app } = await open(runner(`this.setData({ out: Object.getOwnPropertyNames(globalThis).sort().join(',') });`));
    await app.tap('go');
    const names = new Set(app.text().split(','));
    for (const name of ['App', 'Page', 'getApp', 'getCurrentPages', 'h', 'console', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'lily']) {
      expect(names.has(name), name).toBe(true);
    }
    const standard = new Set(
      (
        'Object,Function,Array,Number,parseFloat,parseInt,Infinity,NaN,undefined,Boolean,String,Symbol,Date,Promise,RegExp,Error,AggregateError,' +
        'EvalError,RangeError,ReferenceError,SyntaxError,TypeError,URIError,globalThis,JSON,Math,Intl,ArrayBuffer,SharedArrayBuffer,Uint8Array,' +
        'Int8Array,Uint16Array,Int16Array,Uint32Array,Int32Array,Float32Array,Float64Array,Uint8ClampedArray,BigUint64Array,BigInt64Array,' +
        'Float16Array,DataView,Map,BigInt,Set,WeakMap,WeakSet,WeakRef,FinalizationRegistry,Proxy,Reflect,decodeURI,decodeURIComponent,' +
        'encodeURI,encodeURIComponent,escape,unescape,isFinite,isNaN,eval,Atomics,Iterator,queueMicrotask,structuredClone,performance,' +
        'InternalError,Error,SuppressedError,DisposableStack,AsyncDisposableStack'
      ).split(','),
    );
    const extra = [...names].filter((n) => !standard.has(n) && !['App', 'Page', 'getApp', 'getCurrentPages', 'h', 'console', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'lily'].includes(n));
    expect(extra).toEqual([]);
    for (const hostThing of ['process', 'require', 'module', 'fetch', 'XMLHttpRequest', 'WebSocket', 'document', 'window', 'self', 'global', 'Buffer', 'os', 'std']) {
      expect(names.has(hostThing), hostThing).toBe(false);
    }
    app.close();
  });

  it('cannot compile code from strings', async () => {
    const { app } = await open(
      runner(`
        const tries = [() => eval('1'), () => Function('return 1')(), () => (function () {}).constructor('return 1')(),
          () => (async function () {}).constructor('return 1'), () => (function* () {}).constructor('yield 1'), () => setTimeout('1', 10)];
        this.setData({ out: tries.map((t) => { try { t(); return 'ran'; } catch (e) { return e.name; } }).join(' ') });`),
    );
    await app.tap('go');
    expect(app.text()).toBe('EvalError EvalError EvalError EvalError EvalError TypeError');
    app.close();
  });

  it('getApp and getCurrentPages', async () => {
    const { app } = await open(runner(`this.setData({ out: getApp().globalData.who + ' ' + getCurrentPages().length + ' ' + getCurrentPages()[0].route });`), {
      extra: { 'app.js': `App({ globalData: { who: 'lily' } });` },
    });
    await app.tap('go');
    expect(app.text()).toBe('lily 1 pages/index/index');
    app.close();
  });
});

describe('the bridge', () => {
  it('stamps appId and instanceId, strips callbacks, and calls success/complete', async () => {
    const seen: BridgeCall[] = [];
    const { app } = await open(
      runner(`
        const log = [];
        const r = await lily.payment.orders.listOrders({ page: 1, appId: 'com.evil', instanceId: 'x', success: (v) => log.push('success:' + v.total), complete: () => log.push('complete') });
        await null; await null;
        this.setData({ out: r.total + ' ' + log.join(',') });`),
      {
        manifest: { capabilities: [{ id: 'payment.orders', reason: 'Lists the user orders.' }] },
        bridge: async (call) => {
          seen.push(call);
          return { result: { total: 3 } };
        },
      },
    );
    await app.tap('go');
    expect(app.text()).toBe('3 success:3,complete');
    expect(seen).toEqual([
      {
        instanceId: app.instance.instanceId,
        appId: 'com.test.app',
        capability: 'payment.orders',
        method: 'listOrders',
        params: { page: 1, appId: 'com.evil', instanceId: 'x' },
        callId: 1,
        userGesture: true,
      },
    ]);
    app.close();
  });

  it('marks calls made while handling a user event, and only those', async () => {
    const seen: BridgeCall[] = [];
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine(), bridge: async (c) => (seen.push(c), { result: null }) });
    const pkg = await packSources(
      {
        'pages/index/index.js': `
          Page({
            onLoad() { lily.marketing.subscribe.requestSubscribe({ from: 'load' }); },
            async go() { await null; lily.marketing.subscribe.requestSubscribe({ from: 'tap' }); setTimeout(() => lily.marketing.subscribe.requestSubscribe({ from: 'timer' }), 10); },
            render: () => h('button', { bindtap: 'go' }, 'go'),
          });`,
      },
      { capabilities: [{ id: 'marketing.subscribe', reason: 'Asks to send ticket reminders.' }] },
    );
    const clock = new ManualScheduler();
    const app = await host.open(pkg, { scheduler: clock });
    await app.tap('go');
    clock.advance(10);
    await app.idle();
    expect(seen.map((c) => [(c.params as { from: string }).from, c.userGesture])).toEqual([
      ['load', false],
      ['tap', true],
      ['timer', false],
    ]);
    app.close();
  });

  it('rejects with {code, message} and calls fail/complete', async () => {
    const { app } = await open(
      runner(`
        const log = [];
        try { await lily.payment.orders.getOrder({ id: 'o1', fail: (e) => log.push('fail:' + e.code), complete: (e) => log.push('complete:' + e.code) }); }
        catch (e) { log.push('caught:' + e.code + ':' + e.message + ':' + (e instanceof Error)); }
        await null; await null;
        this.setData({ out: log.join(' ') });`),
      {
        manifest: { capabilities: [{ id: 'payment.orders', reason: 'Reads an order.' }] },
        bridge: async () => ({ error: { code: 'NOT_FOUND', message: 'No order o1.' } }),
      },
    );
    await app.tap('go');
    expect(app.text()).toBe('fail:NOT_FOUND complete:NOT_FOUND caught:NOT_FOUND:No order o1.:false');
    app.close();
  });

  it('never passes host exceptions or server-fault messages to the guest', async () => {
    let n = 0;
    const { app } = await open(
      runner(`
        const out = [];
        for (let i = 0; i < 3; i++) { try { await lily.payment.orders.listOrders({}); } catch (e) { out.push(e.code + ':' + e.message); } }
        this.setData({ out: out.join(' | ') });`),
      {
        manifest: { capabilities: [{ id: 'payment.orders', reason: 'Lists the user orders.' }] },
        bridge: async () => {
          n++;
          if (n === 1) throw new Error('db password is hunter2');
          if (n === 2) return { error: { code: 'INTERNAL', message: 'stack: at Db.query (/srv/db.ts:12)' } };
          return { error: { code: 'BOGUS' as never, message: 'made up' } };
        },
      },
    );
    await app.tap('go');
    expect(app.text()).not.toMatch(/hunter2|srv|made up/);
    expect(app.text().split(' | ').map((s) => s.split(':')[0])).toEqual(['INTERNAL', 'INTERNAL', 'INTERNAL']);
    app.close();
  });

  it('refuses unknown and undeclared capabilities with UNKNOWN_CAPABILITY without reaching the host', async () => {
    const seen: BridgeCall[] = [];
    const { app } = await open(
      runner(`
        const out = [];
        for (const f of [() => lily.payment.cashier.requestPayment({ prepayId: 'p' }), () => lily.base.ui.explode(), () => lily.nope.thing.doIt()]) {
          try { await f(); out.push('ok'); } catch (e) { out.push(e.code); }
        }
        this.setData({ out: out.join(' ') + ' ' + (typeof lily.payment.cashier) + ' ' + (lily.base.then === undefined) });`),
      { bridge: async (call) => (seen.push(call), { result: null }) },
    );
    await app.tap('go');
    expect(app.text()).toBe('UNKNOWN_CAPABILITY UNKNOWN_CAPABILITY UNKNOWN_CAPABILITY object true');
    expect(seen).toEqual([]);
    expect(app.calls).toEqual([]);
    app.close();
  });

  it("forwards any method of a '*' capability", async () => {
    const seen: string[] = [];
    const host = await HeadlessHost.create({
      bankPublicKey: TEST_BANK.publicKey,
      engine: engine(),
      bridge: async (call) => (seen.push(`${call.capability}.${call.method}`), { result: 'ok' }),
    });
    const pkg = await packSources({ 'pages/index/index.js': runner(`this.setData({ out: await lily.marketing.coupons.claim({ id: 'c1' }) });`) }, {
      capabilities: [{ id: 'marketing.coupons', reason: 'Claims coupons in tests.' }],
    });
    const app = await host.open(pkg);
    await app.tap('go');
    expect(app.text()).toBe('ok');
    expect(seen).toEqual(['marketing.coupons.claim']);
    app.close();
  });

  it('answers server-side capabilities with UNAVAILABLE in standalone mode', async () => {
    const { app } = await open(runner(`try { await lily.payment.orders.listOrders({}); } catch (e) { this.setData({ out: e.code }); }`), {
      manifest: { capabilities: [{ id: 'payment.orders', reason: 'Lists the user orders.' }] },
    });
    await app.tap('go');
    expect(app.text()).toBe('UNAVAILABLE');
    app.close();
  });

  it('refuses params with a __proto__ key', async () => {
    const { app } = await open(runner(`try { await lily.base.ui.showToast(JSON.parse('{"title":"x","__proto__":{"admin":true}}')); } catch (e) { this.setData({ out: e.code }); }`));
    await app.tap('go');
    expect(app.text()).toBe('INVALID_PARAMS');
    expect(app.calls).toEqual([]);
    app.close();
  });
});

describe('host capabilities in the headless host', () => {
  it('showModal, showActionSheet and scanCode take queued answers; nothing queued means dismissed', async () => {
    const { host, app } = await open(
      runner(`
        const out = [];
        out.push((await lily.base.ui.showModal({ content: 'Sure?' })).confirm);
        out.push((await lily.base.ui.showModal({ content: 'Really?' })).confirm);
        out.push((await lily.base.ui.showActionSheet({ itemList: ['a', 'b'] })).tapIndex);
        try { await lily.base.ui.showActionSheet({ itemList: ['a'] }); } catch (e) { out.push(e.code); }
        out.push((await lily.base.scan.scanCode({})).result);
        this.setData({ out: out.join(' ') });`),
      { manifest: { capabilities: [{ id: 'base.ui', reason: 'Dialogs in tests.' }, { id: 'base.scan', reason: 'Scans in tests.' }] } },
    );
    host.sheets.queue('modal', { confirm: true }).queue('actionSheet', { tapIndex: 1 }).handle('scan', () => ({ result: 'TKT-1' }));
    await app.tap('go');
    expect(app.text()).toBe('true false 1 USER_CANCELLED TKT-1');
    expect(host.sheets.shown.map((s) => `${s.kind}:${s.answeredBy}`)).toEqual(['modal:queue', 'modal:default', 'actionSheet:queue', 'actionSheet:default', 'scan:handler']);
    app.close();
  });

  it('lets a server bridge show the consent and cashier sheets', async () => {
    const { host, app } = await open(
      runner(`
        const a = await lily.member.userInfo.getUserInfo();
        const b = await lily.payment.cashier.requestPayment({ prepayId: 'pp_1' }).catch((e) => e.code);
        this.setData({ out: a.nickName + ' ' + b });`),
      {
        manifest: { capabilities: [{ id: 'member.userInfo', reason: 'Greets the user.' }, { id: 'payment.cashier', reason: 'Pays for tickets.' }] },
        bridge: async (call, { sheets }) => {
          if (call.capability === 'member.userInfo') {
            const { granted } = await sheets.show('consent', { appId: call.appId, scope: 'scope.userInfo' });
            return granted ? { result: { nickName: 'Mei' } } : { error: { code: 'CONSENT_REQUIRED', message: 'No consent.' } };
          }
          const answer = await sheets.show('cashier', { appId: call.appId, prepayId: 'pp_1', amount: 1200 });
          return 'pin' in answer ? { result: { paid: true } } : { error: { code: 'USER_CANCELLED', message: 'Cancelled.' } };
        },
      },
    );
    host.sheets.queue('consent', { granted: true });
    await app.tap('go');
    expect(app.text()).toBe('Mei USER_CANCELLED');
    expect(host.sheets.shown.map((s) => s.kind)).toEqual(['consent', 'cashier']);
    app.close();
  });

  it('getSystemInfo, getLaunchOptions and canIUse', async () => {
    const { app } = await open(
      runner(`
        const s = await lily.base.system.getSystemInfo();
        const l = await lily.base.system.getLaunchOptions();
        const a = await lily.base.system.canIUse({ schema: 'base.ui.showToast' });
        const b = await lily.base.system.canIUse({ schema: 'payment.cashier' });
        this.setData({ out: [s.platform, l.path, l.scene, a.available, b.reason].join(' ') });`),
      { manifest: { capabilities: [{ id: 'base.ui', reason: 'Toasts.' }, { id: 'base.system', reason: 'Reads system info.' }] } },
    );
    await app.tap('go');
    expect(app.text()).toBe('headless pages/index/index developer true notDeclared');
    app.close();
  });
});

describe('events', () => {
  it('deliver a sanitized event with target dataset and detail', async () => {
    const { app } = await open(`
      Page({
        data: { out: '' },
        pick(e) { this.setData({ out: JSON.stringify(e) }); },
        typed(e) { this.setData({ out: e.type + ':' + e.detail.value }); },
        render: (d) => h('view', null,
          h('button', { id: 'b1', 'data-item-id': 7, 'data-kind': 'seat', bindtap: 'pick' }, 'pick'),
          h('input', { bindinput: 'typed', value: '' }),
          h('text', null, d.out)),
      });`);
    await app.tap('pick');
    const shown = app.tree!.children[2] as { children: string[] };
    const event = JSON.parse(shown.children[0]!) as unknown;
    expect(event).toMatchObject({ type: 'tap', target: { id: 'b1', dataset: { itemId: 7, kind: 'seat' } }, currentTarget: { id: 'b1' }, detail: {} });
    await app.input('typed', 'abc');
    expect(app.text()).toContain('input:abc');
    app.close();
  });

  it('refuse handlers the current view does not bind', async () => {
    const { app } = await open(`Page({ secret() { this.setData({ x: 1 }); }, shown() {}, render: () => h('button', { bindtap: 'shown' }, 'x') });`);
    const outcome = app.instance.dispatchEvent({ handler: 'secret', type: 'tap' });
    expect(outcome).toMatchObject({ status: 'refused', error: { code: 'INVALID_PARAMS' } });
    expect(app.instance.dispatchEvent({ handler: 'shown', type: 'longpress' }).status).toBe('refused');
    expect(app.instance.dispatchEvent({ handler: 'shown', type: 'tap', detail: { __proto__: 1, a: () => 1 } as never }).status).toBe('handled');
    app.close();
  });

  it('a throwing handler is reported and the app goes on', async () => {
    const { app } = await open(`
      Page({
        data: { n: 0 },
        bad() { throw new TypeError('nope'); },
        async later() { await null; throw 'async nope'; },
        add() { this.setData({ n: this.data.n + 1 }); },
        render: (d) => h('view', null, h('button', { bindtap: 'bad' }, 'bad'), h('button', { bindtap: 'later' }, 'later'), h('button', { bindtap: 'add' }, String(d.n))),
      });`);
    const outcome = await app.tap('bad');
    expect(outcome).toMatchObject({ status: 'threw', error: { name: 'TypeError', message: 'nope', where: 'event' } });
    await app.tap('later');
    await app.tap('add');
    expect(app.text()).toBe('bad later 1');
    expect(app.errors.map((e) => e.message)).toEqual(['Uncaught in event: TypeError: nope', 'Uncaught in event: async nope']);
    app.close();
  });
});

describe('setData', () => {
  it('applies paths and calls the callback after rendering', async () => {
    const { app } = await open(`
      Page({
        data: { list: [{ name: 'a' }], user: { tags: [] } },
        go() { this.setData({ 'list[0].name': 'b', 'user.tags[1]': 't', 'fresh.deep': 1 }, () => { this.cb = getCurrentPages()[0].data.list[0].name; }); },
        show() { this.setData({ out: this.cb }); },
        render: (d) => h('view', null, h('button', { bindtap: 'go' }, JSON.stringify([d.list, d.user, d.fresh])), h('button', { bindtap: 'show' }, String(d.out))),
      });`);
    await app.tap('go');
    await app.tap('show');
    expect(app.text()).toBe('[[{"name":"b"}],{"tags":[null,"t"]},{"deep":1}] b');
    app.close();
  });

  it('refuses __proto__ paths', async () => {
    const { app } = await open(runner(`try { this.setData({ '__proto__.polluted': 1 }); } catch (e) { this.setData({ out: e.name + ' ' + ({}).polluted }); }`));
    await app.tap('go');
    expect(app.text()).toBe('TypeError undefined');
    app.close();
  });
});

describe('timers', () => {
  it('setTimeout, setInterval and clear* run on the host scheduler', async () => {
    const clock = new ManualScheduler();
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine() });
    const pkg = await packSources({
      'pages/index/index.js': `
        let log = [];
        Page({
          onLoad() {
            setTimeout((a, b) => log.push('t' + a + b), 100, 1, 2);
            const id = setInterval(() => { log.push('i'); if (log.filter((x) => x === 'i').length === 3) clearInterval(id); }, 30);
            const never = setTimeout(() => log.push('never'), 50);
            clearTimeout(never);
          },
          show() { this.setData({ out: log.join(',') }); },
          render: (d) => h('button', { bindtap: 'show' }, String(d.out)),
        });`,
    });
    const app = await host.open(pkg, { scheduler: clock });
    expect(app.instance.timerCount).toBe(2);
    clock.advance(1000);
    await app.tap('show');
    expect(app.text()).toBe('i,i,i,t12');
    expect(app.instance.timerCount).toBe(0);
    app.close();
  });

  it('closing cancels timers', async () => {
    const clock = new ManualScheduler();
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine() });
    const pkg = await packSources({ 'pages/index/index.js': `Page({ onLoad() { setInterval(() => {}, 10); }, render: () => h('view') });` });
    const app = await host.open(pkg, { scheduler: clock });
    expect(clock.pending).toBe(1);
    app.close();
    expect(clock.pending).toBe(0);
  });
});

describe('navigation', () => {
  const pages = {
    'pages/index/index.js': `
      const log = (s) => console.log(s);
      Page({
        onLoad(q) { log('index load ' + JSON.stringify(q)); }, onShow() { log('index show'); }, onHide() { log('index hide'); }, onUnload() { log('index unload'); },
        render: () => h('view', null, 'index'),
      });`,
    'pages/detail/detail.js': `
      const log = (s) => console.log(s);
      Page({
        onLoad(q) { log('detail load ' + JSON.stringify(q)); }, onShow() { log('detail show'); }, onHide() { log('detail hide'); }, onUnload() { log('detail unload'); },
        render: () => h('view', null, 'detail'),
      });`,
  };
  const manifest = { pages: ['pages/index/index', 'pages/detail/detail'] };

  it('navigateTo, navigateBack, redirectTo and reLaunch run the lifecycle in order', async () => {
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine() });
    const app = await host.open(await packSources(pages, manifest));
    const nav = app.instance;
    expect(nav.navigate({ method: 'navigateTo', url: '/pages/detail/detail?id=7&q=a%20b' })).toEqual({ result: { stackDepth: 2 } });
    expect(nav.navigate({ method: 'navigateBack' })).toEqual({ result: { stackDepth: 1 } });
    expect(nav.navigate({ method: 'redirectTo', url: '../detail/detail' })).toEqual({ result: { stackDepth: 1 } });
    expect(nav.navigate({ method: 'reLaunch', url: 'pages/index/index' })).toEqual({ result: { stackDepth: 1 } });
    expect(app.logs.filter((l) => l.source === 'console').map((l) => l.message)).toEqual([
      'index load {}',
      'index show',
      'index hide',
      'detail load {"id":"7","q":"a b"}',
      'detail show',
      'detail unload',
      'index show',
      'index unload',
      'detail load {}',
      'detail show',
      'detail unload',
      'index load {}',
      'index show',
    ]);
    expect(nav.navigate({ method: 'navigateTo', url: 'pages/missing/missing' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(nav.navigate({ method: 'navigateBack' })).toMatchObject({ error: { code: 'INVALID_STATE' } });
    app.close();
  });

  it('base.navigate calls are handled by the host container', async () => {
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine() });
    const app = await host.open(
      await packSources(
        {
          ...pages,
          'pages/index/index.js': `Page({ async go() { const r = await lily.base.navigate.navigateTo({ url: 'pages/detail/detail' }); console.log('depth ' + r.stackDepth); }, render: () => h('button', { bindtap: 'go' }, 'go') });`,
        },
        manifest,
      ),
    );
    await app.tap('go');
    expect(app.route).toBe('pages/detail/detail');
    expect(app.logs.map((l) => l.message)).toContain('depth 2');
    expect((await app.back()).result).toEqual({ stackDepth: 1 });
    app.close();
  });
});

describe('lifecycle and closing', () => {
  it('show and hide reach App and the top page', async () => {
    const { app } = await open(`Page({ onShow() { console.log('page show'); }, onHide() { console.log('page hide'); }, render: () => h('view') });`, {
      extra: { 'app.js': `App({ onLaunch(o) { console.log('launch ' + o.scene); }, onShow() { console.log('app show'); }, onHide() { console.log('app hide'); } });` },
    });
    app.instance.hide();
    app.instance.show();
    expect(app.logs.map((l) => l.message)).toEqual(['launch developer', 'app show', 'page show', 'page hide', 'app hide', 'app show', 'page show']);
    app.close();
  });

  it('a closed instance refuses everything with INSTANCE_CLOSED and frees its runtime', async () => {
    const { app } = await open(`Page({ go() {}, render: () => h('button', { bindtap: 'go' }, 'go') });`);
    const e = engine();
    expect(e.runtimes.size).toBe(1);
    app.close();
    app.close();
    expect(e.runtimes.size).toBe(0);
    expect(app.instance.dispatchEvent({ handler: 'go', type: 'tap' })).toMatchObject({ status: 'refused', error: { code: 'INSTANCE_CLOSED' } });
    expect(app.instance.navigate({ method: 'navigateBack' })).toMatchObject({ error: { code: 'INSTANCE_CLOSED' } });
  });

  it('closing from inside a render callback happens when the entry returns', async () => {
    const pkg = await packSources({ 'pages/index/index.js': `Page({ go() { this.setData({ a: 1 }); }, render: () => h('button', { bindtap: 'go' }, 'go') });` });
    let instance: MiniAppInstance | undefined;
    const updates: RenderUpdate[] = [];
    instance = MiniAppInstance.start(engine(), {
      package: pkg,
      bankPublicKey: TEST_BANK.publicKey,
      capabilities: [],
      bridge: async () => ({ result: null }),
      events: {
        onRender: (u) => {
          updates.push(u);
          if (updates.length === 2) instance!.close();
        },
      },
    });
    expect(instance.dispatchEvent({ handler: 'go', type: 'tap' }).status).toBe('stopped');
    expect(instance.state).toBe('closed');
  });

  it('a render that throws stops the app with SANDBOX_CRASHED', async () => {
    const { app } = await open(`Page({ data: { n: 0 }, go() { this.setData({ n: 1 }); }, render: (d) => { if (d.n) throw new Error('boom'); return h('button', { bindtap: 'go' }, 'go'); } });`);
    const outcome = await app.tap('go');
    expect(outcome.status).toBe('stopped');
    expect(app.stopReason).toMatchObject({ code: 'SANDBOX_CRASHED', details: { phase: 'render', error: { name: 'Error', message: 'boom' } } });
  });

  it('opens many instances side by side, isolated from each other', async () => {
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine() });
    const pkg = await packSources({ 'pages/index/index.js': `globalThis.shared = (globalThis.shared || 0) + 1; Page({ render: () => h('text', null, String(globalThis.shared)) });` });
    const apps = await Promise.all(Array.from({ length: 5 }, () => host.open(pkg)));
    expect(apps.map((a) => a.text())).toEqual(['1', '1', '1', '1', '1']);
    expect(new Set(apps.map((a) => a.instance.instanceId)).size).toBe(5);
    host.closeAll();
    expect(engine().runtimes.size).toBe(0);
  });

  it('a launch page outside app.json is NOT_FOUND and nothing is left allocated', async () => {
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine() });
    const pkg = await packSources({ 'pages/index/index.js': `Page({ render: () => h('view') })` }, testManifest());
    await expect(host.open(pkg, { path: 'pages/secret/secret' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(engine().runtimes.size).toBe(0);
  });
});

describe('flat aliases', () => {
  it('lets lily.<method> stand for a unique method of a granted capability, as in WeChat ports', async () => {
    const { app } = await open(
      runner(`
        const a = await lily.showToast({ title: 'flat' });
        const b = await lily.base.ui.showToast({ title: 'nested' });
        this.setData({ out: typeof lily.showToast + ' ' + (lily.showToast === lily.base.ui.showToast) + ' ' + (typeof lily.requestPayment === 'function') + ' ' + JSON.stringify(a) + JSON.stringify(b) });`),
      { manifest: { capabilities: [{ id: 'base.ui', reason: 'Shows toasts.' }] } },
    );
    await app.tap('go');
    // Only granted capabilities get aliases: requestPayment is not there.
    expect(app.text()).toMatch(/^function true false /);
    expect(app.toasts.map((t) => t.title)).toEqual(['flat', 'nested']);
    app.close();
  });
});

describe('host-started events (listeners)', () => {
  const withNetwork = { manifest: testManifest({ capabilities: [{ id: 'base.network', reason: 'Shows when the phone is offline.' }] }) };

  it('deliver each network change to the listeners the page registered, and re-render', async () => {
    const { host, app } = await open(
      `Page({
        data: { seen: [] },
        onLoad() {
          lily.base.network.onNetworkStatusChange((e) => this.setData({ seen: this.data.seen.concat(e.networkType + (e.isConnected ? '+' : '-')) }));
          lily.base.network.onNetworkStatusChange(() => { throw new Error('a broken listener'); });
        },
        render: (d) => h('text', null, 'seen ' + d.seen.join(' ')),
      });`,
      withNetwork,
    );
    await app.idle();
    host.setNetwork('4g');
    host.setNetwork('none');
    await app.idle();
    expect(app.text()).toBe('seen 4g+ none-');
    // The broken listener is reported; the other one and the app go on.
    expect(app.errors.filter((e) => e.message.includes('a broken listener'))).toHaveLength(2);
    expect(app.instance.state).toBe('running');
    app.close();
  });

  it('enter no app that did not listen, and refuse what is not a listener event', async () => {
    const { host, app } = await open(`Page({ data: { n: 0 }, render: (d) => h('text', null, 'n ' + d.n) });`, withNetwork);
    host.setNetwork('none');
    expect(app.device.networkEvents).toEqual([]);
    expect(app.instance.deliverHostEvent('base.network', 'getNetworkType', {}).status).toBe('refused');
    expect(app.instance.deliverHostEvent('base.network', 'onNetworkStatusChange', { big: 'x'.repeat(70_000) }).status).toBe('refused');
    expect(app.instance.deliverHostEvent('base.network', 'onNetworkStatusChange', {}).status).toBe('handled');
    app.close();
    expect(app.instance.deliverHostEvent('base.network', 'onNetworkStatusChange', {}).status).toBe('refused');
  });

  it('allow at most 16 listeners per event', async () => {
    const { app } = await open(
      runner(`
        const answers = [];
        for (let i = 0; i < 17; i++) answers.push(await lily.base.network.onNetworkStatusChange(() => {}).then(() => 'ok', (e) => e.code));
        this.setData({ out: answers.slice(14).join(' ') });`),
      withNetwork,
    );
    await app.tap('go');
    expect(app.text()).toBe('ok ok LIMIT_EXCEEDED');
    app.close();
  });
});
