/**
 * The movie-ticket sample from end to end: the demo installer makes it a live app of an admitted
 * merchant with its back end running and its reminder template approved; alice goes through
 * every page in the headless host over the real bridge (login, campaigns, films, share, the seat
 * map, a seat lock, the welcome coupon, a cancelled then a completed payment in the cashier with
 * the coupon, the e-ticket QR, the reminder subscription, a refund, her tickets); bob's ticket
 * gets the bank campaign, its reminder lands in his inbox, refunds are refused near and
 * after the show, and the gate checks the QR in once. Money is checked against the ledger and the
 * back end receives verified payment and refund webhooks. Two users race for one seat: exactly
 * one lock. Unhappy paths at the back end: sessions, seats, screenings, expired locks, webhooks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LilyOpenApiError, LilyOpenClient } from '../../open-client/index.ts';
import type { HeadlessApp } from '../../runtime/headless/host.ts';
import { ManualScheduler } from '../../runtime/scheduler.ts';
import type { ViewNode } from '../../runtime/view/tree.ts';
import type { Booking, MoviesBackend, MoviesState } from '../../sample-miniapps/movies/server/backend.ts';
import { REMINDER_TEMPLATE, stockBody, WELCOME_STOCK } from '../../sample-miniapps/movies/server/offers.ts';
import { readTicketQr } from '../../sample-miniapps/movies/server/tickets.ts';
import { installSamples, type InstalledSamples } from '../../server/demo/index.ts';
import { accounts } from '../../server/ledger/accounts.ts';
import { ACCOUNTS_COLLECTION } from '../../server/ledger/ledger.ts';
import { MK } from '../../server/marketing/common.ts';
import { C } from '../../server/payments/common.ts';
import { sampleHost, tapOk, tapWhere, until, type SampleHost } from '../helpers/sample-host.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';

const APP_ID = 'com.lily.movies';
const PIN = '123456';
const BOB_PIN = '654321';
const env = 'sandbox' as const;
const HOUR = 3600_000;
let srv: TestServer;
let demo: InstalledSamples;
let backend: MoviesBackend;
let state: MoviesState;
let backendUrl: string;
/** Every bridge call of every app the tests opened, to check each declared capability was used. */
const apps: HeadlessApp[] = [];

beforeAll(async () => {
  srv = await startTestServer({ LILY_ALLOW_PRIVATE_NETWORK: 'true' });
  srv.booted.startWorkers();
  demo = await installSamples(srv.booted.deps, { dataDir: srv.dataDir, host: '127.0.0.1', basePort: 0, samples: ['movies'], lilyUrl: srv.baseUrl });
  backend = demo.samples[0]!.backend as MoviesBackend;
  state = backend.state;
  backendUrl = demo.samples[0]!.backendUrl.replace('localhost', '127.0.0.1');
}, 120_000);
afterAll(async () => {
  await demo?.close();
  await srv?.close();
});

const deps = () => srv.booted.deps;
const userOf = async (username: string) => (await deps().identity.findAccount('user', username))!;
const wallet = async (userId: string) => (await deps().payments.getBalance({ store: deps().store, env, userId })).balance;
const merchantBalance = async () => (await deps().store.collection<{ _id: string; balance: number }>(ACCOUNTS_COLLECTION).findOne({ _id: accounts.merchant(env, APP_ID) }))?.balance ?? 0;
const orderOf = (orderId: string) => deps().store.collection<{ _id: string; status: string; paidAmount: number; discountAmount: number; refundedAmount: number }>(C.orders).findOne({ _id: orderId });
const latestBooking = (): Booking => [...state.bookings.values()].sort((a, b) => a.createdAt - b.createdAt).at(-1)!;
/** A screening of `filmId` starting more than `hours` from now. */
const laterShow = (filmId: string, hours: number) =>
  [...state.showtimes.values()].filter((s) => s.filmId === filmId && s.startsAt > Date.now() + hours * HOUR).sort((a, b) => a.startsAt - b.startsAt)[0]!;
const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

