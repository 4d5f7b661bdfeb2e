import { beforeAll, describe, expect, it } from 'vitest';
import { HeadlessHost } from '../../runtime/headless/index.ts';
import type { LilyPackage } from '../../runtime/package/format.ts';
import { useLeakCheckedEngine } from './support/engine.ts';
import { packFolder, TEST_BANK } from './support/packages.ts';

const engine = useLeakCheckedEngine();
let hello: LilyPackage;

beforeAll(async () => {
  hello = await packFolder('sample-miniapps/hello');
});

async function openHello() {
  const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine() });
  const app = await host.open(hello);
  return { host, app };
}

describe('the hello sample in the headless host', () => {
  it('renders its first page', async () => {
    const { app } = await openHello();
    expect(app.route).toBe('pages/index/index');
    expect(app.render()).toBe(
      [
        'view#home [class=page]',
        '  text [class=title] "Hello, Lily"',
        '  text#count "Count: 0"',
        '  view [class=row]',
        '    button [bindtap=decrement disabled=true] "−1"',
        '    button [bindtap=increment type=primary] "+1"',
        '  button [bindtap=save] "Save"',
        '  button [bindtap=openAbout size=mini] "About"',
      ].join('\n'),
    );
    expect(app.logs.map((l) => l.message)).toContain('launched at pages/index/index');
    app.close();
  });

  it('counts on taps and round-trips showToast through the bridge', async () => {
    const { app } = await openHello();
    expect(await app.tap('increment')).toEqual({ status: 'handled' });
    await app.tap('increment');
    expect(app.text()).toContain('Count: 2');
    expect(await app.tap('save')).toEqual({ status: 'handled' });
    expect(app.toasts).toEqual([{ title: 'Saved 2', icon: 'success', duration: 1500 }]);
    expect(app.calls.map((c) => [c.call.capability, c.call.method, c.call.appId, c.answer])).toEqual([
      ['base.ui', 'showToast', 'com.lily.hello', { result: { ok: true } }],
    ]);
    expect(app.text()).toContain('Last saved: 2');
    app.close();
  });

  it('navigates to the JSX page and back', async () => {
    const { app } = await openHello();
    await app.tap('openAbout');
    expect(app.route).toBe('pages/about/about');
    expect(app.render()).toContain('image [src=assets/icon.png mode=aspectFit alt="Hello Lily"]');
    expect(app.text()).toContain('Opened from index Host version 1.0.0');
    await app.tap('back');
    expect(app.pages.map((p) => p.route)).toEqual(['pages/index/index']);
    app.close();
  });

  it('launches with a query', async () => {
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine() });
    const app = await host.open(hello, { query: { start: '41' } });
    await app.tap('increment');
    expect(app.text()).toContain('Count: 42');
    host.closeAll();
  });
});
