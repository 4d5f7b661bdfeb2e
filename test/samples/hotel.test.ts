/**
 * The hotel sample from end to end: the demo installer makes it a live app of an admitted
 * merchant with its back end running; guests book in the headless host over the real bridge.
 *
 * alice searches (city, calendar dates, guests), calls the hotel, shares her bank phone number and
 * an invoice title (consent), books with a deposit held after the PIN (a wrong one first), checks
 * out paying room and minibar from the deposit (the rest released), adds the chain's card to her
 * card pack, prepays a stay and cancels it late (half refunded, the refund webhook verified),
 * cancels a stay for free, and checks out paying in the cashier (the deposit released, the card
 * moved up a level). Every amount is checked against the bank's ledger.
 *
 * bob refuses the phone consent and books with a typed number; alice and bob race for the last
 * suite (exactly one gets it), and a burst of requests for another last room books it once. Bad
 * input, forged webhooks, early check-out and an unpaid booking that runs out of time are refused
 * or unwound with clear messages.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeadlessApp } from '../../runtime/headless/host.ts';
import { ManualScheduler } from '../../runtime/scheduler.ts';
import { createHotelBackend, type Booking, type HotelState } from '../../sample-miniapps/hotel/server/backend.ts';
import { findRoom, formatDay, hotelToday, nightPrice, RULES } from '../../sample-miniapps/hotel/server/catalog.ts';
import { installSamples, type InstalledSamples } from '../../server/demo/index.ts';
import { sampleHost, tapOk, tapWhere, until, type SampleHost } from '../helpers/sample-host.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';

const APP_ID = 'com.lily.hotel';
const ENV = 'sandbox' as const;
const PINS = { alice: '123456', bob: '654321' } as const;
const PASSWORDS = { alice: 'alice-demo', bob: 'bob-demo-1' } as const;
let srv: TestServer;
let demo: InstalledSamples;
let backend: HotelState;
let backendUrl: string;

const today = hotelToday(Date.now());
const day = (offset: number) => formatDay(today + offset);
const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
/** The room charge of a stay, as the chain prices it. */
const roomTotal = (hotelId: string, roomId: string, from: number, nights: number, rate: 'flexible' | 'prepaid') => {
  const { room } = findRoom(hotelId, roomId)!;
  let sum = 0;
  for (let d = today + from; d < today + from + nights; d++) sum += nightPrice(room, d, rate);
  return sum;
};

async function userOf(name: 'alice' | 'bob') {
  const deps = srv.booted.deps;
  const user = (await deps.identity.findAccount('user', name))!;
  return {
    id: user._id,
    balance: async () => (await deps.payments.getBalance({ store: deps.store, env: ENV, userId: user._id })).balance,
  };
}

/**
 * A person pauses before each tap: the guest's runtime clock moves a second (the setData rate
 * limit refills), and a moment passes for real (the bank's per-user rate limits refill too).
 */
const clocks = new WeakMap<HeadlessApp, ManualScheduler>();
const pause = async (app: HeadlessApp) => {
  clocks.get(app)!.advance(1000);
  await new Promise((r) => setTimeout(r, 200));
};
/** Taps `handler` (after a pause). */
async function tap(app: HeadlessApp, handler: string) {
  await pause(app);
  await tapOk(app, handler);
}
/** Taps the node bound to `handler` whose dataset has `key: value` (after a pause). */
async function tapOn(app: HeadlessApp, handler: string, key: string, value: unknown) {
  await pause(app);
  await tapWhere(app, handler, key, value);
}
/** Types into the input bound to `handler`. */
async function type(app: HeadlessApp, handler: string, value: string) {
  await pause(app);
  await app.input(handler, value);
}
/** Picks `value` in the picker bound to `handler`. */
async function pick(app: HeadlessApp, handler: string, value: string | number) {
  await pause(app);
  await app.trigger(handler, 'change', { value });
}

/** Opens the hotel for `name` in the sandbox trial, logged in to the bank app. */
async function guest(name: 'alice' | 'bob'): Promise<{ session: SampleHost; app: HeadlessApp }> {
  const clock = new ManualScheduler();
  const session = await sampleHost(srv, await login(srv.baseUrl, 'user', name, PASSWORDS[name]), clock, APP_ID);
  session.host.sheets.handle('cashier', () => ({ pin: PINS[name] }));
  const app = await session.open(ENV);
  clocks.set(app, clock);
  return { session, app };
}

