/**
 * The page side of the runtime worker with a fake worker: routing of the worker's messages to the
 * instance they are about, the package cache handshake, and recovery when the worker hangs or dies.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ErrorPayload } from '../../../protocol/errors.ts';
import { RuntimeWorker, type InstanceHandlers, type WorkerLike } from './client.ts';
import type { PageToWorker, WorkerToPage } from './protocol.ts';

class FakeWorker implements WorkerLike {
  readonly posted: PageToWorker[] = [];
  terminated = false;
  private message: ((e: MessageEvent<WorkerToPage>) => void)[] = [];
  private error: ((e: Event) => void)[] = [];
  reply: (msg: PageToWorker) => WorkerToPage[] = () => [];

  postMessage(message: PageToWorker): void {
    this.posted.push(message);
    const out = this.reply(message);
    queueMicrotask(() => out.forEach((m) => this.emit(m)));
  }
  addEventListener(type: 'message' | 'error', listener: never): void {
    if (type === 'message') this.message.push(listener);
    else this.error.push(listener);
  }
  terminate(): void {
    this.terminated = true;
  }
  emit(m: WorkerToPage): void {
    for (const l of this.message) l({ data: m } as MessageEvent<WorkerToPage>);
  }
  fail(): void {
    for (const l of this.error) l(new Event('error'));
  }
}

function handlers() {
  const log: string[] = [];
  const stops: ErrorPayload[] = [];
  const h: InstanceHandlers = {
    render: (u) => log.push(`render:${u.pageId}`),
    pages: (p) => log.push(`pages:${p.length}`),
    log: (e) => log.push(`log:${e.message}`),
    stopped: (r) => stops.push(r),
    call: (c) => log.push(`call:${c.capability}.${c.method}`),
  };
  return { h, log, stops };
}

const open = (instanceId: string, packageText?: string) => ({
  instanceId,
  digest: 'd1',
  ...(packageText ? { packageText } : {}),
  release: { record: {} as never, signature: 's' },
  bankPublicKey: 'k',
  capabilities: [],
  launch: { query: {}, scene: 'test' },
});

describe('RuntimeWorker', () => {
  it('opens an instance and routes renders, calls and logs to it; remembers the package it sent', async () => {
    const fake = new FakeWorker();
    fake.reply = (m) =>
      m.type === 'open'
        ? [
            { type: 'render', instanceId: m.instanceId, pageId: 1, route: 'p', tree: { type: 'view', props: {}, children: [] } },
            { type: 'opened', instanceId: m.instanceId, appId: 'a', pages: [{ pageId: 1, route: 'p', query: {} }], assets: [], cached: false, ms: 3 },
            { type: 'call', instanceId: m.instanceId, call: { instanceId: m.instanceId, appId: 'a', capability: 'base.ui', method: 'showToast', params: {}, callId: 1 } },
            { type: 'log', instanceId: 'other', entry: { instanceId: 'other', level: 'log', source: 'console', message: 'not mine', time: 0 } },
          ]
        : [];
    const rt = new RuntimeWorker(() => fake);
    const { h, log } = handlers();
    expect(rt.holds('d1')).toBe(false);
    const opened = await rt.open(open('i1', '{}'), h);
    expect(opened).toMatchObject({ appId: 'a', cached: false });
    await Promise.resolve();
    expect(log).toEqual(['render:1', 'call:base.ui.showToast']);
    expect(rt.holds('d1')).toBe(true);
    rt.answer('i1', 1, { result: { ok: true } });
    expect(fake.posted.at(-1)).toEqual({ type: 'answer', instanceId: 'i1', callId: 1, answer: { result: { ok: true } } });
  });

  it('passes on that the worker needs the package text (it restarted and lost its cache)', async () => {
    const fake = new FakeWorker();
    fake.reply = (m) => (m.type === 'open' ? [{ type: 'open-failed', instanceId: m.instanceId, error: { code: 'NOT_FOUND', message: 'x' }, needsPackage: true }] : []);
    const rt = new RuntimeWorker(() => fake);
    await expect(rt.open(open('i1'), handlers().h)).rejects.toMatchObject({ code: 'NOT_FOUND', needsPackage: true });
    expect(rt.holds('d1')).toBe(false);
  });

  it('delivers events and back, and reports their outcome', async () => {
    const fake = new FakeWorker();
    fake.reply = (m) =>
      m.type === 'event'
        ? [{ type: 'event-done', instanceId: m.instanceId, seq: m.seq, outcome: { status: 'handled' } }]
        : m.type === 'back'
          ? [{ type: 'back-done', instanceId: m.instanceId, seq: m.seq, ok: false, error: { code: 'INVALID_STATE', message: 'first page' } }]
          : [];
    const rt = new RuntimeWorker(() => fake);
    expect(await rt.event('i1', { handler: 'tap', type: 'tap' })).toEqual({ status: 'handled' });
    expect(await rt.back('i1')).toEqual({ ok: false, error: { code: 'INVALID_STATE', message: 'first page' } });
  });

  it('terminates a hung worker, stops its instances and starts a fresh one next time', async () => {
    vi.useFakeTimers();
    try {
      const workers: FakeWorker[] = [];
      const rt = new RuntimeWorker(
        () => {
          const w = new FakeWorker();
          w.reply = (m) => (m.type === 'open' ? [{ type: 'opened', instanceId: m.instanceId, appId: 'a', pages: [], assets: [], cached: false, ms: 1 }] : []);
          workers.push(w);
          return w;
        },
        { openMs: 1000, eventMs: 500 },
      );
      const { h, stops } = handlers();
      await rt.open(open('i1', '{}'), h);
      const outcome = rt.event('i1', { handler: 'spin', type: 'tap' });
      await vi.advanceTimersByTimeAsync(600);
      expect(await outcome).toMatchObject({ status: 'stopped', error: { code: 'SANDBOX_LIMIT' } });
      expect(stops).toEqual([expect.objectContaining({ code: 'SANDBOX_LIMIT' })]);
      expect(workers[0]!.terminated).toBe(true);
      expect(rt.holds('d1')).toBe(false);
      await rt.open(open('i2', '{}'), handlers().h);
      expect(workers).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a crashed worker to every open instance', async () => {
    const fake = new FakeWorker();
    fake.reply = (m) => (m.type === 'open' ? [{ type: 'opened', instanceId: m.instanceId, appId: 'a', pages: [], assets: [], cached: false, ms: 1 }] : []);
    const rt = new RuntimeWorker(() => fake);
    const a = handlers();
    const b = handlers();
    await rt.open(open('i1', '{}'), a.h);
    await rt.open({ ...open('i2', '{}'), digest: 'd2' }, b.h);
    fake.fail();
    expect(a.stops[0]).toMatchObject({ code: 'SANDBOX_CRASHED' });
    expect(b.stops[0]).toMatchObject({ code: 'SANDBOX_CRASHED' });
    expect(rt.openInstances).toBe(0);
  });
});