function find(node: ViewNode | undefined, type: string): ViewNode | undefined {
  if (!node) return undefined;
  if (node.type === type) return node;
  for (const c of node.children) if (typeof c !== 'string') {
    const hit = find(c, type);
    if (hit) return hit;
  }
  return undefined;
}

/** Each app's clock: the runtime's limits (setData rate, timers) count in its time. */
const clocks = new WeakMap<HeadlessApp, ManualScheduler>();
/**
 * A user's pace between taps: a second of the app's clock and a moment of real time, so that the
 * bank's per-user rate limits (which count real time) see a person, not a script.
 */
async function pace(app: HeadlessApp) {
  clocks.get(app)!.advance(1000);
  await new Promise((r) => setTimeout(r, 300));
}
async function tap(app: HeadlessApp, handler: string) {
  await pace(app);
  await tapOk(app, handler);
}
async function tapOn(app: HeadlessApp, handler: string, key: string, value: unknown) {
  await pace(app);
  await tapWhere(app, handler, key, value);
}

/** Opens the sandbox trial for `username`, logged in to the cinema. */
async function openLoggedIn(username: string, password: string): Promise<{ session: SampleHost; app: HeadlessApp }> {
  const clock = new ManualScheduler();
  const session = await sampleHost(srv, await login(srv.baseUrl, 'user', username, password), clock, APP_ID);
  const app = await session.open(env);
  clocks.set(app, clock);
  apps.push(app);
  await tap(app, 'login');
  expect(app.text()).toContain('Member …');
  return { session, app };
}

/** From the home page to the seat map of `showtimeId`. */
async function toSeats(app: HeadlessApp, filmId: string, showtimeId: string) {
  await tapOn(app, 'open', 'film', filmId);
  expect(app.route).toBe('pages/film/film');
  await tapOn(app, 'pick', 'show', showtimeId);
  expect(app.route).toBe('pages/seats/seats');
}

/** Calls the back end directly, as the mini-app does. */
async function call(method: 'GET' | 'POST', p: string, body?: Record<string, unknown>) {
  return http(backendUrl, method, p, body === undefined ? {} : { body });
}

const tokenOf = (openId: string) => [...state.sessions.values()].find((s) => s.openId === openId && s.env === env)!.token;