/** Waits until the page shows `text` (or `pred` holds); on a timeout says what the page shows instead. */
async function see(app: HeadlessApp, expected: string | (() => boolean), what = String(expected)) {
  const ok = typeof expected === 'string' ? () => app.text().includes(expected) : expected;
  try {
    await until(() => (ok() ? true : undefined), what, 20_000);
  } catch {
    const last = app.calls.slice(-3).map((c) => `${c.call.capability}.${c.call.method} → ${JSON.stringify(c.answer?.error ?? 'ok')}`);
    throw new Error(`waiting for ${what} on ${app.route}: the page shows "${app.text()}"; last calls: ${last.join('; ')}; stopped: ${JSON.stringify(app.stopReason ?? null)}`);
  }
}

/** Sets the search form and searches. */
async function search(app: HeadlessApp, form: { cityIndex: number; checkIn: string; checkOut: string; guests: number }) {
  await pick(app, 'onCity', form.cityIndex);
  await pick(app, 'onCheckIn', form.checkIn);
  await pick(app, 'onCheckOut', form.checkOut);
  await pick(app, 'onGuests', form.guests - 1);
  await tap(app, 'search');
  await see(app, () => app.route === 'pages/hotels/hotels' && !app.text().includes('Searching'), 'the search results');
}

/** From the results, opens the booking page of one room. */
async function pickRoom(app: HeadlessApp, offer: string) {
  await tapOn(app, 'book', 'offer', offer);
  expect(app.route).toBe('pages/book/book');
  await see(app, () => app.text().includes('Reserve') || app.text().includes('Not available'), 'the offer');
}

/** Back to a fresh search page (logged in). */
async function home(app: HeadlessApp) {
  expect(app.instance.navigate({ method: 'reLaunch', url: 'pages/index/index' }).error).toBeUndefined();
  await app.idle();
  await see(app, 'Search hotels', 'the search page');
}

const latest = () => [...backend.bookings.values()].at(-1)!;
const call = (method: string, route: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) => http(backendUrl, method, route, options);
const tokenOf = (openId: string) => [...backend.sessions.values()].reverse().find((s) => s.openId === openId)!.token;

beforeAll(async () => {
  srv = await startTestServer({ LILY_ALLOW_PRIVATE_NETWORK: 'true' });
  srv.booted.startWorkers();
  demo = await installSamples(srv.booted.deps, { dataDir: srv.dataDir, host: '127.0.0.1', basePort: 0, samples: ['hotel'], lilyUrl: srv.baseUrl });
  backend = demo.samples[0]!.backend.state as HotelState;
  backendUrl = `http://127.0.0.1:${new URL(demo.samples[0]!.backendUrl).port}`;
}, 120_000);

afterAll(async () => {
  await demo?.close();
  await srv?.close();
});

