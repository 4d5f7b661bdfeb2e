/**
 * Test helpers for capability handlers: a real embedded store in a temporary directory and a
 * call context that records audits and pushes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../server/store/index.ts';
import type { Store } from '../../server/store/types.ts';
import type { CapabilityContext } from '../context.ts';

/** A store in a fresh temporary directory; `dispose` closes it and deletes the directory. */
export async function openTestStore(): Promise<{ store: Store; dataDir: string; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lily-cap-'));
  const store = await openStore({ dataDir, durability: 'normal' });
  return {
    store,
    dataDir,
    async dispose() {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A context plus what the handler recorded through it. */
export interface RecordingContext extends CapabilityContext {
  readonly audits: { event: string; data: Record<string, unknown> }[];
  readonly pushes: { event: string; payload: Record<string, unknown> }[];
}

/**
 * A call context for tests: sandbox, app `demo-app`, user `u1`, a fixed clock unless overridden.
 *
 * @example
 * ```ts
 * const ctx = testContext(store, { userId: 'u2', config: { allowPrivateNetwork: true } });
 * ```
 */
export function testContext(store: Store, overrides: Partial<CapabilityContext> = {}): RecordingContext {
  const audits: RecordingContext['audits'] = [];
  const pushes: RecordingContext['pushes'] = [];
  const appId = overrides.appId ?? 'demo-app';
  return {
    store,
    env: 'sandbox',
    appId,
    userId: 'u1',
    openId: `o_${appId}_u1`.replace(/[^A-Za-z0-9_-]/g, '_'),
    instanceId: 'inst-1',
    manifest: { appId, version: '1.0.0', domains: [] },
    now: () => 1_746_072_000_000,
    async audit(event, data) {
      audits.push({ event, data });
    },
    push(event, payload) {
      pushes.push({ event, payload });
    },
    config: { allowPrivateNetwork: false },
    ...overrides,
    audits,
    pushes,
  };
}
