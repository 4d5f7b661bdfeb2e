/**
 * The ride-hailing sample from end to end: the demo installer makes it a live app of an admitted
 * merchant with its back end running; alice rides in the headless host over the real bridge
 * (login, location with consent, fare estimate, deposit hold, password-free agreement, the trip
 * on timers, the fare charged by the back end, hold released, points, rating, share, receipt),
 * and the back end receives and verifies the bank's payment webhook. A second ride is cancelled
 * on the way: the fee is captured from the hold.
 */
import { statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../runtime/scheduler.ts';
import type { Ride, RideState } from '../../sample-miniapps/ride/server/backend.ts';
import { describeSamples, installSamples, type InstalledSamples } from '../../server/demo/index.ts';
import { sampleHost, tapOk, tapWhere, until } from '../helpers/sample-host.ts';
import { login, startTestServer, type TestServer } from '../helpers/server.ts';

const APP_ID = 'com.lily.ride';
const PIN = '123456';
let srv: TestServer;
let demo: InstalledSamples | null = null;

beforeAll(async () => {
  srv = await startTestServer({ LILY_ALLOW_PRIVATE_NETWORK: 'true' });
  srv.booted.startWorkers();
});
afterAll(async () => {
  await demo?.close();
  await srv?.close();
});

describe('ride-hailing sample', () => {
  it('installs idempotently: one version, credentials kept on disk (0600)', async () => {
    const deps = srv.booted.deps;
    const first = await installSamples(deps, { dataDir: srv.dataDir, host: '127.0.0.1', basePort: 0, samples: ['ride'], lilyUrl: srv.baseUrl });
    const sample = first.samples[0]!;
    expect(sample).toMatchObject({ appId: APP_ID, version: '1.0.0' });
    const file = path.join(srv.dataDir, 'demo', `${APP_ID}.json`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(readFileSync(file, 'utf8'));
    const port = Number(new URL(sample.backendUrl).port);
    await first.close();

    // Same port again: nothing new is uploaded and the same keys are used.
    demo = await installSamples(deps, { dataDir: srv.dataDir, host: '127.0.0.1', basePort: port - 1, samples: ['ride'], lilyUrl: srv.baseUrl });
    expect(demo.samples[0]).toMatchObject({ appId: APP_ID, version: '1.0.0', backendUrl: sample.backendUrl });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(creds);
    expect((await deps.versions.list(APP_ID)).map((v) => v.version)).toEqual(['1.0.0']);
    const app = await deps.apps.get(APP_ID);
    expect(app).toMatchObject({ status: 'live', webhookUrl: demo.samples[0]!.webhookUrl });
    expect(app.releases.production?.version).toBe('1.0.0');
    expect(app.releases.sandbox?.version).toBe('1.0.0');
    expect((await deps.merchants.get(app.merchantId)).status).toBe('admitted');
    const granted = Object.keys(await deps.grants.snapshot(APP_ID, 'production'));
    expect(granted.length).toBeGreaterThanOrEqual(8);
    expect(app.releases.production?.record.grantedCapabilities).toEqual([...granted].sort());
    expect(describeSamples(demo)).toContain(`${APP_ID}`);
  }, 120_000);

  it('takes alice on a ride: every page, the money, the points and the webhook', async () => {
    const deps = srv.booted.deps;
    const backend = demo!.samples[0]!.backend.state as RideState;
    const alice = (await deps.identity.findAccount('user', 'alice'))!;
    // The sandbox trial: production mini-apps may only call https:// back ends.
    const env = 'sandbox' as const;
    const balance = async () => (await deps.payments.getBalance({ store: deps.store, env, userId: alice._id })).balance;
    const points = async () => (await deps.members.points.view(deps.store, env, alice._id, Date.now())).balance;
    const walletBefore = await balance();
    const pointsBefore = await points();

    const clock = new ManualScheduler();
    const session = await sampleHost(srv, await login(srv.baseUrl, 'user', 'alice', 'alice-demo'), clock, APP_ID);
    const { host } = session;
    host.sheets.queue('consent', { granted: true });
    host.sheets.handle('cashier', () => ({ pin: PIN }));
    host.sheets.queue('actionSheet', { tapIndex: 0 });
    try {
      const app = await session.open(env);
      expect(app.route).toBe('pages/index/index');

      // Home: log in (member.login → code2Session on the back end), locate (consent), estimate.
      await tapOk(app, 'login');
      expect(app.text()).toMatch(/Rider …/);
      await tapOk(app, 'locate');
      expect(host.sheets.shown.filter((s) => s.kind === 'consent')).toHaveLength(1);
      expect(app.text()).toContain('Pick-up 31.2304, 121.4737');
      await tapWhere(app, 'pick', 'place', 'hongqiao');
      await tapOk(app, 'estimate');
      const quote = [...backend.quotes.values()][0]!;
      expect(quote.fare).toBeGreaterThan(0);
      expect(app.text()).toContain(`Fare ¥${(quote.fare / 100).toFixed(2)}`);
      await tapOk(app, 'book');
      expect(app.route).toBe('pages/quote/quote');

      // Deposit hold: created by the back end, authorized in the host's sheet with the PIN.
      await tapOk(app, 'authorize');
      expect(app.text()).toContain('held');
      const ride: Ride = [...backend.rides.values()][0]!;
      expect(walletBefore - (await balance())).toBe(quote.deposit);
      // Password-free agreement, signed once and checked by the back end with the bank.
      await tapOk(app, 'signAgreement');
      expect(app.text()).toContain('signed');
      expect(ride.agreementId).toMatch(/^agr_/);
      const cashierSheets = host.sheets.shown.filter((s) => s.kind === 'cashier');
      expect(cashierSheets).toHaveLength(2);
      await tapOk(app, 'start');
      expect(app.route).toBe('pages/ride/ride');
      expect(ride.status).toBe('on_trip');

      // The trip runs on timers; at the end the back end charges the fare under the agreement.
      for (let i = 0; i < 4; i++) {
        clock.advance(500);
        await app.idle();
      }
      await until(() => (ride.status === 'finished' && app.text().includes('+') ? true : undefined), 'the end of the ride');
      await app.idle();
      expect(ride).toMatchObject({ payment: 'agreement', charged: quote.fare, holdStatus: 'released' });
      expect(app.text()).toContain(`Paid ¥${(quote.fare / 100).toFixed(2)} password-free`);
      expect(app.text()).toContain('Deposit released');
      // The wallet paid exactly the fare; the deposit came back.
      expect(walletBefore - (await balance())).toBe(quote.fare);
      expect((await points()) - pointsBefore).toBe(Math.floor(quote.fare / 100));

      // Rate the driver (base.storage), share (marketing.share), then the receipt.
      await tapOk(app, 'rate');
      expect(app.route).toBe('pages/rate/rate');
      await tapWhere(app, 'star', 'stars', 5);
      await app.input('onComment', 'Smooth ride');
      await tapOk(app, 'save');
      expect(app.text()).toContain('Rated 5 stars');
      await tapOk(app, 'share');
      expect(app.text()).toMatch(/Shared, code \w+/);
      await tapOk(app, 'receipt');
      expect(app.route).toBe('pages/receipt/receipt');
      await until(() => (app.text().includes('Points balance') ? true : undefined), 'the receipt');
      const receipt = app.text();
      expect(receipt).toContain(`Paid ¥${(quote.fare / 100).toFixed(2)}`);
      expect(receipt).toContain('Order paid');
      expect(receipt).toContain('released');
      expect(receipt).toContain(`Points balance ${await points()}`);
      await tapOk(app, 'home');
      expect(app.route).toBe('pages/index/index');

      // The back end got the bank's signed, enveloped webhook for the fare and opened it.
      const hook = await until(
        () => backend.webhooks.find((w) => w.verified && w.event?.eventType === 'payment.succeeded' && w.event.resource.orderId === ride.orderId),
        'the payment webhook',
        90_000,
      );
      expect(hook.env).toBe(env);
      expect(hook.event!.resource).toMatchObject({ outTradeNo: `FARE-${ride.rideId}`, status: 'paid' });
      expect(backend.webhooks.every((w) => w.verified)).toBe(true);

      // Every capability the manifest declares was used through the bridge or the host.
      const used = new Set(app.calls.map((c) => c.call.capability));
      const declared = (await deps.apps.get(APP_ID)).releases.sandbox!.manifest.capabilities.map((c) => c.id);
      expect(declared.filter((id) => !used.has(id))).toEqual([]);
      // The only refusals: reading ratings before the first one was saved.
      const refused = app.calls.filter((c) => c.answer?.error).map((c) => `${c.call.capability}.${c.call.method}: ${c.answer!.error!.code}`);
      expect(refused.filter((r) => r !== 'base.storage.getStorage: NOT_FOUND')).toEqual([]);
      expect(app.errors).toEqual([]);
      app.close();
    } finally {
      session.close();
    }
  }, 180_000);

  it('captures the cancellation fee from the hold when a ride is cancelled on the way', async () => {
    const deps = srv.booted.deps;
    const backend = demo!.samples[0]!.backend.state as RideState;
    const alice = (await deps.identity.findAccount('user', 'alice'))!;
    const env = 'sandbox' as const;
    const balance = async () => (await deps.payments.getBalance({ store: deps.store, env, userId: alice._id })).balance;
    const before = await balance();
    const clock = new ManualScheduler();
    const session = await sampleHost(srv, await login(srv.baseUrl, 'user', 'alice', 'alice-demo'), clock, APP_ID);
    session.host.sheets.handle('cashier', () => ({ pin: PIN }));
    try {
      const app = await session.open(env);
      await tapOk(app, 'login');
      expect(app.text()).toContain('password-free pay on');
      await tapOk(app, 'locate');
      await tapWhere(app, 'pick', 'place', 'bund');
      await tapOk(app, 'estimate');
      await tapOk(app, 'book');
      await tapOk(app, 'authorize');
      // Signed once: the agreement is not asked for again.
      expect(app.text()).toContain('signed');
      await tapOk(app, 'start');
      clock.advance(500);
      await app.idle();
      await tapOk(app, 'cancel');
      const ride = [...backend.rides.values()].at(-1)!;
      expect(ride).toMatchObject({ status: 'cancelled', payment: 'hold', captured: 500, holdStatus: 'captured' });
      expect(app.text()).toContain('from the deposit');
      expect(before - (await balance())).toBe(500);
      app.close();
    } finally {
      session.close();
    }
  }, 120_000);
});