describe('hotel sample', () => {
  it('is installed live, with its capabilities granted and its webhooks pointed at its back end', async () => {
    const deps = srv.booted.deps;
    const sample = demo.samples[0]!;
    expect(sample).toMatchObject({ appId: APP_ID, version: '1.0.0', merchant: 'hotel-merchant' });
    const app = await deps.apps.get(APP_ID);
    expect(app).toMatchObject({ status: 'live', category: 'hotel', webhookUrl: sample.webhookUrl });
    expect((await deps.merchants.get(app.merchantId)).status).toBe('admitted');
    const declared = app.releases.sandbox!.manifest.capabilities.map((c) => c.id);
    expect(declared.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(await deps.grants.snapshot(APP_ID, ENV)).sort()).toEqual([...declared].sort());
    expect(app.releases.sandbox!.manifest.domains).toEqual([new URL(sample.backendUrl).host]);
  });

  it('takes alice through every page: search, book with a deposit, check out, card, late and free cancellations, cashier check-out', async () => {
    const deps = srv.booted.deps;
    const alice = await userOf('alice');
    const { session, app } = await guest('alice');
    const sheets = session.host.sheets;
    try {
      expect(app.route).toBe('pages/index/index');
      await tap(app, 'login');
      await see(app, 'Search hotels', 'the search form');
      expect(app.text()).toMatch(/Welcome, guest …[\w-]{4} · 会员 Member/);
      expect(app.text()).toContain(`Check-in: ${day(0)}`);

      // Search: Shanghai, two nights from today, two guests. Prices and rooms left per night.
      await search(app, { cityIndex: 0, checkIn: day(0), checkOut: day(2), guests: 2 });
      const results = app.text();
      expect(results).toContain(`上海 Shanghai: ${day(0)} → ${day(2)}`);
      expect(results).toContain('2 nights · 2 guests');
      const king = roomTotal('sh-bund', 'king', 0, 2, 'flexible');
      expect(results).toContain(`${day(0).slice(5)} ${yuan(nightPrice(findRoom('sh-bund', 'king')!.room, today, 'flexible'))} (8 left)`);
      expect(results).toContain(`${yuan(king)} pay at hotel · ${yuan(roomTotal('sh-bund', 'king', 0, 2, 'prepaid'))} prepaid`);
      expect(results).toContain('Book · last room'); // the River Suite: one room
      // Call the front desk: the host shows the number and dials after the user confirms.
      sheets.queue('phoneCall', { confirm: true });
      await tapOn(app, 'call', 'phone', '021-6333 8801');
      expect(session.host.device.dials.map((d) => d.phoneNumber)).toEqual(['021-6333 8801']);

      await pickRoom(app, 'sh-bund:king');
      expect(app.text()).toContain(`Room ${yuan(king)} · deposit ${yuan(king + RULES.incidentalsDeposit)}`);
      expect(app.text()).toMatch(/Free cancellation until \d{4}-\d\d-\d\d 14:00/);

      // Guest details: the bank phone (consent), an invoice title (consent, host picker).
      await type(app, 'onName', '李小花');
      sheets.queue('consent', { granted: true }, { granted: true });
      await tap(app, 'usePhone');
      await see(app, 'Phone 138****8000 (from your bank)', 'the shared phone number');
      expect(backend.sessions.get(tokenOf(deps.tokens.openId(alice.id, APP_ID)))!.phone).toBe('13800138000');
      sheets.queue('actionSheet', { tapIndex: 1 });
      await tap(app, 'chooseInvoice');
      await see(app, 'Fapiao to 上海百合科技有限公司 (91310000MA1K3XYZ2A)', 'the invoice title');
      const consentScopes = sheets.shown.filter((s) => s.kind === 'consent').map((s) => (s.request as { scope: string }).scope);
      expect(consentScopes).toEqual(['scope.phone', 'scope.invoice']);

      // Reserve: the room is taken for both nights and the deposit hold created by the back end.
      const walletBefore = await alice.balance();
      await tap(app, 'reserve');
      await see(app, 'Authorize deposit', 'the reservation');
      const stay: Booking = latest();
      expect(stay).toMatchObject({ status: 'pending', rate: 'flexible', roomTotal: king, deposit: king + RULES.incidentalsDeposit, phone: '13800138000', phoneSource: 'bank' });
      expect(stay.invoice).toMatchObject({ type: 'company', title: '上海百合科技有限公司', taxNumber: '91310000MA1K3XYZ2A' });
      expect(backend.inventory.left(ENV, 'sh-bund', findRoom('sh-bund', 'king')!.room, today)).toBe(7);
      // The back end does not take the mini-app's word: nothing is confirmed before the bank holds the deposit.
      const early = await call('POST', `/bookings/${stay.bookingId}/confirm`, { token: tokenOf(stay.openId) });
      expect(early.status).toBe(409);
      expect(early.body).toEqual({ code: 'DEPOSIT_PENDING', message: 'Authorize the deposit first.' });

      // The deposit: cancelled sheet, then a wrong PIN, then the right one.
      sheets.queue('cashier', { cancel: true }, { pin: '000000' });
      await tap(app, 'authorize');
      expect(app.text()).toContain('The deposit was not authorized.');
      await tap(app, 'authorize');
      expect(app.text()).toContain('The payment PIN is incorrect');
      expect(await alice.balance()).toBe(walletBefore);
      await tap(app, 'authorize');
      await see(app, () => app.route === 'pages/booking/booking' && app.text().includes('Confirmed'), 'the confirmed booking');
      expect(stay).toMatchObject({ status: 'confirmed', holdStatus: 'held' });
      expect(walletBefore - (await alice.balance())).toBe(king + RULES.incidentalsDeposit);
      expect(app.text()).toContain(`Deposit ${yuan(stay.deposit)}: held`);
      expect(app.text()).toContain('李小花 · 138****8000');

      // The front desk posts a minibar charge against the deposit.
      const refused = await call('POST', `/desk/bookings/${stay.bookingId}/charges`, { body: { item: 'Minibar', amount: 4500 }, headers: { 'x-desk-key': 'wrong' } });
      expect(refused.status).toBe(401);
      const tooMuch = await call('POST', `/desk/bookings/${stay.bookingId}/charges`, { body: { item: 'Spa', amount: RULES.incidentalsDeposit + 1 }, headers: { 'x-desk-key': backend.deskKey } });
      expect(tooMuch.body.code).toBe('LIMIT_EXCEEDED');
      const minibar = await call('POST', `/desk/bookings/${stay.bookingId}/charges`, { body: { item: 'Minibar', amount: 4500 }, headers: { 'x-desk-key': backend.deskKey } });
      expect(minibar.status).toBe(201);

      // My bookings → the booking again (now with the extra) → check out from the deposit.
      await tap(app, 'bookings');
      await see(app, () => app.route === 'pages/bookings/bookings' && app.text().includes('Confirmed'), 'my bookings');
      await tapOn(app, 'open', 'booking', stay.bookingId);
      await see(app, 'Minibar ¥45.00', 'the booking with the minibar');
      await tapOn(app, 'checkOut', 'method', 'deposit');
      await see(app, 'Payment ', 'the check-out');
      const charged = king + 4500;
      expect(stay).toMatchObject({ status: 'checked_out', settlement: 'deposit', charged, holdStatus: 'captured' });
      // The ledger: exactly the room and the minibar left the wallet; the rest of the deposit came back.
      expect(walletBefore - (await alice.balance())).toBe(charged);
      const text = app.text();
      expect(text).toContain(`Stay charged ${yuan(charged)} (from the deposit, the rest released)`);
      expect(text).toContain(`Payment ${yuan(charged)} · paid`);
      expect(text).toMatch(new RegExp(`Fapiao \\d{14} to 上海百合科技有限公司 · ¥${(charged / 100).toFixed(2).replace('.', '\\.')}`));
      expect(text).toContain(`+2 nights and +${Math.floor(charged / 100)} points on your membership`);

      // The card: the back end defines the template, alice adds the card, the back end writes her standing on it.
      await tap(app, 'card');
      await see(app, () => app.route === 'pages/card/card' && app.text().includes('Add the card'), 'the card page');
      expect(app.text()).toContain(`会员 Member · 2 nights · ${Math.floor(charged / 100)} points · 1 stay`);
      await tap(app, 'join');
      await see(app, 'Level ', 'the card in the card pack');
      const member = backend.members.get(`${ENV}|${stay.openId}`)!;
      expect(member.cardId).toMatch(/^mc_/);
      const pack = await deps.members.cards.cardPack(deps.store, ENV, alice.id);
      expect(pack).toEqual([expect.objectContaining({ appId: APP_ID, cardId: member.cardId, level: '会员 Member', points: Math.floor(charged / 100), title: '悦途酒店会员卡' })]);
      expect(app.text()).toContain(`Points ${Math.floor(charged / 100)}`);

      // A prepaid stay from tomorrow, cancelled late (within 48 hours): half the payment comes back.
      await home(app);
      await search(app, { cityIndex: 2, checkIn: day(1), checkOut: day(2), guests: 2 });
      await pickRoom(app, 'hz-westlake:lakeview');
      await tapOn(app, 'pickRate', 'rate', 'prepaid');
      await type(app, 'onName', '李小花');
      await tap(app, 'reserve');
      await see(app, 'Pay the room', 'the prepaid reservation');
      const pre = latest();
      expect(pre).toMatchObject({ rate: 'prepaid', deposit: RULES.incidentalsDeposit, roomTotal: roomTotal('hz-westlake', 'lakeview', 1, 1, 'prepaid') });
      expect(app.text()).toContain(`1. Pay the room ${yuan(pre.roomTotal)}`);
      const beforePrepaid = await alice.balance();
      await tap(app, 'pay');
      expect(app.text()).toContain('room paid');
      await tap(app, 'authorize');
      await see(app, () => app.route === 'pages/booking/booking' && app.text().includes('Confirmed'), 'the prepaid booking');
      const paid = pre.prepay!.paidAmount;
      expect(paid).toBeGreaterThan(0);
      expect(beforePrepaid - (await alice.balance())).toBe(paid + RULES.incidentalsDeposit);
      const fee = Math.round((paid * RULES.lateCancellationFeePct) / 100);
      sheets.queue('modal', { confirm: false }, { confirm: true });
      await tap(app, 'cancel');
      expect(pre.status).toBe('confirmed'); // "再想想": kept
      const modal = sheets.shown.filter((s) => s.kind === 'modal').at(-1)!.request as { content: string };
      expect(modal.content).toContain(`${yuan(fee)} is kept and ${yuan(paid - fee)} refunded`);
      await tap(app, 'cancel');
      await see(app, 'Refund ', 'the refund');
      expect(pre).toMatchObject({ status: 'cancelled', holdStatus: 'released' });
      expect(pre.cancellation).toMatchObject({ fee, refunded: paid - fee });
      expect(beforePrepaid - (await alice.balance())).toBe(fee);
      expect(app.text()).toContain(`Refund ${yuan(paid - fee)} succeeded`);
      expect(app.text()).toContain(`Payment ${yuan(paid)} · partially_refunded · refunded ${yuan(paid - fee)}`);
      expect(backend.inventory.left(ENV, 'hz-westlake', findRoom('hz-westlake', 'lakeview')!.room, today + 1)).toBe(4);
      // The bank's signed, enveloped webhooks for the payment and the refund reached the back end.
      const refundHook = await until(
        () => backend.webhooks.find((w) => w.verified && w.event?.eventType === 'refund.succeeded' && w.event.resource.refundId === pre.cancellation!.refundId),
        'the refund webhook',
        90_000,
      );
      expect(refundHook.env).toBe(ENV);
      expect(refundHook.event!.resource).toMatchObject({ amount: paid - fee, outRefundNo: `RF-${pre.bookingId}`, status: 'succeeded' });
      await until(() => backend.webhooks.find((w) => w.verified && w.event?.eventType === 'payment.succeeded' && w.event.resource.outTradeNo === `PRE-${pre.bookingId}`), 'the payment webhook', 90_000);
      expect(pre.cancellation!.refundStatus).toBe('succeeded');

      // A night tonight, paid in the cashier at check-out: the deposit is released, the card moves up to Silver.
      await home(app);
      await search(app, { cityIndex: 0, checkIn: day(0), checkOut: day(1), guests: 4 });
      expect(app.text()).toContain('Sleeps at most 2');
      await pickRoom(app, 'sh-hongqiao:family');
      await type(app, 'onName', '李小花');
      await tap(app, 'reserve');
      const family = latest();
      const beforeCashier = await alice.balance();
      await tap(app, 'authorize');
      await see(app, () => app.route === 'pages/booking/booking' && app.text().includes('Confirmed'), 'tonight’s booking');
      await tapOn(app, 'checkOut', 'method', 'cashier');
      expect(app.text()).toContain(`Pay ${yuan(family.roomTotal)}`);
      await tap(app, 'payStay');
      await see(app, 'Payment ', 'the cashier check-out');
      expect(family).toMatchObject({ status: 'checked_out', settlement: 'cashier', holdStatus: 'released' });
      expect(beforeCashier - (await alice.balance())).toBe(family.charged);
      expect(app.text()).toContain('paid in the cashier, deposit released');
      await tap(app, 'card');
      await see(app, () => app.route === 'pages/card/card' && app.text().includes('Level '), 'the card page again');
      expect(app.text()).toContain('Level 银卡 Silver');
      expect(app.text()).toContain('银卡 Silver · 3 nights');
      const points = Math.floor(charged / 100) + Math.floor(family.charged / 100);
      expect(await deps.members.cards.cardPack(deps.store, ENV, alice.id)).toEqual([expect.objectContaining({ level: '银卡 Silver', points })]);

      // A stay ten days ahead: check-out is not open yet; cancelled for free, the whole deposit comes back.
      await home(app);
      await search(app, { cityIndex: 1, checkIn: day(10), checkOut: day(11), guests: 1 });
      await pickRoom(app, 'bj-guomao:king');
      await type(app, 'onName', '李小花');
      await tap(app, 'reserve');
      const later = latest();
      expect(later.phone).toBe('13800138000'); // the shared number is remembered for the session
      const beforeFree = await alice.balance();
      await tap(app, 'authorize');
      await see(app, () => app.route === 'pages/booking/booking' && app.text().includes('Confirmed'), 'the booking ten days ahead');
      expect(app.text()).not.toContain('Check out');
      const tooEarly = await call('POST', `/bookings/${later.bookingId}/checkout`, { token: tokenOf(later.openId), body: { method: 'deposit' } });
      expect(tooEarly.body).toEqual({ code: 'TOO_EARLY', message: `Check-out opens on the check-in day, ${day(10)}.` });
      sheets.queue('modal', { confirm: true });
      await tap(app, 'cancel');
      expect((sheets.shown.filter((s) => s.kind === 'modal').at(-1)!.request as { content: string }).content).toBe('Free cancellation: your deposit is released in full.');
      await see(app, () => later.status === 'cancelled', 'the free cancellation');
      expect(later).toMatchObject({ holdStatus: 'released', cancellation: expect.objectContaining({ fee: 0, captured: 0 }) });
      expect(await alice.balance()).toBe(beforeFree);
      const twice = await call('POST', `/bookings/${later.bookingId}/cancel`, { token: tokenOf(later.openId) });
      expect(twice.body).toEqual({ code: 'INVALID_STATE', message: 'The booking is cancelled.' });

      // The last search is remembered on the device (base.storage).
      await home(app);
      expect(app.text()).toContain('City: 北京 Beijing');
      expect(app.text()).toContain('Guests: 1');

      // Every capability the manifest declares was used through the bridge or the host.
      const used = new Set(app.calls.map((c) => c.call.capability));
      const declared = (await deps.apps.get(APP_ID)).releases.sandbox!.manifest.capabilities.map((c) => c.id);
      expect(declared.filter((id) => !used.has(id))).toEqual([]);
      // The only refusals: the sheets alice closed or got wrong, and no saved search at first.
      const refusals = app.calls.filter((c) => c.answer?.error).map((c) => `${c.call.capability}.${c.call.method}: ${c.answer!.error!.code}`);
      expect(refusals).toEqual(['base.storage.getStorage: NOT_FOUND', 'payment.deposit.authorizeHold: USER_CANCELLED', 'payment.deposit.authorizeHold: PIN_INCORRECT']);
      expect(app.errors).toEqual([]);
      expect(backend.webhooks.every((w) => w.verified)).toBe(true);
      app.close();
    } finally {
      session.close();
    }
  }, 300_000);
  it('lets bob book with a typed number after refusing the phone consent; alice and bob race for the last suite and one gets it', async () => {
    const bob = await guest('bob');
    const alice = await guest('alice');
    try {
      for (const g of [bob, alice]) {
        await tap(g.app, 'login');
        await see(g.app, 'Search hotels', 'the search form');
      }
      // A stay that ends before it starts: the back end says so, the guest changes the search.
      await pick(bob.app, 'onCheckIn', day(15));
      await pick(bob.app, 'onCheckOut', day(14));
      await tap(bob.app, 'search');
      await see(bob.app, 'Check-out must be after check-in.');
      await tap(bob.app, 'change');
      expect(bob.app.route).toBe('pages/index/index');
      await search(bob.app, { cityIndex: 0, checkIn: day(15), checkOut: day(16), guests: 3 });
      expect(bob.app.text()).toContain('Sleeps at most 2');
      await pickRoom(bob.app, 'sh-bund:suite');

      // bob refuses to share his phone number: a clear message, and he types one instead.
      bob.session.host.sheets.queue('consent', { granted: false });
      await tap(bob.app, 'usePhone');
      await see(bob.app, 'You did not share your bank phone number. Type a mobile number below so that the hotel can reach you.');
      await type(bob.app, 'onName', '王大明');
      await tap(bob.app, 'reserve');
      await see(bob.app, 'Enter an 11-digit mobile number, e.g. 13800138000.');
      await type(bob.app, 'onPhone', '139 0013 9000');

      await search(alice.app, { cityIndex: 0, checkIn: day(15), checkOut: day(16), guests: 2 });
      await pickRoom(alice.app, 'sh-bund:suite');
      await type(alice.app, 'onName', '李小花');
      await type(alice.app, 'onPhone', '13800138000');

      // Both tap Reserve at the same moment for the last suite: exactly one gets it.
      const suite = findRoom('sh-bund', 'suite')!.room;
      const before = backend.bookings.size;
      await Promise.all([tap(bob.app, 'reserve'), tap(alice.app, 'reserve')]);
      const soldOut = `The 江景套房 River Suite is sold out on ${day(15)}.`;
      for (const g of [bob, alice]) await see(g.app, () => g.app.text().includes('Authorize deposit') || g.app.text().includes(soldOut), 'the outcome of the race');
      const made = [...backend.bookings.values()].slice(before);
      expect(made).toHaveLength(1);
      expect(backend.inventory.left(ENV, 'sh-bund', suite, today + 15)).toBe(0);
      const [winner, loser] = made[0]!.guestName === '王大明' ? [bob, alice] : [alice, bob];
      expect(loser.app.text()).toContain(soldOut);
      expect(winner.app.text()).not.toContain(soldOut);
      expect(made[0]!.phoneSource).toBe('typed');
      expect(made[0]!.phone).toBe(winner === bob ? '13900139000' : '13800138000');
      await tap(winner.app, 'authorize');
      await see(winner.app, () => winner.app.route === 'pages/booking/booking' && winner.app.text().includes('Confirmed'), 'the winner’s booking');
      expect(made[0]!.status).toBe('confirmed');
      // The loser searches again: the suite shows as sold out for that night.
      await home(loser.app);
      await search(loser.app, { cityIndex: 0, checkIn: day(15), checkOut: day(16), guests: 2 });
      expect(loser.app.text()).toContain(`Sold out on ${day(15)}`);
      for (const g of [bob, alice]) expect(g.app.errors).toEqual([]);
      const bobRefusals = bob.app.calls.filter((c) => c.answer?.error).map((c) => `${c.call.capability}.${c.call.method}: ${c.answer!.error!.code}`);
      expect(bobRefusals).toEqual(['base.storage.getStorage: NOT_FOUND', 'member.phone.getPhoneNumber: CONSENT_REQUIRED']);
      bob.app.close();
      alice.app.close();
    } finally {
      bob.session.close();
      alice.session.close();
    }
  }, 180_000);

  it('books the last room once under a burst of concurrent requests, and refuses bad input with clear messages', async () => {
    const deps = srv.booted.deps;
    const tokens = await Promise.all(
      (['alice', 'bob'] as const).map(async (name) => tokenOf(deps.tokens.openId((await userOf(name)).id, APP_ID))),
    );
    const stay = { hotelId: 'bj-guomao', roomId: 'suite', checkIn: day(12), checkOut: day(14), guests: 2, rate: 'flexible', guestName: 'Guest', phone: '13700137000' };
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => call('POST', '/bookings', { token: tokens[i % 2], body: stay })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'SOLD_OUT')).toBe(true);
    const won = answers.find((a) => a.status === 201)!.body as { bookingId: string; status: string; nights: number };
    expect(won).toMatchObject({ status: 'pending', nights: 2 });
    const suite = findRoom('bj-guomao', 'suite')!.room;
    expect([12, 13].map((d) => backend.inventory.left(ENV, 'bj-guomao', suite, today + d))).toEqual([0, 0]);
    // Cancelling the unpaid booking gives the room back for both nights.
    const owner = tokens[answers.findIndex((a) => a.status === 201) % 2]!;
    expect((await call('POST', `/bookings/${won.bookingId}/cancel`, { token: owner })).body).toMatchObject({ status: 'cancelled', holdStatus: 'released' });
    expect([12, 13].map((d) => backend.inventory.left(ENV, 'bj-guomao', suite, today + d))).toEqual([1, 1]);

    // Bad input: each refused with a message a guest can act on.
    const search = (q: string) => call('GET', `/hotels?${q}`, { token: tokens[0] });
    expect((await call('GET', `/hotels?city=shanghai&checkIn=${day(1)}&checkOut=${day(2)}`)).body).toEqual({ code: 'SESSION_INVALID', message: 'Log in again.' });
    expect((await search(`city=paris&checkIn=${day(1)}&checkOut=${day(2)}`)).body).toEqual({ code: 'INVALID_PARAMS', message: 'Pick a city: shanghai, beijing, hangzhou.' });
    const stayErrors = [
      [`checkIn=2026-02-30&checkOut=${day(2)}`, 'Pick a check-in and a check-out date (YYYY-MM-DD).'],
      [`checkIn=${day(-1)}&checkOut=${day(1)}`, 'The check-in date has passed.'],
      [`checkIn=${day(21)}&checkOut=${day(22)}`, 'Stays can be booked up to 20 days ahead.'],
      [`checkIn=${day(2)}&checkOut=${day(2)}`, 'Check-out must be after check-in.'],
      [`checkIn=${day(1)}&checkOut=${day(9)}`, 'A stay is at most 7 nights.'],
      [`checkIn=${day(1)}&checkOut=${day(2)}&guests=9`, 'Guests must be 1 to 4.'],
    ] as const;
    for (const [q, message] of stayErrors) {
      const r = await search(`city=shanghai&${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body, q).toEqual({ code: 'INVALID_STAY', message });
    }
    // bob's session: he refused to share his phone number.
    const book = (patch: Record<string, unknown>) => call('POST', '/bookings', { token: tokens[1], body: { ...stay, ...patch } });
    expect((await book({ roomId: 'penthouse' })).body).toEqual({ code: 'NOT_FOUND', message: 'No such room.' });
    expect((await book({ guests: 4 })).body).toEqual({ code: 'INVALID_STAY', message: 'The 行政套房 Executive Suite sleeps at most 3.' });
    expect((await book({ rate: 'cheapest' })).body).toEqual({ code: 'INVALID_PARAMS', message: 'rate must be flexible or prepaid.' });
    expect((await book({ guestName: '  ' })).body.code).toBe('INVALID_PARAMS');
    expect((await book({ phone: 'bank' })).body).toEqual({ code: 'PHONE_REQUIRED', message: 'Share your bank phone number first, or type a number.' });
    expect((await book({ phone: '12345' })).body.code).toBe('INVALID_PHONE');
    expect((await book({ invoice: { type: 'company', title: '某公司' } })).body).toEqual({ code: 'INVALID_INVOICE', message: 'A company invoice title needs its tax number.' });
    const garbled = await fetch(`${backendUrl}/bookings`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[0]}` }, body: '{"hotelId":' });
    expect(await garbled.json()).toEqual({ code: 'INVALID_PARAMS', message: 'The body is not valid JSON.' });
    expect((await call('GET', '/bookings/bk_000000000000', { token: tokens[0] })).status).toBe(404);
    // Nothing was booked by any of these.
    expect([12, 13].map((d) => backend.inventory.left(ENV, 'bj-guomao', suite, today + d))).toEqual([1, 1]);

    // A webhook not signed by the bank is refused and changes nothing.
    const forged = await call('POST', '/lily/webhook', {
      body: JSON.stringify({ id: 'evt_forged', eventType: 'payment.succeeded', createdAt: Date.now(), resource: {} }),
      headers: { 'content-type': 'application/json', 'Lily-Timestamp': String(Math.floor(Date.now() / 1000)), 'Lily-Nonce': 'n0nce', 'Lily-Signature': 'MEUCIQDforged' },
    });
    expect(forged.status).toBe(400);
    expect(forged.body).toEqual({ code: 'WEBHOOK_REFUSED', reason: 'signature' });
    expect(backend.webhooks.at(-1)).toMatchObject({ verified: false, reason: 'signature', event: null });
  }, 120_000);

  it('gives the rooms back when a booking is not paid in time, and unwinds the hold and the prepay order with the bank', async () => {
    const deps = srv.booted.deps;
    const stored = JSON.parse(readFileSync(path.join(srv.dataDir, 'demo', `${APP_ID}.json`), 'utf8')) as { sandbox: { serialNo: string; privateKey: string } };
    let clock = Date.now();
    const other = createHotelBackend({
      lilyUrl: srv.baseUrl,
      bankPublicKey: deps.bankKeys.publicKey,
      credentials: { sandbox: { appId: APP_ID, ...stored.sandbox } },
      now: () => clock,
    });
    const url = await other.listen(0, '127.0.0.1');
    try {
      const bob = await userOf('bob');
      const openId = deps.tokens.openId(bob.id, APP_ID);
      // A session as code2Session would have opened it for bob.
      other.state.sessions.set('hs_test', { token: 'hs_test', env: ENV, openId, sessionKey: '', phone: null, createdAt: clock });
      const suite = findRoom('hz-westlake', 'courtyard')!.room;
      const body = { hotelId: 'hz-westlake', roomId: 'courtyard', checkIn: day(18), checkOut: day(19), guests: 4, rate: 'prepaid', guestName: '王大明', phone: '13900139000' };
      const first = await http(url, 'POST', '/bookings', { token: 'hs_test', body });
      const second = await http(url, 'POST', '/bookings', { token: 'hs_test', body });
      const third = await http(url, 'POST', '/bookings', { token: 'hs_test', body });
      expect([first.status, second.status, third.status]).toEqual([201, 201, 409]);
      expect(other.state.inventory.left(ENV, 'hz-westlake', suite, today + 18)).toBe(0);
      const booking = other.state.bookings.get(first.body.bookingId)!;
      expect(booking).toMatchObject({ status: 'pending', holdStatus: 'created', prepay: expect.objectContaining({ status: 'created' }) });

      // Fifteen minutes later, unpaid: both bookings expire, the rooms are free again at once.
      clock += (RULES.pendingMinutes + 1) * 60_000;
      const again = await http(url, 'GET', `/hotels?city=hangzhou&checkIn=${day(18)}&checkOut=${day(19)}&guests=4`, { token: 'hs_test' });
      expect(again.body.hotels[0].rooms.find((r: { roomId: string }) => r.roomId === 'courtyard')).toMatchObject({ left: 2, available: true });
      expect(booking.status).toBe('expired');
      // …and the bank is told: the hold released, the prepay order closed (it can no longer be paid).
      await until(() => (booking.holdStatus === 'released' && booking.prepay?.status === 'closed' && !booking.busy ? true : undefined), 'the unwinding', 30_000);
      const order = await deps.payments.queryOrder({ store: deps.store, env: ENV, appId: APP_ID, now: Date.now }, { orderId: booking.prepay!.orderId });
      expect(order.status).toBe('closed');
      const late = await http(url, 'POST', `/bookings/${booking.bookingId}/confirm`, { token: 'hs_test' });
      expect(late.body).toEqual({ code: 'EXPIRED', message: `Rooms are kept for ${RULES.pendingMinutes} minutes; the booking expired. Book again.` });
    } finally {
      await other.close();
    }
  }, 60_000);
});
