/**
 * The host app's "me" page, inbox history, home-page promotions and the merchant's stats and
 * webhook log, in real Chromium against a real server. The cinema mini-app's merchant server is
 * played by this test through the signed Open API (prepay, coupon stocks, points after payment,
 * the ticket message, a placement); ops approve the placement; webhooks go to a local receiver.
 * Screenshots go to `test/e2e/screenshots/`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LilyOpenClient } from '../../open-client/index.ts';
import { deliverOutbox } from '../../server/payments/index.ts';
import { http } from '../helpers/server.ts';
import { admittedMerchant, launchBrowser, loginUi, newContext, releaseApp, screenshot, startE2eServer, userId, watchPage, type E2eServer } from './support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const APP = 'com.lily.e2e.cinema';

let srv: E2eServer;
let browser: Browser;
let phone: BrowserContext;
let page: Page;
let problems: string[];
let open: LilyOpenClient;
let aliceOpenId: string;
let receiver: Server;
let receiverUrl: string;
const received: number[] = [];
let receiverStatus = 503;
let launchQuery: string;

async function textOf(locator: Locator, timeout = 15_000): Promise<string> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return (await locator.first().innerText()).trim();
}

/** One round of the webhook delivery worker, to the merchant's receiver (as `startWorkers` runs it). */
async function deliver(): Promise<void> {
  const { deps } = srv.booted;
  await deliverOutbox({
    store: deps.store,
    bank: deps.bankKeys,
    endpoint: async (appId, env) => {
      const active = (await deps.credentials.list(appId, env)).find((c) => c.status === 'active');
      return active ? { url: (await deps.apps.get(appId)).webhookUrl ?? null, publicKey: active.publicKey } : null;
    },
  });
}

