/**
 * The concerts sample from end to end: the demo installer makes it a live app of an admitted
 * merchant with its back end running; alice goes through every page in the headless host over
 * the real bridge (login, the on-sale countdown on timers, a reminder, the queue, the bank's lucky
 * draw, the real-name check with consent — a mismatch refused —, installments picked in the
 * cashier with the PIN, the ticket with its order and the bank's escrow view, share, my tickets),
 * the money is checked against the ledger (the card pays, the escrow holds, the milestones are
 * released to the merchant after the show), and the back end receives and verifies the bank's
 * webhooks. Twelve fans race for four tickets: exactly four win. Unhappy paths: bad input, the
 * wrong order of steps, forged webhooks, and a cancelled show whose escrow is refunded.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/ledger/accounts.ts';
import { Ledger, JOURNAL_COLLECTION, type JournalDoc } from '../../server/ledger/ledger.ts';
import { C } from '../../server/payments/common.ts';
import { listUserCards } from '../../server/payments/index.ts';
import { quoteInstallments } from '../../server/payments/installments.ts';
import type { OrderDoc } from '../../server/payments/orders.ts';
import type { HeadlessApp } from '../../runtime/headless/host.ts';
import { ManualScheduler } from '../../runtime/scheduler.ts';
import { treeText } from '../../runtime/view/text.ts';
import type { ViewNode } from '../../runtime/view/tree.ts';
import { LilyConnection, type LaunchedApp } from '../../runtime/host/connection.ts';
import type { ConcertsBackend, ConcertsState, Ticket } from '../../sample-miniapps/concerts/server/backend.ts';
import { installSamples, type InstalledSamples } from '../../server/demo/index.ts';
import { sampleHost, tapOk, tapWhere, until } from '../helpers/sample-host.ts';
import { login, startTestServer, type TestServer } from '../helpers/server.ts';

const APP_ID = 'com.lily.concerts';
const ENV = 'sandbox' as const;
const PIN = '123456';
const DAY = 86_400_000;
let srv: TestServer;
let demo: InstalledSamples;
let backend: ConcertsBackend;
let state: ConcertsState;
/** The back end as this process reaches it (the mini-app reaches it through the bank). */
let api: string;

