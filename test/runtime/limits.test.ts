/**
 * Every sandbox limit, each breaking once: the instance stops with SANDBOX_LIMIT and the limit's
 * name in details.limit (or, for the page stack, the guest gets LIMIT_EXCEEDED), and a second
 * instance on the same module keeps working.
 */
import { describe, expect, it } from 'vitest';
import { LilyError } from '../../protocol/errors.ts';
import { HeadlessHost, type HeadlessApp } from '../../runtime/headless/index.ts';
import type { SandboxLimits } from '../../runtime/limits.ts';
import { ManualScheduler } from '../../runtime/scheduler.ts';
import { useLeakCheckedEngine } from './support/engine.ts';
import { NORMAL_PAGE, packSources, TEST_BANK } from './support/packages.ts';

const engine = useLeakCheckedEngine();

async function host(limits: Partial<SandboxLimits> = {}) {
  return HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine(), limits });
}

/** Opens `page` (source of pages/index/index.js) and expects the launch itself to be refused. */
async function expectLaunchStopped(page: string, limits: Partial<SandboxLimits>, limit: string): Promise<LilyError> {
  // Only the CPU tests keep the 100 ms deadline: on a loaded machine the others must not trip it first.
  const h = await host({ cpuMsPerEntry: limit === 'cpu' ? 100 : 5000, ...limits });
  const pkg = await packSources({ 'pages/index/index.js': page });
  const err = await h.open(pkg).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LilyError);
  expect((err as LilyError).code).toBe('SANDBOX_LIMIT');
  expect((err as LilyError).details?.limit).toBe(limit);
  await expectNormalAppWorks(h);
  return err as LilyError;
}

async function expectStoppedAfterTap(app: HeadlessApp, handler: string, limit: string): Promise<void> {
  const outcome = await app.tap(handler);
  expect(outcome.status).toBe('stopped');
  expect(app.state).toBe('stopped');
  expect(app.stopReason?.code).toBe('SANDBOX_LIMIT');
  expect(app.stopReason?.details?.limit).toBe(limit);
}

async function expectNormalAppWorks(h: HeadlessHost): Promise<void> {
  const app = await h.open(await normalPkg());
  await app.tap('add');
  expect(app.text()).toBe('n=1 add');
  app.close();
}

let normal: Awaited<ReturnType<typeof packSources>> | undefined;
async function normalPkg() {
  normal ??= await packSources({ 'pages/index/index.js': NORMAL_PAGE }, { appId: 'com.test.normal' });
  return normal;
}