beforeAll(async () => {
  srv = await startE2eServer();
  await releaseApp(srv, path.join(ROOT, 'test/e2e/fixtures/rewards'), { appId: APP, name: '百合影城', category: 'tickets' });
  const { deps } = srv.booted;

  // The merchant's server: production keys from the portal, then the signed Open API.
  const merchant = await admittedMerchant(srv);
  const key = await http(srv.baseUrl, 'POST', `/api/merchant/apps/${APP}/credentials/production/generate`, { token: merchant });
  expect(key.status).toBe(201);
  open = new LilyOpenClient({ baseUrl: srv.baseUrl, appId: APP, serialNo: key.body.credential.serial, privateKey: key.body.privateKey, bankPublicKey: key.body.bank.publicKey });
  aliceOpenId = deps.tokens.openId(await userId(srv, 'alice', 'alice-demo'), APP);

  // Set up by the bank: the app's points budget and its approved message template.
  await deps.members.points.setBudget(deps.store, 'production', APP, 100_000);
  const templateId = await deps.marketing.messages.registerTemplate(deps.store, { appId: APP, templateId: 'tpl_CinemaTicket', title: '出票通知', content: '{{film}} 已出票，取票码 {{code}}。', approved: true });

  const day = 24 * 3600 * 1000;
  const stock = (outStockNo: string, title: string, discountAmount: number, thresholdAmount: number) =>
    open.post<{ stockId: string }>('/open/v1/marketing/coupon-stocks', { outStockNo, title, discountAmount, thresholdAmount, validFrom: Date.now() - 60_000, validUntil: Date.now() + 30 * day, inventory: 100, budgetAmount: 100 * discountAmount, perUserLimit: 1 });
  const a = await stock('CINEMA-A-0001', '满20减5', 500, 2000);
  const b = await stock('CINEMA-B-0001', '无门槛减3', 300, 0);
  const prepay = await open.post<{ prepayId: string }>('/open/v1/payments/prepay', { openId: aliceOpenId, outTradeNo: 'CINEMA-0001', amount: 2500, description: '《星海》2 张' }, { idempotencyKey: 'CINEMA-0001' });
  launchQuery = new URLSearchParams({ prepayId: prepay.prepayId, stockA: a.stockId, stockB: b.stockId, templateId }).toString();

  // The merchant's webhook receiver: down at first, then up.
  receiver = createServer((req, res) => {
    req.resume();
    received.push(receiverStatus);
    res.writeHead(receiverStatus).end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/lily/webhook`;

  browser = await launchBrowser();
  phone = await newContext(browser, 'phone');
  page = await phone.newPage();
  problems = watchPage(page);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  await srv?.close();
});

afterEach(() => {
  expect(problems.splice(0), 'no page errors or CSP violations').toEqual([]);
});

describe('the "me" page, the inbox history and the home page', () => {
  it('shows points and coupons after a payment that earns points and a claimed coupon', async () => {
    await page.goto(`${srv.baseUrl}/apps/${APP}?${launchQuery}`);
    await loginUi(page, 'alice', 'alice-demo');

    // Two coupons claimed on taps, then a subscription to the ticket message.
    await page.locator('#mp-claim-a-btn').click();
    expect(await textOf(page.locator('#mp-claimed'))).toBe('已领取：满20减5');
    await page.locator('#mp-claim-b-btn').click();
    await expect.poll(() => page.locator('#mp-claimed').innerText()).toBe('已领取：满20减5、无门槛减3');
    await page.locator('#mp-subscribe-btn').click();
    const confirm = page.locator('[data-sheet="confirm"]');
    expect(await textOf(confirm)).toContain('接收小程序消息');
    expect(await confirm.innerText()).toContain('出票通知');
    await screenshot(page, 'me-01-subscribe-sheet');
    await confirm.getByRole('button', { name: '确认', exact: true }).click();
    expect(await textOf(page.locator('#mp-subscribed'))).toBe('订阅结果：accept');

    // The cashier offers the coupons, the best one chosen; pay with it.
    await page.locator('#mp-pay-btn').click();
    const cashier = page.locator('[data-sheet="cashier"]');
    const coupons = cashier.locator('[data-testid="cashier-coupons"]');
    expect(await textOf(coupons)).toContain('满20减5');
    expect(await coupons.locator('input[type="radio"]').first().isChecked()).toBe(true);
    expect(await textOf(cashier.locator('[data-action="pay"]'))).toBe('确认支付 ¥20.00');
    await screenshot(page, 'me-02-cashier-coupon');
    await page.keyboard.type('123456');
    await page.keyboard.press('Enter');
    expect(await textOf(page.locator('#mp-status'))).toBe('已支付 20.00 元 · 优惠 5.00 元');

    // The merchant's server, told of the payment, awards points for it.
    const earned = await open.post<{ balance: number }>('/open/v1/member/points/earn', { openId: aliceOpenId, points: 20, outBizNo: 'CINEMA-0001-PTS', reason: '购票奖励' }, { idempotencyKey: 'CINEMA-0001-PTS' });
    expect(earned.balance).toBe(20);

    await page.locator('[data-action="close-miniapp"]').click();
    await page.getByRole('link', { name: /我的/ }).click();
    expect(await textOf(page.locator('[data-testid="points-balance"]'))).toBe('20');
    const movement = page.locator('[data-testid="points-history"] .list-row').first();
    expect(await textOf(movement)).toContain('购票奖励');
    expect(await movement.innerText()).toContain('百合影城');
    expect(await movement.innerText()).toContain('+20');

    const couponCard = page.locator('[data-testid="coupons"]');
    const usable = couponCard.locator(`.coupon-app[data-app-id="${APP}"] .coupon`);
    await expect.poll(() => usable.count()).toBe(1);
    expect(await textOf(usable)).toContain('无门槛减3');
    expect(await textOf(couponCard.locator('.chip[data-group="used"]'))).toBe('已使用 1');
    await screenshot(page, 'me-03-points-coupons');
    await couponCard.locator('.chip[data-group="used"]').click();
    await expect.poll(() => couponCard.locator('.coupon[data-status="used"]').count()).toBe(1);
    expect(await textOf(couponCard.locator('.coupon[data-status="used"]'))).toContain('满20减5');
    expect(await textOf(page.locator('[data-testid="orders"] .list-row').first())).toContain('《星海》2 张');
    await screenshot(page, 'me-04-coupons-used');
  });

  it('shows a message sent while the user was logged out, from the inbox history', async () => {
    await page.goto(`${srv.baseUrl}/me`);
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.locator('form.login-form').waitFor();

    const sent = await open.post<{ messageId: string }>('/open/v1/marketing/messages', { openId: aliceOpenId, templateId: 'tpl_CinemaTicket', data: { film: '《星海》', code: '8Q2K' }, page: 'pages/index/index?from=message' }, { idempotencyKey: 'CINEMA-MSG-0001' });

    await loginUi(page, 'alice', 'alice-demo');
    await page.getByRole('link', { name: /我的/ }).click();
    const message = page.locator(`[data-message-id="${sent.messageId}"]`);
    expect(await textOf(message)).toContain('《星海》 已出票，取票码 8Q2K。');
    expect(await message.getAttribute('class')).toContain('unread');
    expect(await textOf(page.locator('.tab-badge'))).toBe('1');
    await screenshot(page, 'me-05-inbox-history');

    // Opening it marks it read (on the server too) and leads to the page it names.
    await message.getByRole('button', { name: '在「百合影城」中查看「出票通知」' }).click();
    expect(await textOf(page.locator('#mp-from'))).toBe('来自：message');
    const token = await srv.token('user', 'alice', 'alice-demo');
    expect((await http(srv.baseUrl, 'GET', '/api/me/messages', { token })).body.unread).toBe(0);
    await page.locator('[data-action="close-miniapp"]').click();
  });

  it('shows an approved placement and a bank campaign on the home page, leading to the app', async () => {
    const placement = await open.post<{ placementId: string }>(
      '/open/v1/marketing/placements',
      { slot: 'home_banner', title: '《星海》首映 8 折', imageUrl: 'https://img.lily.invalid/xinghai.png', path: 'pages/index/index?from=banner', startAt: Date.now() - 60_000, endAt: Date.now() + 7 * 24 * 3600 * 1000, reason: '新片首映，为用户提供优惠票' },
      { idempotencyKey: 'CINEMA-PLC-0001' },
    );
    await page.goto(`${srv.baseUrl}/`);
    await page.locator('[data-testid="campaigns"]').waitFor();
    // Not before ops approve it.
    expect(await page.locator(`[data-placement-id="${placement.placementId}"]`).count()).toBe(0);
    const admin = await srv.token('ops', 'admin', 'admin-demo');
    const decided = await http(srv.baseUrl, 'POST', `/api/ops/marketing/placements/${placement.placementId}/decision`, { token: admin, body: { approve: true, note: '素材合规' } });
    expect(decided.body.status).toBe('live');

    await page.reload();
    const banner = page.locator(`[data-placement-id="${placement.placementId}"]`);
    expect(await textOf(banner)).toContain('《星海》首映 8 折');
    expect(await banner.innerText()).toContain('百合影城');
    const campaign = page.locator('[data-testid="campaigns"] .campaign-card', { hasText: '百合卡支付满30减5' });
    expect(await textOf(campaign)).toContain('立减 ¥5.00');
    expect(await campaign.innerText()).toContain('满 ¥30.00 可用');
    await screenshot(page, 'me-06-home-promotions');

    // The banner is a button: reachable with the keyboard, and it opens the page it promotes.
    await banner.focus();
    await page.keyboard.press('Enter');
    expect(await textOf(page.locator('#mp-from'))).toBe('来自：banner');
    await expect.poll(async () => (await srv.booted.deps.store.collection('marketing_placements').findOne({ _id: placement.placementId }))?.['clicks']).toBe(1);
    await page.locator('[data-action="close-miniapp"]').click();
  });
});

describe('the merchant portal', () => {
  let desk: BrowserContext;
  let merchantPage: Page;

  beforeAll(async () => {
    desk = await newContext(browser, 'desktop');
    merchantPage = await desk.newPage();
    watchPage(merchantPage, problems);
  });

  afterAll(async () => {
    await desk?.close();
  });

  it('shows the app’s stats: calls, errors, payments and the funnel it reported', async () => {
    await merchantPage.goto(`${srv.baseUrl}/merchant/apps/${APP}/stats`);
    await loginUi(merchantPage, 'merchant', 'merchant-demo');
    const kpis = merchantPage.locator('[data-testid="stats-kpis"]');
    await kpis.waitFor();
    await expect.poll(async () => Number((await merchantPage.locator('[data-kpi="calls"] .kpi-value').innerText()).replace(/,/g, ''))).toBeGreaterThan(5);
    expect(await textOf(merchantPage.locator('[data-kpi="payments"] .kpi-value'))).toBe('1');
    expect(await textOf(merchantPage.locator('[data-kpi="paid"] .kpi-value'))).toBe('¥20.00');
    expect(await textOf(merchantPage.locator('[data-testid="stats-capabilities"] tr[data-capability="payment.cashier"]'))).toContain('payment.cashier');
    await merchantPage.locator('.chart-box canvas').first().waitFor();
    expect(await merchantPage.locator('.chart-box canvas').count()).toBeGreaterThanOrEqual(3);

    const steps = merchantPage.getByLabel('漏斗步骤');
    await steps.fill('view_film, choose_seat, pay_order');
    await merchantPage.getByRole('button', { name: '计算漏斗' }).click();
    const payStep = merchantPage.locator('[data-testid="funnel-table"] tr[data-event="pay_order"]');
    expect(await textOf(payStep)).toContain('1');
    expect(await payStep.innerText()).toContain('%');
    await screenshot(merchantPage, 'merchant-06-stats');
  });

  it('shows each webhook attempt and resends a notification', async () => {
    await merchantPage.getByRole('link', { name: 'Webhook 日志' }).click();
    await merchantPage.getByRole('textbox', { name: /^通知地址/ }).fill(receiverUrl);
    await merchantPage.getByRole('button', { name: '保存地址' }).click();
    expect(await textOf(merchantPage.locator('.ok-note'))).toBe('通知地址已保存。');

    // The delivery worker runs while the merchant's server is down: one failed attempt.
    await deliver();
    expect(received).toEqual([503]);
    await merchantPage.getByRole('button', { name: '刷新' }).click();
    const row = merchantPage.locator('[data-testid="notifications"] tr[data-notification-id]', { hasText: 'payment.succeeded' }).first();
    await expect.poll(() => row.innerText()).toContain('1 次尝试');
    expect(await row.innerText()).toContain('待发送');
    await row.locator('[aria-expanded]').click();
    const id = await row.getAttribute('data-notification-id');
    const attempts = merchantPage.locator(`[data-testid="attempts-${id}"] tbody tr`);
    expect(await textOf(attempts.first())).toContain('HTTP 503');

    // The merchant fixes its server and resends; the next round delivers it.
    receiverStatus = 200;
    await row.locator('[data-action="resend"]').click();
    expect(await textOf(merchantPage.locator('.ok-note'))).toBe('已重新排队，稍后会再次发送。');
    await deliver();
    expect(received).toEqual([503, 200]);
    await merchantPage.getByRole('button', { name: '刷新' }).click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('delivered');
    await expect.poll(() => attempts.count()).toBe(2);
    expect(await attempts.nth(1).innerText()).toContain('200');
    await screenshot(merchantPage, 'merchant-07-webhook-log');
  });
});