/** Calls the back end directly, as a merchant's operator or a script would. */
async function call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(api + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const admin = (method: string, path: string, body?: unknown) => call(method, `/admin${path}`, body, backend.adminToken);

async function addShow(input: Record<string, unknown>): Promise<string> {
  const res = await admin('POST', '/shows', { title: '春日音乐节', artist: '群星 Various', venue: '世博公园', city: '上海', price: 128_000, oddsPpm: 1_000_000, ...input });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.showId as string;
}

/** The text of the node with `id` on the top page, or undefined. */
function textOf(app: HeadlessApp, id: string): string | undefined {
  const find = (node: ViewNode): ViewNode | undefined => {
    if (node.props.id === id) return node;
    for (const child of node.children) {
      const hit = typeof child === 'string' ? undefined : find(child);
      if (hit) return hit;
    }
    return undefined;
  };
  const node = app.tree ? find(app.tree) : undefined;
  return node ? treeText(node) : undefined;
}
/** Seconds left on a countdown text `On sale in 01:05`. */
const secondsIn = (text: string | undefined) => {
  const m = /On sale in (\d\d):(\d\d)$/.exec(text ?? '');
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

const ledger = () => new Ledger(srv.booted.deps.store);
const balance = (account: string) => ledger().balance(account);
const ticketsOf = (showId: string): Ticket[] => [...state.tickets.values()].filter((t) => t.showId === showId);

/** A bank-app user reaching the app through the bridge without the runtime (for the race). */
interface Fan {
  username: string;
  userId: string;
  connection: LilyConnection;
  launched: LaunchedApp;
  /** The back end session token. */
  token: string;
}

async function bridgeCall(fan: Pick<Fan, 'connection' | 'launched'>, capability: string, method: string, params: Record<string, unknown> = {}, host?: Record<string, unknown>) {
  return fan.connection.call(fan.launched, { capability, method, params, callId: randomUUID() }, { userGesture: true, consent: async () => true, scopeOf: (c) => (c === 'member.realName' ? 'scope.realName' : null), ...(host ? { host } : {}) });
}

/** Logs `username` in to the bank and to the concerts back end (member.login → code2session). */
async function fanFor(username: string, password: string): Promise<Fan> {
  const deps = srv.booted.deps;
  const userId = (await deps.identity.findAccount('user', username))!._id;
  const connection = await LilyConnection.open({ baseUrl: srv.baseUrl, sessionToken: await login(srv.baseUrl, 'user', username, password), bankPublicKey: deps.bankKeys.publicKey });
  const launched = await connection.launch(APP_ID, ENV);
  const { result } = await bridgeCall({ connection, launched }, 'member.login', 'login');
  const session = await call('POST', '/session', { code: (result as { code: string }).code });
  expect(session.status).toBe(200);
  return { username, userId, connection, launched, token: session.body.token };
}

beforeAll(async () => {
  srv = await startTestServer({ LILY_ALLOW_PRIVATE_NETWORK: 'true' });
  srv.booted.startWorkers();
  demo = await installSamples(srv.booted.deps, { dataDir: srv.dataDir, host: '127.0.0.1', basePort: 0, samples: ['concerts'], lilyUrl: srv.baseUrl });
  backend = demo.samples[0]!.backend as unknown as ConcertsBackend;
  state = backend.state;
  api = demo.samples[0]!.backendUrl.replace('localhost', '127.0.0.1');
}, 120_000);

afterAll(async () => {
  await demo?.close();
  await srv?.close();
});

describe('concerts sample', () => {
  it('is installed as a live app of an admitted merchant, every declared capability granted', async () => {
    const deps = srv.booted.deps;
    const sample = demo.samples[0]!;
    expect(sample).toMatchObject({ appId: APP_ID, version: '1.0.0', merchant: 'concerts-merchant' });
    const app = await deps.apps.get(APP_ID);
    expect(app).toMatchObject({ status: 'live', webhookUrl: sample.webhookUrl });
    expect((await deps.merchants.get(app.merchantId)).status).toBe('admitted');
    const declared = app.releases.sandbox!.manifest.capabilities.map((c) => c.id);
    expect(declared.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(await deps.grants.snapshot(APP_ID, ENV)).sort()).toEqual([...declared].sort());
    expect(app.releases.sandbox!.manifest.domains).toEqual([new URL(sample.backendUrl).host]);
    // The automated review passed: the package renders and declares what it uses.
    const [version] = await deps.versions.list(APP_ID);
    expect(version!.report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(version!.report.undeclared).toEqual([]);
    // The demo catalogue: a lottery, an open sale and one opening two minutes after the start.
    const shows = [...state.shows.values()];
    expect(shows.map((s) => s.showId)).toEqual(['jay-shanghai', 'mayday-beijing', 'sso-newyear']);
    expect(shows.find((s) => s.showId === 'mayday-beijing')!.onSaleAt).toBeGreaterThan(Date.now());
  });

  it('takes alice from the countdown to her ticket: draw, real name, installments, escrow released after the show', async () => {
    const deps = srv.booted.deps;
    const alice = (await deps.identity.findAccount('user', 'alice'))!;
    const credit = (await listUserCards(deps.store, alice._id)).find((c) => c.cardType === 'credit')!;
    const showId = await addShow({ showId: 'spring-gala', inventory: 5, onSaleInSeconds: 60, startsInSeconds: 7 * 86_400, admitBatch: 10, admitEverySeconds: 10 });
    const wallet = () => balance(accounts.wallet(ENV, alice._id));
    const card = () => balance(accounts.external(ENV));
    const merchant = () => balance(accounts.merchant(ENV, APP_ID));
    const walletBefore = await wallet();
    const cardBefore = await card();
    const merchantBefore = await merchant();

    const clock = new ManualScheduler();
    const session = await sampleHost(srv, await login(srv.baseUrl, 'user', 'alice', 'alice-demo'), clock, APP_ID);
    const { host } = session;
    // Consent to the real-name check is refused once, then given.
    host.sheets.queue('consent', { granted: false }, { granted: true });
    // The cashier is closed once; then alice pays by credit card in 6 installments.
    host.sheets.queue('cashier', { cancel: true });
    host.sheets.handle('cashier', () => ({ pin: PIN, cardId: credit._id, installmentTerm: 6 }));
    host.sheets.queue('actionSheet', { tapIndex: 1 });
    const calls: { capability: string; error?: string; method: string }[] = [];
    try {
      const app = await session.open(ENV);
      expect(app.route).toBe('pages/index/index');
      await tapOk(app, 'login');
      expect(app.text()).toMatch(/Fan …[\w-]{4}/);
      // The countdown ticks on the mini-app's timer.
      const left = secondsIn(textOf(app, `countdown-${showId}`));
      expect(left).toBeGreaterThan(45);
      expect(left).toBeLessThanOrEqual(60);
      clock.advance(1000);
      await app.idle();
      expect(secondsIn(textOf(app, `countdown-${showId}`))).toBe(left - 1);
      await tapWhere(app, 'remind', 'show', showId);
      expect(app.toasts.at(-1)?.title).toBe('Reminder set');
      expect(app.text()).toContain('Reminder on ✓');

      // The show page: the sale opens when the back end's clock reaches it.
      await tapWhere(app, 'open', 'show', showId);
      expect(app.route).toBe('pages/show/show');
      const toGo = secondsIn(textOf(app, 'countdown'));
      expect(toGo).toBeGreaterThan(40);
      backend.clock.advance(60_000);
      for (let i = 0; i < toGo; i++) {
        clock.advance(1000);
        await app.idle();
      }
      await until(() => (app.text().includes('Join the queue') ? true : undefined), 'the sale to open');
      await tapOk(app, 'join');
      expect(app.text()).toContain('Your turn (#1)');
      const sale = state.sales.get(`${ENV}|${showId}`)!;
      expect(sale.activityId).toMatch(/^act_/);
      expect(sale.activityStatus).toBe('scheduled');

      // The lucky draw runs on the bank's server; the back end checks the win before a seat is given.
      await tapOk(app, 'draw');
      expect(app.text()).toContain('You won: 内场A区 1排1座');
      expect(app.toasts.at(-1)?.title).toBe('You won a ticket!');
      const ticket = ticketsOf(showId)[0]!;
      expect(ticket).toMatchObject({ status: 'won', openId: deps.tokens.openId(alice._id, APP_ID) });

      // Real name: consent refused first (clear message), then given; a wrong id number is refused.
      await tapOk(app, 'holder');
      expect(app.route).toBe('pages/holder/holder');
      await tapOk(app, 'check');
      expect(app.text()).toContain('Tickets are sold in the holder’s real name: allow the check to continue.');
      await tapOk(app, 'check');
      expect(host.sheets.shown.filter((s) => s.kind === 'consent').map((s) => (s.request as { scope: string }).scope)).toEqual(['scope.realName', 'scope.realName']);
      expect(app.text()).toContain('Your bank knows you as **花');
      await app.input('onName', '李小花');
      await app.input('onId', '1234');
      await tapOk(app, 'confirm');
      expect(app.text()).toContain('Enter the holder’s name and the 18-character ID number.');
      await app.input('onId', '310101199003070021');
      await tapOk(app, 'confirm');
      expect(app.text()).toContain('The name and ID number do not match the identity your bank verified');
      expect(app.text()).toContain('4 attempts left');
      expect(app.route).toBe('pages/holder/holder');
      expect(ticket.status).toBe('won');
      await app.input('onId', '31010119900307002x');
      await tapOk(app, 'confirm');
      expect(app.route).toBe('pages/pay/pay');
      expect(ticket.holder).toMatchObject({ maskedName: '李*花', maskedIdNumber: '310***********002X' });
      // The back end never keeps the id number itself.
      expect(JSON.stringify([...state.tickets.values()])).not.toContain('31010119900307002X');

      // Pay: the installment plans are quoted; the cashier is closed once, then paid in 6 installments.
      await until(() => (app.text().includes('Pay ¥1280.00') ? true : undefined), 'the order');
      const six = quoteInstallments(128_000).find((p) => p.periods === 6)!;
      expect(app.text()).toContain(`6 × ¥${(six.perPeriodAmount / 100).toFixed(2)}`);
      await tapOk(app, 'pay');
      expect(app.text()).toContain('Payment cancelled: your seat is kept while the order is open.');
      expect(await card()).toBe(cardBefore);
      await tapOk(app, 'pay');
      expect(app.route).toBe('pages/ticket/ticket');
      const cashiers = host.sheets.shown.filter((s) => s.kind === 'cashier');
      expect(cashiers).toHaveLength(2);
      expect((cashiers[1]!.request as { prepayId: string }).prepayId).toBe(ticket.prepayId);
      // The ledger: the credit card paid the price less the bank's campaign discount (which the
      // bank funds), the wallet did not move, the escrow holds everything alice paid.
      const order = (await deps.store.collection<OrderDoc>(C.orders).findOne({ _id: ticket.orderId! }))!;
      expect(order).toMatchObject({ status: 'paid', amount: 128_000, payMethod: 'card', cardId: credit._id, installments: 6, merchantDiscount: 0 });
      const paid = order.paidAmount;
      expect(paid).toBe(128_000 - order.bankDiscount);
      expect(ticket).toMatchObject({ status: 'issued', paidAmount: paid });
      expect(ticket.escrowId).toMatch(/^esc_/);
      const payment = (await deps.store.collection<JournalDoc>(JOURNAL_COLLECTION).findOne({ env: ENV, ref: `pay:${order._id}` }))!;
      expect(Object.fromEntries(payment.postings.map((p) => [p.account, p.amount]))).toMatchObject({ [accounts.external(ENV)]: -paid, [accounts.merchant(ENV, APP_ID)]: 128_000 });
      expect(await card()).toBe(cardBefore - paid);
      expect(await wallet()).toBe(walletBefore);
      expect(await merchant()).toBe(merchantBefore + 128_000 - paid);
      expect(await balance(accounts.escrow(ENV, ticket.escrowId!))).toBe(paid);
      const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
      const performed = Math.floor((paid * 9) / 10);

      // The ticket: the order and the bank's escrow view, the entry code; share it.
      await until(() => (app.text().includes('Escrow supervised') ? true : undefined), 'the ticket page');
      const page = app.text();
      expect(page).toContain(`Paid ${yuan(paid)} in 6 installments`);
      expect(page).toContain('Order paid');
      expect(page).toContain(`Escrow supervised: ${yuan(paid)} held by the bank`);
      expect(page).toContain(`演出完成 Show performed: ${yuan(performed)} held by the bank`);
      expect(page).toContain(`售后期满 After-sales period over: ${yuan(paid - performed)} held by the bank`);
      expect(page).toContain('Holder 李*花 · 310***********002X');
      expect(app.render()).toContain('LILYCONCERT:');
      await tapOk(app, 'share');
      expect(app.text()).toMatch(/Shared, code [A-Z0-9]+/);

      // My tickets lists it with the bank's order; back, then all shows.
      await tapOk(app, 'mine');
      expect(app.route).toBe('pages/mine/mine');
      await until(() => (app.text().includes('issued') ? true : undefined), 'my tickets');
      expect(app.text()).toContain(`issued · order paid ${yuan(paid)}`);
      await tapOk(app, 'back');
      expect(app.route).toBe('pages/ticket/ticket');
      await tapOk(app, 'home');
      expect(app.route).toBe('pages/index/index');
      await until(() => (app.text().includes('Fan') ? true : undefined), 'the home page');
      calls.push(...app.calls.map((c) => ({ capability: c.call.capability, method: c.call.method, ...(c.answer?.error ? { error: c.answer.error.code } : {}) })));
      expect(app.errors).toEqual([]);
      app.close();

      // The back end got the bank's signed, enveloped payment webhook and opened it.
      const hook = await until(
        () => state.webhooks.find((w) => w.verified && w.event?.eventType === 'payment.succeeded' && w.event.resource.orderId === ticket.orderId),
        'the payment webhook',
        90_000,
      );
      expect(hook.env).toBe(ENV);
      expect(hook.event!.resource).toMatchObject({ outTradeNo: `TKT-${ticket.ticketId}-1`, status: 'paid', paidAmount: paid });

      // After the show: the first milestone goes to the merchant, the rest when after-sales closes.
      expect((await admin('POST', '/settle')).body.released).toEqual([]);
      expect((await admin('POST', '/clock', { advanceSeconds: 8 * 86_400 })).status).toBe(200);
      const first = await admin('POST', '/settle');
      expect(first.body.released).toEqual([expect.objectContaining({ ticketId: ticket.ticketId, milestone: 0, amount: performed })]);
      expect(await merchant()).toBe(merchantBefore + 128_000 - paid + performed);
      expect(await balance(accounts.escrow(ENV, ticket.escrowId!))).toBe(paid - performed);
      expect(ticket.status).toBe('issued');
      backend.clock.advance(3 * DAY);
      const second = await backend.settle();
      expect(second.released).toEqual([expect.objectContaining({ milestone: 1, amount: paid - performed })]);
      expect(ticket.status).toBe('completed');
      expect(await merchant()).toBe(merchantBefore + 128_000);
      expect(await balance(accounts.escrow(ENV, ticket.escrowId!))).toBe(0);
      expect((await backend.settle()).released).toEqual([]);
      await until(() => (state.webhooks.filter((w) => w.verified && w.event?.eventType === 'escrow.released').length >= 2 ? true : undefined), 'the escrow webhooks', 90_000);

      // Alice opens the app again: her ticket shows the money paid to the organiser.
      const again = await session.open(ENV);
      await tapOk(again, 'login');
      await tapOk(again, 'mine');
      await until(() => (again.text().includes('show over') ? true : undefined), 'my tickets');
      await tapWhere(again, 'open', 'ticket', ticket.ticketId);
      await until(() => (again.text().includes('Escrow completed') ? true : undefined), 'the completed escrow');
      expect(again.text()).toContain(`售后期满 After-sales period over: ${yuan(paid - performed)} paid to the organiser`);
      calls.push(...again.calls.map((c) => ({ capability: c.call.capability, method: c.call.method, ...(c.answer?.error ? { error: c.answer.error.code } : {}) })));
      expect(again.errors).toEqual([]);
      again.close();
    } finally {
      session.close();
    }

    // Every capability the manifest declares was used through the bridge or the host.
    const used = new Set(calls.map((c) => c.capability));
    const declared = (await deps.apps.get(APP_ID)).releases.sandbox!.manifest.capabilities.map((c) => c.id);
    expect(declared.filter((id) => !used.has(id))).toEqual([]);
    // The only refusals: the reminders read before any was saved, the refused consent, the closed cashier.
    const refused = calls.filter((c) => c.error).map((c) => `${c.capability}.${c.method}: ${c.error}`);
    expect(new Set(refused)).toEqual(new Set(['base.storage.getStorage: NOT_FOUND', 'member.realName.getRealNameStatus: CONSENT_REQUIRED', 'payment.cashier.requestPayment: USER_CANCELLED']));
    expect((await ledger().checkInvariants()).problems).toEqual([]);
  }, 240_000);

  it('lets exactly K of many fans racing for K tickets win, in the order the queue lets them in', async () => {
    const deps = srv.booted.deps;
    const K = 4;
    const N = 12;
    const showId = await addShow({ showId: 'tiny-club', title: '小酒馆 Livehouse', inventory: K, onSaleInSeconds: 0, admitBatch: 6, admitEverySeconds: 30 });
    const merchantAccount = (await deps.identity.findAccount('merchant', 'concerts-merchant'))!;
    const ids: string[] = [];
    for (let i = 1; i <= N + 1; i++) {
      const username = `fan${String(i).padStart(2, '0')}`;
      ids.push((await deps.identity.createAccount('user', { username, password: 'fan-demo-pass', displayName: `Fan ${i}` })).id);
    }
    const app = await deps.apps.get(APP_ID);
    await deps.apps.setTesters(APP_ID, [...(app.testers ?? []), ...ids], { kind: 'merchant', id: merchantAccount._id });
    const fans: Fan[] = [];
    for (let i = 1; i <= N + 1; i++) fans.push(await fanFor(`fan${String(i).padStart(2, '0')}`, 'fan-demo-pass'));
    const late = fans.pop()!;
    try {
      // The queue: six are let in at once, the next six one round (30 s) later.
      const queued = [];
      for (const fan of fans) queued.push((await call('POST', `/shows/${showId}/queue`, { token: fan.token })).body);
      expect(queued.map((q) => q.position)).toEqual([...Array(N).keys()].map((i) => i + 1));
      expect(queued.map((q) => q.admitted)).toEqual([...Array(N).keys()].map((i) => i < 6));
      expect(queued[6]).toMatchObject({ admitted: false, activityId: null, ahead: 0 });
      expect(queued[6].etaSeconds).toBeGreaterThan(15);
      expect(queued[6].etaSeconds).toBeLessThanOrEqual(30);
      expect(queued[11]).toMatchObject({ ahead: 5 });
      const activityId = queued[0].activityId as string;
      // A fan not yet let in cannot claim a draw.
      expect(await call('POST', `/shows/${showId}/draws`, { token: fans[6]!.token, drawId: 'drw_NotMyTurn01' })).toMatchObject({
        status: 409,
        body: { code: 'NOT_ADMITTED', message: 'Wait for your turn in the queue before drawing.' },
      });
      backend.clock.advance(30_000);
      expect((await call('GET', `/shows/${showId}/queue?token=${fans[11]!.token}`)).body).toMatchObject({ admitted: true, activityId });
      for (const fan of fans.slice(6, 11)) await call('GET', `/shows/${showId}/queue?token=${fan.token}`);

      // Everyone draws at once, through the bridge, and claims with the back end.
      const all = await Promise.all(
        fans.map(async (fan) => {
          const drawn = await bridgeCall(fan, 'marketing.luckyDraw', 'drawPrize', { activityId });
          expect(drawn.error).toBeUndefined();
          const { drawId, won } = drawn.result as { drawId: string; won: boolean };
          const claim = await call('POST', `/shows/${showId}/draws`, { token: fan.token, drawId });
          expect(claim.status, JSON.stringify(claim.body)).toBe(200);
          expect(claim.body.won).toBe(won);
          return { fan, drawId, won };
        }),
      );
      expect(all.filter((d) => d.won)).toHaveLength(K);
      // The bank's audit list agrees, and the back end issued exactly K seats, all different.
      const listed = await deps.marketing.draws.list({ store: deps.store, env: ENV, appId: APP_ID, now: Date.now }, { activityId, winnersOnly: true });
      expect(listed.draws.map((d) => d.drawId).sort()).toEqual(all.filter((d) => d.won).map((d) => d.drawId).sort());
      const seats = ticketsOf(showId).map((t) => t.seat);
      expect(seats).toHaveLength(K);
      expect(new Set(seats).size).toBe(K);
      expect(new Set(ticketsOf(showId).map((t) => t.openId))).toEqual(new Set(all.filter((d) => d.won).map((d) => deps.tokens.openId(d.fan.userId, APP_ID))));

      // A loser cannot claim a winner's draw; nobody draws twice; the sale is sold out.
      const winner = all.find((d) => d.won)!;
      const loser = all.find((d) => !d.won)!;
      expect(await call('POST', `/shows/${showId}/draws`, { token: loser.fan.token, drawId: winner.drawId })).toMatchObject({ status: 403, body: { code: 'NOT_YOURS' } });
      expect((await bridgeCall(winner.fan, 'marketing.luckyDraw', 'drawPrize', { activityId })).error?.code).toBe('LIMIT_EXCEEDED');
      expect(await call('POST', `/shows/${showId}/queue`, { token: late.token })).toMatchObject({ status: 409, body: { code: 'SOLD_OUT', message: `All ${K} tickets have been drawn.` } });
      expect((await call('GET', `/shows/${showId}?token=${late.token}`)).body).toMatchObject({ status: 'sold_out', remaining: 0 });

      // A draw made with someone else's activity id before one's turn does not count.
      const jump = await addShow({ showId: 'queue-jump', inventory: 3, onSaleInSeconds: 0, admitBatch: 1, admitEverySeconds: 60 });
      const first = (await call('POST', `/shows/${jump}/queue`, { token: fans[0]!.token })).body;
      expect((await call('POST', `/shows/${jump}/queue`, { token: fans[1]!.token })).body).toMatchObject({ position: 2, admitted: false, activityId: null });
      const jumped = (await bridgeCall(fans[1]!, 'marketing.luckyDraw', 'drawPrize', { activityId: first.activityId })).result as { drawId: string; won: boolean };
      expect(jumped.won).toBe(true);
      expect(await call('POST', `/shows/${jump}/draws`, { token: fans[1]!.token, drawId: jumped.drawId })).toMatchObject({ status: 409, body: { code: 'NOT_ADMITTED' } });
      // The back end allows the bank's clock a second of slack: let more than that pass.
      await new Promise((r) => setTimeout(r, 1200));
      backend.clock.advance(60_000);
      expect((await call('GET', `/shows/${jump}/queue?token=${fans[1]!.token}`)).body).toMatchObject({ admitted: true });
      expect(await call('POST', `/shows/${jump}/draws`, { token: fans[1]!.token, drawId: jumped.drawId })).toMatchObject({ status: 409, body: { code: 'DRAW_BEFORE_TURN' } });
      expect(ticketsOf(jump)).toEqual([]);
    } finally {
      for (const fan of [...fans, late]) fan.connection.disconnect();
    }
  }, 180_000);

  it('refuses bad input and steps out of order with clear errors, and refunds the escrow of a cancelled show', async () => {
    const deps = srv.booted.deps;
    const bob = await fanFor('bob', 'bob-demo-1');
    try {
      // The back end's own checks.
      expect(await call('GET', '/shows')).toMatchObject({ status: 401, body: { code: 'SESSION_INVALID' } });
      expect(await call('POST', '/session', {})).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMS', field: 'code' } });
      expect(await call('POST', '/session', { code: 'not-a-code' })).toMatchObject({ status: 401, body: { code: 'LOGIN_FAILED' } });
      expect(await call('POST', '/session', '{"code":')).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMS', message: 'The body is not valid JSON.' } });
      expect(await call('POST', '/admin/settle')).toMatchObject({ status: 401, body: { code: 'ADMIN_ONLY' } });
      expect(await call('POST', '/admin/settle', undefined, 'wrong')).toMatchObject({ status: 401 });
      expect(await admin('POST', '/shows', { title: 'x', artist: 'y', venue: 'z', city: '上海', price: 10, inventory: 1, oddsPpm: 1 })).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMS', field: 'price' } });
      expect(await admin('POST', '/clock', { advanceSeconds: -5 })).toMatchObject({ status: 400, body: { field: 'advanceSeconds' } });
      expect(await call('GET', `/shows/nope?token=${bob.token}`)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      expect(await call('GET', '/no-such-route')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: 'No such route.' } });

      // A sale that has not opened yet.
      const later = await addShow({ showId: 'later-show', inventory: 3, onSaleInSeconds: 3600 });
      expect(await call('POST', `/shows/${later}/queue`, { token: bob.token })).toMatchObject({ status: 409, body: { code: 'NOT_ON_SALE', message: 'Sales open in 1 h 0 min.' } });
      expect(await call('GET', `/shows/${later}/queue?token=${bob.token}`)).toMatchObject({ status: 409, body: { code: 'NOT_ON_SALE' } });

      // Bob wins a ticket of a show that will be cancelled.
      const showId = await addShow({ showId: 'rainy-day', title: '雨天音乐会', price: 68_000, inventory: 2, onSaleInSeconds: 0 });
      expect(await call('GET', `/shows/${showId}/queue?token=${bob.token}`)).toMatchObject({ status: 404, body: { code: 'NOT_IN_QUEUE' } });
      const queue = (await call('POST', `/shows/${showId}/queue`, { token: bob.token })).body;
      expect(await call('POST', `/shows/${showId}/draws`, { token: bob.token, drawId: 'bogus' })).toMatchObject({ status: 400, body: { field: 'drawId' } });
      const drawn = (await bridgeCall(bob, 'marketing.luckyDraw', 'drawPrize', { activityId: queue.activityId })).result as { drawId: string };
      const won = await call('POST', `/shows/${showId}/draws`, { token: bob.token, drawId: drawn.drawId });
      expect(won.body).toMatchObject({ won: true, ticket: { status: 'won', seat: '内场A区 1排1座' } });
      const ticketId = won.body.ticket.ticketId as string;
      const path = `/tickets/${ticketId}`;

      // Steps out of order, and bad holder details.
      expect(await call('POST', `${path}/order`, { token: bob.token })).toMatchObject({ status: 409, body: { code: 'HOLDER_REQUIRED' } });
      expect(await call('POST', `${path}/paid`, { token: bob.token })).toMatchObject({ status: 409, body: { code: 'NOT_PAID' } });
      expect(await call('POST', `${path}/holder`, { token: bob.token, name: '王大明', idNumber: '11010119880512003' })).toMatchObject({ status: 400, body: { field: 'idNumber' } });
      expect(await call('POST', `${path}/holder`, { token: bob.token, name: '王大明', idNumber: '110101198813400031' })).toMatchObject({ status: 400, body: { message: 'The ID number does not contain a valid birth date.' } });
      expect(await call('POST', `${path}/holder`, { token: bob.token, name: '', idNumber: '110101198805120031' })).toMatchObject({ status: 400, body: { field: 'name' } });
      // Without consent to scope.realName the bank refuses the check.
      expect(await call('POST', `${path}/holder`, { token: bob.token, name: '王大明', idNumber: '110101198805120031' })).toMatchObject({ status: 403, body: { code: 'CONSENT_REQUIRED' } });
      expect((await bridgeCall(bob, 'member.realName', 'getRealNameStatus')).result).toMatchObject({ verified: true, level: 'basic' });
      expect(await call('POST', `${path}/holder`, { token: bob.token, name: '李小花', idNumber: '110101198805120031' })).toMatchObject({ status: 422, body: { code: 'REALNAME_MISMATCH' } });
      const holder = await call('POST', `${path}/holder`, { token: bob.token, name: '王大明', idNumber: '110101198805120031' });
      expect(holder.body).toMatchObject({ status: 'verified', holder: { maskedName: '王*明', maskedIdNumber: '110***********0031' } });
      // Someone else's ticket does not exist for bob's session.
      expect(await call('GET', `/tickets/${ticketsOf('spring-gala')[0]!.ticketId}?token=${bob.token}`)).toMatchObject({ status: 404 });

      // Bob pays from his wallet, without installments.
      const walletBefore = await balance(accounts.wallet(ENV, bob.userId));
      const order = (await call('POST', `${path}/order`, { token: bob.token })).body;
      expect((await call('POST', `${path}/order`, { token: bob.token })).body.prepayId).toBe(order.prepayId);
      const paid = await bridgeCall(bob, 'payment.cashier', 'requestPayment', { prepayId: order.prepayId }, { confirmed: true, pin: '654321' });
      expect(paid.result).toMatchObject({ payMethod: 'balance', installments: null });
      const bobPaid = (paid.result as { paidAmount: number }).paidAmount;
      const ticket = (await call('POST', `${path}/paid`, { token: bob.token })).body;
      expect(ticket).toMatchObject({ status: 'issued', paidAmount: bobPaid });
      expect(await balance(accounts.wallet(ENV, bob.userId))).toBe(walletBefore - bobPaid);
      expect(await balance(accounts.escrow(ENV, ticket.escrowId))).toBe(bobPaid);
      expect(await call('POST', `${path}/holder`, { token: bob.token, name: '王大明', idNumber: '110101198805120031' })).toMatchObject({ status: 409, body: { code: 'INVALID_STATE' } });

      // A forged webhook is refused and recorded as such.
      const forged = await fetch(`${api}/lily/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'lily-timestamp': String(Math.floor(Date.now() / 1000)), 'lily-nonce': 'abc', 'lily-signature': 'AAAA' }, body: '{"id":"evt_x","eventType":"payment.succeeded","createdAt":1,"resource":{}}' });
      expect(forged.status).toBe(400);
      expect(state.webhooks.at(-1)).toMatchObject({ verified: false, reason: expect.stringMatching(/signature|format/) });

      // The show is cancelled: the escrow goes back to bob's wallet; the back end's view follows.
      expect(await admin('POST', `/shows/${showId}/cancel`, {})).toMatchObject({ status: 400, body: { field: 'reason' } });
      expect((await admin('POST', `/shows/${showId}/cancel`, { reason: '台风预警' })).body).toMatchObject({ refunded: 1 });
      expect(await balance(accounts.wallet(ENV, bob.userId))).toBe(walletBefore);
      expect(await balance(accounts.escrow(ENV, ticket.escrowId))).toBe(0);
      expect((await call('GET', `${path}?token=${bob.token}`)).body).toMatchObject({ status: 'refunded', refundedAmount: bobPaid, code: null });
      expect((await bridgeCall(bob, 'payment.escrow', 'viewEscrow', { escrowId: ticket.escrowId })).result).toMatchObject({ status: 'refunded', refundedAmount: bobPaid });
      expect(await call('POST', `/shows/${showId}/queue`, { token: bob.token })).toMatchObject({ status: 409, body: { code: 'SHOW_CANCELLED', message: 'The show was cancelled: 台风预警' } });
      const order2 = (await deps.store.collection<OrderDoc>(C.orders).findOne({ _id: order.orderId }))!;
      expect(order2).toMatchObject({ status: 'refunded', refundedAmount: bobPaid });
      await until(() => state.webhooks.find((w) => w.verified && w.event?.eventType === 'refund.succeeded' && w.event.resource.orderId === order.orderId), 'the refund webhook', 90_000);
      expect((await ledger().checkInvariants()).problems).toEqual([]);
    } finally {
      bob.connection.disconnect();
    }
  }, 180_000);
});