describe('sandbox limits', () => {
  it('heap: a guest allocating past heapBytes is stopped (limit heap)', async () => {
    const err = await expectLaunchStopped(
      `const hoard = []; for (;;) hoard.push(new Uint8Array(1 << 20)); Page({ render: () => h('view') });`,
      { heapBytes: 8 * 1024 * 1024, cpuMsPerEntry: 2000 },
      'heap',
    );
    expect(err.message).toMatch(/8 MiB heap/);
  });

  it('heap: the default is 32 MiB', async () => {
    const h = await host({ cpuMsPerEntry: 2000 });
    const pkg = await packSources({
      'pages/index/index.js': `
        const hoard = [];
        Page({
          grow() { for (;;) hoard.push(new Float64Array(1 << 17)); },
          size() { this.setData({ mib: hoard.length }); },
          render: (d) => h('view', null, h('button', { bindtap: 'grow' }, 'grow'), h('button', { bindtap: 'size' }, String(d.mib))),
        });`,
    });
    const app = await h.open(pkg);
    await expectStoppedAfterTap(app, 'grow', 'heap');
    expect(app.stopReason?.message).toMatch(/32 MiB heap/);
    await expectNormalAppWorks(h);
  });

  it('stack: deep recursion is stopped (limit stack)', async () => {
    await expectLaunchStopped(`function down(n) { return down(n + 1) + 1; } Page({ onLoad() { down(0); }, render: () => h('view') });`, {}, 'stack');
  });

  it('stack: the limit is configurable', async () => {
    const h = await host({ stackBytes: 64 * 1024 });
    const pkg = await packSources({
      'pages/index/index.js': `
        function depth(n) { try { return depth(n + 1); } catch (e) { return n; } }
        Page({ data: { d: 0 }, onLoad() { this.setData({ d: depth(0) }); }, render: (d) => h('text', null, String(d.d)) });`,
    });
    const deep = await h.open(pkg);
    const small = await (await host({ stackBytes: 16 * 1024 })).open(pkg);
    expect(Number(deep.text())).toBeGreaterThan(Number(small.text()) * 2);
    deep.close();
    small.close();
  });

  it('cpu: an endless loop at launch is stopped (limit cpu)', async () => {
    const err = await expectLaunchStopped(`for (;;) {} Page({ render: () => h('view') });`, {}, 'cpu');
    expect(err.details?.phase).toBe('load');
  });

  it('cpu: an endless loop in a handler is stopped, and try/catch cannot swallow it', async () => {
    const h = await host({ cpuMsPerEntry: 50 });
    const pkg = await packSources({
      'pages/index/index.js': `Page({ spin() { for (;;) { try { for (;;) {} } catch (e) {} } }, render: () => h('button', { bindtap: 'spin' }, 'spin') });`,
    });
    const app = await h.open(pkg);
    await expectStoppedAfterTap(app, 'spin', 'cpu');
    expect(app.stopReason?.details?.phase).toBe('event');
    await expectNormalAppWorks(h);
  });

  it('cpu: a promise job that never ends is stopped in the drain', async () => {
    const h = await host();
    const pkg = await packSources({
      'pages/index/index.js': `Page({ spin() { Promise.resolve().then(() => { for (;;) {} }); }, render: () => h('button', { bindtap: 'spin' }, 'spin') });`,
    });
    const app = await h.open(pkg);
    await expectStoppedAfterTap(app, 'spin', 'cpu');
    expect(app.stopReason?.details?.phase).toBe('drain');
  });

  it('cpu: the deadline is per entry, so steady work across many entries is fine', async () => {
    const clock = new ManualScheduler();
    const h = await host({ cpuMsPerEntry: 100 });
    const pkg = await packSources({
      'pages/index/index.js': `
        let n = 0;
        Page({
          onLoad() { setInterval(() => { const end = Date.now() + 20; while (Date.now() < end) {} n++; }, 50); },
          show() { this.setData({ n }); },
          render: (d) => h('button', { bindtap: 'show' }, String(d.n || 0)),
        });`,
    });
    const app = await h.open(pkg, { scheduler: clock });
    clock.advance(1000);
    await app.tap('show');
    expect(app.text()).toBe('20');
    app.close();
  });

  it('timers: more than maxTimers alive stops the instance (limit timers)', async () => {
    await expectLaunchStopped(`for (let i = 0; i < 100; i++) setTimeout(() => {}, 1000); Page({ render: () => h('view') });`, { maxTimers: 50 }, 'timers');
  });

  it('timers: delays below minTimerIntervalMs are raised to it', async () => {
    const clock = new ManualScheduler();
    const h = await host({ minTimerIntervalMs: 25 });
    const pkg = await packSources({
      'pages/index/index.js': `
        let ticks = 0;
        Page({
          onLoad() { setInterval(() => ticks++, 0); },
          show() { this.setData({ ticks }); },
          render: (d) => h('button', { bindtap: 'show' }, String(d.ticks || 0)),
        });`,
    });
    const app = await h.open(pkg, { scheduler: clock });
    clock.advance(100);
    await app.tap('show');
    expect(app.text()).toBe('4');
    app.close();
  });

  it('setData: 20 a second sustained is fine', async () => {
    const clock = new ManualScheduler();
    const h = await host();
    const pkg = await packSources({
      'pages/index/index.js': `Page({ onLoad() { setInterval(() => this.setData({ t: Date.now() }), 50); }, render: (d) => h('view', null, String(d.t)) });`,
    });
    const app = await h.open(pkg, { scheduler: clock });
    for (let s = 0; s < 5; s++) clock.advance(1000);
    expect(app.state).toBe('running');
    app.close();
  });

  it('setData: a flood above the rate is stopped (limit setDataRate)', async () => {
    await expectLaunchStopped(
      `Page({ onLoad() { for (let i = 0; i < 100; i++) this.setData({ i }); }, render: (d) => h('view', null, String(d.i)) });`,
      {},
      'setDataRate',
    );
  });

  it('setData: a patch over setDataBytes is stopped (limit setDataSize)', async () => {
    await expectLaunchStopped(
      `Page({ onLoad() { this.setData({ big: 'z'.repeat(300 * 1024) }); }, render: () => h('view') });`,
      {},
      'setDataSize',
    );
  });

  it('bridge: a call whose params exceed bridgePayloadBytes is stopped (limit bridgePayload)', async () => {
    await expectLaunchStopped(
      `Page({ onLoad() { lily.base.ui.showToast({ title: 'x', blob: 'q'.repeat(1100 * 1024) }); }, render: () => h('view') });`,
      {},
      'bridgePayload',
    );
  });

  it('bridge: more than maxInFlightCalls waiting is stopped (limit inFlightCalls)', async () => {
    await expectLaunchStopped(
      `Page({ onLoad() { for (let i = 0; i < 40; i++) lily.base.ui.showToast({ title: 't' + i }); }, render: () => h('view') });`,
      {},
      'inFlightCalls',
    );
  });

  it('console: output above the rate is stopped (limit console)', async () => {
    await expectLaunchStopped(
      `Page({ onLoad() { for (let i = 0; i < 10000; i++) console.log('line ' + i + ' ' + 'x'.repeat(100)); }, render: () => h('view') });`,
      {},
      'console',
    );
  });

  it('page stack: navigateTo on a full stack answers LIMIT_EXCEEDED and the app goes on', async () => {
    const h = await host({ maxPageStack: 3 });
    const pkg = await packSources({
      'pages/index/index.js': `
        Page({
          async deeper() {
            try { await lily.base.navigate.navigateTo({ url: 'pages/index/index?d=' + getCurrentPages().length }); }
            catch (e) { this.setData({ err: e.code + ' ' + e.details.limit }); }
          },
          render: (d) => h('button', { bindtap: 'deeper' }, d.err || 'deeper'),
        });`,
    });
    const app = await h.open(pkg);
    for (let i = 0; i < 3; i++) await app.tap('deeper');
    expect(app.pages).toHaveLength(3);
    expect(app.text()).toBe('LIMIT_EXCEEDED pageStack');
    expect(app.state).toBe('running');
    app.close();
  });

  it('view: more than maxViewNodes nodes is stopped (limit viewNodes)', async () => {
    await expectLaunchStopped(
      `Page({ render: () => h('view', null, Array.from({ length: 200 }, (_, i) => h('text', null, 'n' + i))) });`,
      { maxViewNodes: 100 },
      'viewNodes',
    );
  });

  it('view: nesting deeper than maxViewDepth is stopped (limit viewDepth)', async () => {
    await expectLaunchStopped(
      `Page({ render: () => { let v = h('text', null, 'leaf'); for (let i = 0; i < 100; i++) v = h('view', null, v); return v; } });`,
      {},
      'viewDepth',
    );
  });

  it('view: a serialized tree over maxViewBytes is stopped (limit viewBytes)', async () => {
    await expectLaunchStopped(
      `Page({ render: () => h('view', null, Array.from({ length: 50 }, () => h('text', null, 'w'.repeat(5000)))) });`,
      { maxViewBytes: 100 * 1024 },
      'viewBytes',
    );
  });

  it('bridge: an unanswered call times out after callTimeoutMs', async () => {
    const clock = new ManualScheduler();
    const h = await HeadlessHost.create({
      bankPublicKey: TEST_BANK.publicKey,
      engine: engine(),
      limits: { callTimeoutMs: 5000 },
      bridge: () => new Promise(() => {}),
    });
    const pkg = await packSources(
      {
        'pages/index/index.js': `
          Page({
            async go() { try { await lily.payment.orders.listOrders({}); } catch (e) { this.setData({ code: e.code }); } },
            render: (d) => h('button', { bindtap: 'go' }, d.code || 'go'),
          });`,
      },
      { capabilities: [{ id: 'payment.orders', reason: 'Lists orders in tests.' }] },
    );
    const app = await h.open(pkg, { scheduler: clock });
    app.instance.dispatchEvent({ handler: 'go', type: 'tap' });
    await new Promise((r) => setTimeout(r, 0));
    expect(app.instance.inFlightCalls).toBe(1);
    clock.advance(5000);
    await app.idle();
    expect(app.text()).toBe('TIMEOUT');
    app.close();
  });
});

describe('heap accounting', () => {
  it('many small objects count too (the heap is measured while an entry runs)', async () => {
    const h = await host({ heapBytes: 4 * 1024 * 1024, cpuMsPerEntry: 5000 });
    const pkg = await packSources({
      'pages/index/index.js': `const hoard = []; Page({ grow() { for (let i = 0; ; i++) hoard.push([i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i]); }, render: () => h('button', { bindtap: 'grow' }, 'grow') });`,
    });
    const app = await h.open(pkg);
    await expectStoppedAfterTap(app, 'grow', 'heap');
    await expectNormalAppWorks(h);
  });

  it('memory held across entries is measured after them', async () => {
    const h = await host({ heapBytes: 8 * 1024 * 1024 });
    const pkg = await packSources({
      'pages/index/index.js': `const hoard = []; Page({ grow() { hoard.push(new Uint8Array(3 << 20)); }, render: () => h('button', { bindtap: 'grow' }, 'grow') });`,
    });
    const app = await h.open(pkg);
    await app.tap('grow');
    await app.tap('grow');
    expect(app.state).toBe('running');
    await expectStoppedAfterTap(app, 'grow', 'heap');
  });
});