describe('movie-ticket sample', () => {
  it('installs as a live app with its capabilities granted and its reminder template approved', async () => {
    const d = deps();
    expect(demo.samples[0]).toMatchObject({ appId: APP_ID, version: '1.0.0' });
    const app = await d.apps.get(APP_ID);
    expect(app).toMatchObject({ status: 'live', webhookUrl: demo.samples[0]!.webhookUrl });
    expect((await d.merchants.get(app.merchantId)).status).toBe('admitted');
    const version = await d.versions.get(`${APP_ID}@1.0.0`);
    expect(version.report.passed).toBe(true);
    const declared = version.manifest.capabilities.map((c) => c.id);
    expect(declared.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(await d.grants.snapshot(APP_ID, 'sandbox')).sort()).toEqual([...declared].sort());
    expect((await d.grants.facts(APP_ID, 'production', 'payment.cashier'))?.quota).toMatchObject({ dailyAmount: 500_000 });
    const template = await d.store.collection<{ _id: string; status: string; appId: string }>(MK.templates).findOne({ _id: REMINDER_TEMPLATE.templateId });
    expect(template).toMatchObject({ appId: APP_ID, status: 'approved' });
  });

  it('takes alice through every page: seats, coupon, cashier, e-ticket, reminder, refund, and the ledger agrees', async () => {
    const d = deps();
    const alice = await userOf('alice');
    const walletBefore = await wallet(alice._id);
    const merchantBefore = await merchantBalance();
    const { session, app } = await openLoggedIn('alice', 'alice-demo');
    const { host } = session;
    try {
      // Home: the bank's campaign (advertised only), the films from the back end.
      expect(app.text()).toContain('银行优惠 · 百合卡支付满30减5');
      expect(app.text()).toContain('流浪地球3');
      const welcome = stockBody(WELCOME_STOCK, Date.now()).outStockNo;
      const welcomeStock = state.stocks.get(`${env}|${welcome}`)!;
      expect(welcomeStock).toMatch(/^cs_/);

      // Film page: title in the host's bar, remembered in storage, shared with a friend.
      const show = laterShow('earth', 3);
      await toSeats(app, 'earth', show.showtimeId);
      await app.back();
      expect(app.route).toBe('pages/film/film');
      expect([...app.ui.titles.values()]).toContain('流浪地球3');
      host.sheets.queue('actionSheet', { tapIndex: 0 });
      await tap(app, 'share');
      expect(app.text()).toMatch(/Shared, code [A-Z0-9]+/);
      await tapOn(app, 'pick', 'show', show.showtimeId);

      // Seat map: pick two seats, a fifth is refused by the page, lock them at the back end.
      for (const seat of ['C5', 'C6']) await tapOn(app, 'pick', 'seat', seat);
      expect(app.text()).toContain(`Seats C5 C6 · ${yuan(show.price * 2)}`);
      for (const seat of ['C7', 'C8', 'C9']) await tapOn(app, 'pick', 'seat', seat);
      expect(app.toasts.map((t) => t.title)).toContain('At most 4 seats');
      for (const seat of ['C7', 'C8']) await tapOn(app, 'pick', 'seat', seat);
      await tap(app, 'lock');
      expect(app.route).toBe('pages/checkout/checkout');
      const booking = latestBooking();
      expect(booking).toMatchObject({ status: 'pending', seats: ['C5', 'C6'], amount: show.price * 2 });
      expect(state.seats.statusOf(env, show.showtimeId, 'C5', 'someone-else')).toBe('locked');
      expect(app.text()).toContain(`2 × ${yuan(show.price)} = ${yuan(show.price * 2)}`);
      expect(app.text()).toContain('Bank offer: 百合卡支付满30减5');

      // The welcome coupon: claimed in the mini-app, from the stock the back end created.
      await tapOn(app, 'claim', 'stock', welcomeStock);
      expect(app.text()).toContain('新客观影券 满40减10 (−¥10.00 over ¥40.00)');
      expect(app.text()).toContain("Choose 新客观影券 满40减10 in the bank's cashier to save ¥10.00");
      const coupon = (await d.store.collection<{ _id: string; status: string }>(MK.coupons).findOne({ env, appId: APP_ID, userId: alice._id, stockId: welcomeStock }))!;
      expect(coupon.status).toBe('available');

      // The first cashier sheet is closed: nothing is paid, the seats stay held.
      host.sheets.queue('cashier', { cancel: true });
      await tap(app, 'pay');
      expect(app.text()).toMatch(/Payment cancelled\. Your seats are held until \d\d:\d\d\./);
      expect(booking.status).toBe('pending');
      expect(await wallet(alice._id)).toBe(walletBefore);

      // Paid with the PIN and the coupon picked in the sheet.
      host.sheets.queue('cashier', { pin: PIN, couponId: coupon._id });
      await tap(app, 'pay');
      await until(() => (app.route === 'pages/ticket/ticket' && app.text().includes('Order paid') ? true : undefined), 'the e-ticket');
      const cashier = host.sheets.shown.filter((s) => s.kind === 'cashier');
      expect(cashier.map((s) => (s.request as { prepayId?: string }).prepayId)).toEqual([booking.prepayId, booking.prepayId]);
      const paid = show.price * 2 - 1000;
      expect(booking).toMatchObject({ status: 'paid', paidAmount: paid, discountAmount: 1000 });
      expect(app.text()).toContain(`Paid ${yuan(paid)} of ${yuan(show.price * 2)} (saved ¥10.00)`);
      const qr = find(app.tree, 'qrcode')!;
      expect(String(qr.props.value)).toMatch(/^LILYMOVIE:MV\d{10}:st-earth-/);
      expect(app.text()).toContain(`Ticket ${booking.ticketCode}`);
      expect(state.seats.statusOf(env, show.showtimeId, 'C6', 'someone-else')).toBe('sold');
      // The ledger: the wallet paid the price less the coupon; the merchant got that much.
      expect(walletBefore - (await wallet(alice._id))).toBe(paid);
      expect((await merchantBalance()) - merchantBefore).toBe(paid);
      expect((await d.store.collection<{ _id: string; status: string }>(MK.coupons).findOne({ _id: coupon._id }))!.status).toBe('used');
      // The back end gives a coupon for the next film (issueCoupon).
      await until(() => booking.returnCouponId ?? undefined, 'the return coupon');

      // A reminder: the bank asks (on the tap), the back end schedules it for two hours before.
      host.sheets.queue('modal', { confirm: true });
      await tap(app, 'remind');
      expect(app.text()).toContain('Reminder set: 2 hours before the show');
      expect(booking.reminder).toMatchObject({ status: 'scheduled', templateId: REMINDER_TEMPLATE.templateId });

      // Refund before the show: confirmed in a modal, money and seats back, reminder cancelled.
      host.sheets.queue('modal', { confirm: true });
      await tap(app, 'refundTicket');
      await until(() => (app.text().includes('Refund ') ? true : undefined), 'the refund');
      expect(app.text()).toContain(`Refund ${yuan(paid)} succeeded`);
      expect(app.text()).toContain('Booking refunded');
      expect(app.text()).toContain('Order refunded');
      expect(find(app.tree, 'qrcode')).toBeUndefined();
      expect(booking).toMatchObject({ status: 'refunded', reminder: { status: 'cancelled' } });
      expect(await wallet(alice._id)).toBe(walletBefore);
      expect(await merchantBalance()).toBe(merchantBefore);
      expect(state.seats.statusOf(env, show.showtimeId, 'C5', 'someone-else')).toBe('free');
      // The bank's follow-up (run by its marketing sweep) gives the coupon back.
      await d.marketing.onRefunded(d.store, booking.orderId, Date.now());
      expect((await d.store.collection<{ _id: string; status: string }>(MK.coupons).findOne({ _id: coupon._id }))!.status).toBe('available');

      // Twice: the back end refuses, and so would the bank.
      const again = await call('POST', `/bookings/${booking.bookingId}/refund`, { token: tokenOf(booking.openId) });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'ALREADY_REFUNDED', message: 'This ticket was already refunded.' });
      const creds = JSON.parse(readFileSync(path.join(srv.dataDir, 'demo', `${APP_ID}.json`), 'utf8'));
      const lily = new LilyOpenClient({ baseUrl: srv.baseUrl, appId: APP_ID, ...creds[env], bankPublicKey: d.bankKeys.publicKey });
      const bank = await lily.post('/open/v1/refunds', { orderId: booking.orderId, outRefundNo: `RF2-${booking.bookingId}`, amount: 100 }).catch((err: unknown) => err);
      expect(bank).toBeInstanceOf(LilyOpenApiError);
      expect(['INVALID_STATE', 'LIMIT_EXCEEDED']).toContain((bank as LilyOpenApiError).code);
      expect(await wallet(alice._id)).toBe(walletBefore);

      // My tickets: the bank's status of each order.
      await tap(app, 'tickets');
      expect(app.route).toBe('pages/tickets/tickets');
      expect(app.text()).toContain('C5 C6');
      expect(app.text()).toContain(`Refunded · ${yuan(paid)}`);
      await tapOn(app, 'open', 'booking', booking.bookingId);
      expect(app.route).toBe('pages/ticket/ticket');
      await tap(app, 'home');
      expect(app.route).toBe('pages/index/index');
      // The film looked at is remembered (base.storage) and offered on the home page.
      expect(app.text()).toContain('Continue: 流浪地球3');

      // The back end received the bank's signed, enveloped webhooks and opened them.
      const payHook = await until(() => state.webhooks.find((w) => w.verified && w.event?.eventType === 'payment.succeeded' && w.event.resource.orderId === booking.orderId), 'the payment webhook', 90_000);
      expect(payHook.env).toBe(env);
      expect(payHook.event!.resource).toMatchObject({ outTradeNo: booking.outTradeNo, paidAmount: paid, discountAmount: 1000 });
      const refundHook = await until(() => state.webhooks.find((w) => w.verified && w.event?.eventType === 'refund.succeeded' && w.event.resource.orderId === booking.orderId), 'the refund webhook', 90_000);
      expect(refundHook.event!.resource).toMatchObject({ amount: paid, status: 'succeeded' });
      expect(state.webhooks.every((w) => w.verified)).toBe(true);
      expect(app.errors).toEqual([]);
      app.close();
    } finally {
      session.close();
    }
  }, 240_000);

  it("bob's ticket gets the bank campaign, its reminder lands in the inbox, late refunds are refused, the gate checks it in once", async () => {
    const d = deps();
    const bob = await userOf('bob');
    const { session, app } = await openLoggedIn('bob', 'bob-demo-1');
    const { host } = session;
    try {
      const walletBefore = await wallet(bob._id);
      const show = laterShow('detective', 3);
      await toSeats(app, 'detective', show.showtimeId);
      await tapOn(app, 'pick', 'seat', 'B3');
      await tap(app, 'lock');
      const booking = latestBooking();
      // No coupon picked in the cashier: the bank campaign (满30减5) applies, funded by the bank.
      host.sheets.queue('cashier', { pin: BOB_PIN });
      await tap(app, 'pay');
      await until(() => (app.route === 'pages/ticket/ticket' && app.text().includes('Order paid') ? true : undefined), 'the e-ticket');
      expect(booking).toMatchObject({ status: 'paid', paidAmount: show.price - 500, discountAmount: 500 });
      expect(walletBefore - (await wallet(bob._id))).toBe(show.price - 500);
      const order = (await orderOf(booking.orderId))!;
      expect(order).toMatchObject({ status: 'paid', paidAmount: show.price - 500, discountAmount: 500 });

      // Refusing the subscription sheet sets no reminder; accepting it does.
      host.sheets.queue('modal', { confirm: false });
      await tap(app, 'remind');
      expect(app.text()).toContain('Remind me after all');
      expect(booking.reminder).toBeNull();
      host.sheets.queue('modal', { confirm: true });
      await tap(app, 'remind');
      expect(booking.reminder?.status).toBe('scheduled');

      // Two hours before the show the back end sends it (sendMessage); it reaches the inbox.
      show.startsAt = Date.now() + 20 * 60_000;
      await backend.sweep();
      expect(booking.reminder).toMatchObject({ status: 'sent', messageId: expect.stringMatching(/^msg_/) });
      const { messages } = await d.marketing.messages.inbox(d.store, bob._id);
      const reminder = messages.find((m) => m.templateId === REMINDER_TEMPLATE.templateId)!;
      expect(reminder).toMatchObject({ appId: APP_ID, title: '开场提醒', page: `pages/ticket/ticket?bookingId=${booking.bookingId}` });
      expect(reminder.body).toContain('《唐探1900》');
      expect(reminder.body).toContain('座位 B3');
      await backend.sweep();
      expect((await d.marketing.messages.inbox(d.store, bob._id)).messages.filter((m) => m.templateId === REMINDER_TEMPLATE.templateId)).toHaveLength(1);

      // The page still offers a refund (it was loaded earlier); the back end refuses it now.
      host.sheets.queue('modal', { confirm: true });
      await tap(app, 'refundTicket');
      expect(app.text()).toContain('Refunds close 30 minutes before the show.');
      show.startsAt = Date.now() - 60_000;
      host.sheets.queue('modal', { confirm: true });
      await tap(app, 'refundTicket');
      expect(app.text()).toContain('The show has started; the ticket can no longer be refunded.');
      expect(booking.status).toBe('paid');
      expect(walletBefore - (await wallet(bob._id))).toBe(show.price - 500);

      // The gate: the real QR checks in once; a forged one never.
      const qr = String(find(app.tree, 'qrcode')!.props.value);
      expect(readTicketQr(Buffer.alloc(32), qr)).toBeNull();
      const gate = (body: unknown, key = state.gateKey) => http(backendUrl, 'POST', '/gate/check-in', { body, headers: { 'x-gate-key': key } });
      expect((await gate({ qr }, 'wrong')).status).toBe(403);
      expect((await gate({ qr: qr.replace(':B3:', ':B4:') })).body.code).toBe('TICKET_INVALID');
      expect((await gate({ qr })).body).toMatchObject({ film: '唐探1900', seats: ['B3'] });
      expect((await gate({ qr })).body.code).toBe('TICKET_USED');
      expect(app.errors).toEqual([]);
      app.close();
    } finally {
      session.close();
    }
  }, 180_000);

  it('two users race for one seat: exactly one gets it and the other is told which seat went', async () => {
    const a = await openLoggedIn('alice', 'alice-demo');
    const b = await openLoggedIn('bob', 'bob-demo-1');
    const show = laterShow('nezha', 3);
    try {
      for (const { app } of [a, b]) {
        await toSeats(app, 'nezha', show.showtimeId);
        await tapOn(app, 'pick', 'seat', 'D7');
      }
      for (const { app } of [a, b]) clocks.get(app)!.advance(1000);
      await Promise.all([tapOk(a.app, 'lock'), tapOk(b.app, 'lock')]);
      const routes = [a.app.route, b.app.route];
      expect(routes.filter((r) => r === 'pages/checkout/checkout')).toHaveLength(1);
      const loser = a.app.route === 'pages/seats/seats' ? a.app : b.app;
      const winner = loser === a.app ? b.app : a.app;
      expect(loser.text()).toContain('Seat D7 was just taken by someone else; pick another.');
      // The map as it is now: D7 is no longer offered; the loser's choice is cleared.
      expect(loser.text()).toContain('Tap up to 4 free seats');
      const holders = [...state.seats.locks.values()].filter((l) => l.status === 'active' && l.showtimeId === show.showtimeId && l.seats.includes('D7'));
      expect(holders).toHaveLength(1);
      await tapOn(loser, 'pick', 'seat', 'D8');
      await tap(loser, 'lock');
      expect(loser.route).toBe('pages/checkout/checkout');

      // The winner changes their mind: the order is closed at the bank and D7 is free again.
      const won = latestBookingOf(holders[0]!.lockId);
      await tap(winner, 'cancel');
      expect(winner.route).toBe('pages/seats/seats');
      expect(won?.status).toBe('closed');
      expect((await orderOf(won!.orderId))!.status).toBe('closed');
      expect(state.seats.statusOf(env, show.showtimeId, 'D7', 'someone-else')).toBe('free');

      // Many at once straight at the back end: one winner among twelve.
      const openIds = Array.from({ length: 12 }, (_, i) => `o_racer${String(i).padStart(6, '0')}`);
      for (const openId of openIds) state.sessions.set(`race-${openId}`, { token: `race-${openId}`, env, openId, createdAt: Date.now() });
      const answers = await Promise.all(openIds.map((openId) => call('POST', `/showtimes/${show.showtimeId}/locks`, { token: `race-${openId}`, seats: ['E4', 'E5'] })));
      expect(answers.map((r) => r.status).sort()).toEqual([201, ...Array(11).fill(409)]);
      expect(answers.filter((r) => r.status === 409).every((r) => r.body.code === 'SEAT_TAKEN')).toBe(true);
      for (const { app } of [a, b]) app.close();
    } finally {
      a.session.close();
      b.session.close();
    }
  }, 180_000);

  it('refuses bad input with clear errors, expires unpaid locks by closing their orders, and refuses forged webhooks', async () => {
    await call('GET', '/films');
    const show = laterShow('creation', 3);
    const alice = [...state.sessions.values()].find((s) => !s.token.startsWith('race-'))!;
    const token = alice.token;
    expect((await call('GET', `/showtimes/${show.showtimeId}`)).body).toMatchObject({ code: 'SESSION_INVALID' });
    expect((await call('POST', `/showtimes/${show.showtimeId}/locks`, { token: 'nope', seats: ['A3'] })).status).toBe(401);
    expect((await call('POST', '/showtimes/st-nothing-here/locks', { token, seats: ['A3'] })).body).toMatchObject({ code: 'NOT_FOUND', message: 'No such screening.' });
    expect((await call('POST', `/showtimes/${show.showtimeId}/locks`, { token, seats: 'A3' })).body.code).toBe('INVALID_PARAMS');
    expect((await call('POST', `/showtimes/${show.showtimeId}/locks`, { token, seats: [] })).body).toMatchObject({ code: 'INVALID_SEATS', message: 'Pick at least one seat.' });
    expect((await call('POST', `/showtimes/${show.showtimeId}/locks`, { token, seats: ['Z99'] })).body).toMatchObject({ code: 'INVALID_SEATS', seats: ['Z99'] });
    expect((await call('POST', `/showtimes/${show.showtimeId}/locks`, { token, seats: ['B1', 'B1'] })).body.message).toBe('A seat is listed twice.');
    expect((await call('POST', `/showtimes/${show.showtimeId}/locks`, { token, seats: ['B1', 'B2', 'B3', 'B4', 'B5'] })).body.code).toBe('TOO_MANY_SEATS');
    expect((await call('GET', '/films/nothing')).status).toBe(404);
    expect((await call('POST', '/bookings', { token, lockId: 'lk_0000' })).status).toBe(404);
    expect((await call('POST', '/session', { code: 'lc_0123456789abcdef' })).body.code).toBe('LOGIN_FAILED');
    const badJson = await http(backendUrl, 'POST', '/session', { body: '{not json', headers: { 'content-type': 'application/json' } });
    expect(badJson.body).toMatchObject({ code: 'INVALID_PARAMS' });

    // A lock whose order was never paid: when it runs out, the order is closed and the seats freed.
    const lock = await call('POST', `/showtimes/${show.showtimeId}/locks`, { token, seats: ['C3', 'C4'] });
    expect(lock.status).toBe(201);
    const created = await call('POST', '/bookings', { token, lockId: lock.body.lockId });
    expect(created.status).toBe(201);
    const same = await call('POST', '/bookings', { token, lockId: lock.body.lockId });
    expect(same.body.bookingId).toBe(created.body.bookingId);
    expect((await call('POST', `/bookings/${created.body.bookingId}/confirm`, { token })).body.code).toBe('NOT_PAID');
    expect((await call('POST', `/bookings/${created.body.bookingId}/refund`, { token })).body.code).toBe('INVALID_STATE');
    state.seats.locks.get(lock.body.lockId)!.expiresAt = Date.now() - 1;
    await backend.sweep();
    const booking = state.bookings.get(created.body.bookingId)!;
    expect(booking.status).toBe('closed');
    expect((await orderOf(booking.orderId))!.status).toBe('closed');
    expect(state.seats.statusOf(env, show.showtimeId, 'C3', 'someone-else')).toBe('free');
    expect((await call('POST', '/bookings', { token, lockId: lock.body.lockId })).body.status).toBe('closed');

    // A webhook not signed by the bank is refused and changes nothing.
    const before = state.webhooks.length;
    const forged = await http(backendUrl, 'POST', '/lily/webhook', {
      body: JSON.stringify({ id: 'evt_1', eventType: 'payment.succeeded', createdAt: Date.now(), resource: {} }),
      headers: { 'content-type': 'application/json', 'lily-signature': 'AAAA', 'lily-timestamp': String(Math.floor(Date.now() / 1000)), 'lily-nonce': 'n', 'lily-serial': '00' },
    });
    expect(forged.status).toBe(400);
    expect(state.webhooks.slice(before).filter((w) => !w.verified)).toMatchObject([{ verified: false, event: null }]);
  });

  it('used every capability the manifest declares', async () => {
    const used = new Set(apps.flatMap((app) => app.calls.map((c) => c.call.capability)));
    const declared = (await deps().apps.get(APP_ID)).releases.sandbox!.manifest.capabilities.map((c) => c.id);
    expect(declared.filter((id) => !used.has(id))).toEqual([]);
    // The only refusals the mini-app met are the ones these tests caused on purpose.
    const refused = apps.flatMap((app) => app.calls.filter((c) => c.answer?.error).map((c) => `${c.call.capability}.${c.call.method}: ${c.answer!.error!.code}`));
    expect(refused.filter((r) => r !== 'payment.cashier.requestPayment: USER_CANCELLED')).toEqual([]);
  });
});

function latestBookingOf(lockId: string): Booking | undefined {
  return [...state.bookings.values()].find((b) => b.lockId === lockId);
}
