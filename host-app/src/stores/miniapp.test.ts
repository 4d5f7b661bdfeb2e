// @vitest-environment happy-dom
/**
 * The mini-app store with a fake worker and a fake bridge: open, render, events, host sheets,
 * notices, stop, back and close.
 */
import { createPinia, setActivePinia } from 'pinia';
import { CATALOG } from '../test-support/catalog.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BridgeClient, LaunchInfo } from '../api/bridge.ts';
import { RuntimeWorker, type WorkerLike } from '../runtime/client.ts';
import type { PageToWorker, WorkerToPage } from '../runtime/protocol.ts';
import { useBridgeStore } from './bridge.ts';
import { useCatalogStore } from './catalog.ts';
import { useMiniAppStore } from './miniapp.ts';
import { useSheetsStore } from './sheets.ts';

const catalog = CATALOG;
const tree = (text: string) => ({ type: 'text' as const, props: { id: 'count' }, children: [text] });

class ScriptedWorker implements WorkerLike {
  private listeners: ((e: MessageEvent<WorkerToPage>) => void)[] = [];
  posted: PageToWorker[] = [];
  postMessage(m: PageToWorker): void {
    this.posted.push(m);
    const out: WorkerToPage[] = [];
    if (m.type === 'open') {
      out.push({ type: 'render', instanceId: m.instanceId, pageId: 1, route: 'pages/index/index', tree: tree('Count: 0') });
      out.push({ type: 'opened', instanceId: m.instanceId, appId: 'com.test.app', pages: [{ pageId: 1, route: 'pages/index/index', query: {} }], assets: [], cached: false, ms: 4 });
    } else if (m.type === 'event') {
      out.push({ type: 'render', instanceId: m.instanceId, pageId: 1, route: 'pages/index/index', tree: tree('Count: 1') });
      out.push({ type: 'call', instanceId: m.instanceId, call: { instanceId: m.instanceId, appId: 'com.test.app', capability: 'base.ui', method: 'showModal', params: { content: 'Saved?' }, callId: 7, userGesture: true } });
      out.push({ type: 'event-done', instanceId: m.instanceId, seq: m.seq, outcome: { status: 'handled' } });
    } else if (m.type === 'back') {
      out.push({ type: 'back-done', instanceId: m.instanceId, seq: m.seq, ok: false, error: { code: 'INVALID_STATE', message: 'first page' } });
    }
    queueMicrotask(() => out.forEach((d) => this.listeners.forEach((l) => l({ data: d } as MessageEvent<WorkerToPage>))));
  }
  addEventListener(type: string, l: never): void {
    if (type === 'message') this.listeners.push(l);
  }
  terminate(): void {}
  stop(instanceId: string): void {
    this.listeners.forEach((l) => l({ data: { type: 'stopped', instanceId, reason: { code: 'SANDBOX_LIMIT', message: 'cpu', details: { limit: 'cpu' } } } } as unknown as MessageEvent<WorkerToPage>));
  }
}

const info: LaunchInfo = {
  instanceId: 'i_1',
  appId: 'com.test.app',
  env: 'production',
  version: '1.2.0',
  trial: false,
  app: { name: '测试应用', icon: '', category: 'tools' },
  openId: 'o_1',
  launchToken: 'lt',
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  package: { url: '/api/packages/d', digest: 'd' },
  release: { record: {} as never, signature: 's' },
  bank: { serial: 's', publicKey: 'k' },
  manifest: { capabilities: [{ id: 'base.ui', reason: 'toasts' }], domains: [] },
  grants: { 'base.ui': null },
  consents: {},
};

function fakeBridge(): BridgeClient {
  return {
    launch: vi.fn(async () => ({ ...info })),
    packageText: vi.fn(async () => '{}'),
    call: vi.fn(async () => ({ result: {} })),
    refresh: vi.fn(async () => true),
    report: vi.fn(async () => undefined),
    detach: vi.fn(async () => undefined),
    on: vi.fn(() => () => undefined),
  } as unknown as BridgeClient;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('mini-app store', () => {
  let worker: ScriptedWorker;

  beforeEach(() => {
    setActivePinia(createPinia());
    worker = new ScriptedWorker();
    useCatalogStore().catalog = catalog;
    useBridgeStore().current = fakeBridge();
    useMiniAppStore().useRuntime(new RuntimeWorker(() => worker));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('opens an app, shows its page, delivers taps, and shows the sheets it asks for', async () => {
    const mini = useMiniAppStore();
    const sheets = useSheetsStore();
    await mini.open({ appId: 'com.test.app', scene: 'marketplace' });
    expect(mini.status).toBe('running');
    expect(mini.appName).toBe('测试应用');
    expect(mini.version).toBe('1.2.0');
    expect(mini.tree?.children).toEqual(['Count: 0']);
    expect(mini.openStats).toEqual({ ms: 4, cached: false });

    await mini.event({ handler: 'save', type: 'tap' });
    expect(mini.tree?.children).toEqual(['Count: 1']);
    await tick();
    expect(sheets.active).toMatchObject({ kind: 'modal', request: { appName: '测试应用', content: 'Saved?' } });
    sheets.answer('modal', { confirm: true });
    await tick();
    expect(worker.posted.at(-1)).toEqual({ type: 'answer', instanceId: 'i_1', callId: 7, answer: { result: { confirm: true, cancel: false } } });
  });

  it('shows why the app stopped and closes on back from the first page', async () => {
    const mini = useMiniAppStore();
    await mini.open({ appId: 'com.test.app' });
    worker.stop('i_1');
    expect(mini.status).toBe('stopped');
    expect(mini.stopReason).toMatchObject({ code: 'SANDBOX_LIMIT' });
    expect(await mini.back()).toBe(true);
    expect(mini.status).toBe('idle');
    expect(worker.posted.some((m) => m.type === 'close')).toBe(true);
  });

  it('keeps the launch error for the page when the app cannot open', async () => {
    const bridge = fakeBridge();
    (bridge.launch as ReturnType<typeof vi.fn>).mockRejectedValueOnce(Object.assign(new Error('x'), { code: 'APP_SUSPENDED' }));
    useBridgeStore().current = bridge;
    const mini = useMiniAppStore();
    await mini.open({ appId: 'com.test.app' });
    expect(mini.status).toBe('error');
    expect(mini.error).toMatchObject({ code: 'APP_SUSPENDED' });
  });

  it('opening another app closes the first', async () => {
    const mini = useMiniAppStore();
    await mini.open({ appId: 'com.test.app' });
    await mini.open({ appId: 'com.test.app', query: { from: 'again' } });
    expect(worker.posted.filter((m) => m.type === 'close')).toHaveLength(1);
    expect(worker.posted.filter((m) => m.type === 'open')).toHaveLength(2);
    expect(mini.status).toBe('running');
  });
});
