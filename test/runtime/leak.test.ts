/**
 * No leak over many opens: every open/close frees its runtime, the WebAssembly memory stops
 * growing after warm-up, and stopped instances (limits, crashes) free everything too.
 */
import { describe, expect, it } from 'vitest';
import { HeadlessHost } from '../../runtime/headless/index.ts';
import { useLeakCheckedEngine } from './support/engine.ts';
import { packFolder, packSources, TEST_BANK } from './support/packages.ts';

const engine = useLeakCheckedEngine();

describe('open/close cycles', () => {
  it('300 cycles of the hello app leave nothing behind and do not grow memory', async () => {
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine() });
    const pkg = await packFolder('sample-miniapps/hello');
    const cycle = async () => {
      const app = await host.open(pkg);
      await app.tap('increment');
      await app.tap('save');
      app.close();
    };
    for (let i = 0; i < 50; i++) await cycle();
    const before = engine().wasmBytes();
    for (let i = 0; i < 300; i++) await cycle();
    expect(engine().runtimes.size).toBe(0);
    expect(engine().wasmBytes()).toBe(before);
  });

  it('stopped instances free their runtime too', async () => {
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine(), limits: { cpuMsPerEntry: 20 } });
    const spin = await packSources({ 'pages/index/index.js': `Page({ onLoad() { lily.base.ui.showToast({ title: 'x' }); setTimeout(() => {}, 1e6); for (;;) {} }, render: () => h('view') });` });
    const crash = await packSources({ 'pages/index/index.js': `Page({ render: () => { throw new Error('x'); } });` });
    for (let i = 0; i < 20; i++) {
      await expect(host.open(spin)).rejects.toMatchObject({ code: 'SANDBOX_LIMIT' });
      await expect(host.open(crash)).rejects.toMatchObject({ code: 'SANDBOX_CRASHED' });
    }
    expect(engine().runtimes.size).toBe(0);
  });
});
