/**
 * The bank-app shell in real Chromium against a real server: log in, browse the marketplace, open
 * a mini-app in the Web Worker runtime, consent, pay in the host cashier with the PIN (after a
 * wrong one), see the order; refuse consent; ops revoke a capability while the mini-app is open
 * and the next call shows the host's friendly notice; the live dashboard. Screenshots go to
 * `test/e2e/screenshots/`.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../helpers/server.ts';
import { launchBrowser, loginUi, newContext, releaseApp, screenshot, startE2eServer, userId, watchPage, type E2eServer } from './support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HELLO = 'com.lily.hello';
const PAY = 'com.lily.e2e.pay';

let srv: E2eServer;
let browser: Browser;
let alice: BrowserContext;
let page: Page;
let problems: string[];

/** Waits until `locator` is visible and returns its text. */
async function textOf(locator: Locator, timeout = 15_000): Promise<string> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return (await locator.first().innerText()).trim();
}

async function prepay(username: string, password: string, outTradeNo: string, amount = 1250): Promise<string> {
  const { deps } = srv.booted;
  const uid = await userId(srv, username, password);
  const created = await deps.payments.createPrepay(
    { store: deps.store, env: 'production', appId: PAY, now: Date.now },
    { openId: deps.tokens.openId(uid, PAY), outTradeNo, amount, description: '机场快线 单程票' },
  );
  return created.prepayId;
}

beforeAll(async () => {
  srv = await startE2eServer();
  await releaseApp(srv, path.join(ROOT, 'sample-miniapps/hello'), { appId: HELLO, name: 'Hello Lily', category: 'tools' });
  await releaseApp(srv, path.join(ROOT, 'test/e2e/fixtures/pay'), { appId: PAY, name: '机场快线', category: 'travel' });
  browser = await launchBrowser();
  alice = await newContext(browser, 'phone');
  page = await alice.newPage();
  problems = watchPage(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

afterEach(() => {
  expect(problems, 'no page errors or CSP violations').toEqual([]);
});

describe('bank-app shell', () => {
  it('logs in, browses and searches the marketplace, and opens a mini-app in the sandbox', async () => {
    await page.goto(`${srv.baseUrl}/`);
    await page.locator('form.login-form').waitFor();
    await screenshot(page, 'shell-01-login');
    await loginUi(page, 'alice', 'alice-demo');
    await page.locator(`[data-app-id="${HELLO}"]`).waitFor();
    expect(await page.locator('.app-card').count()).toBe(2);
    await screenshot(page, 'shell-02-home');

    await page.locator('#market-search').fill('机场');
    await expect.poll(() => page.locator('.app-card').count(), { timeout: 10_000 }).toBe(1);
    expect(await textOf(page.locator('.app-card'))).toContain('机场快线');
    await page.locator('#market-search').fill('');
    await expect.poll(() => page.locator('.app-card').count(), { timeout: 10_000 }).toBe(2);

    await page.locator(`[data-app-id="${HELLO}"]`).click();
    expect(await textOf(page.locator('#mp-count'))).toBe('Count: 0');
    await page.locator('.lv-button', { hasText: '+1' }).click();
    await expect.poll(() => page.locator('#mp-count').innerText()).toBe('Count: 1');
    await page.locator('.lv-button', { hasText: 'Save' }).click();
    expect(await textOf(page.locator('.mp-toast'))).toContain('Saved 1');
    expect(await textOf(page.locator('.miniapp-title'))).toContain('Hello Lily');
    await screenshot(page, 'shell-03-miniapp-hello');

    // Navigation inside the mini-app, and the host's back button.
    await page.locator('.lv-button', { hasText: 'About' }).click();
    expect(await textOf(page.locator('.lv-text', { hasText: 'Host version' }).locator('xpath=..'))).toContain('1.0.0');
    await page.locator('.miniapp-bar .bar-button').click();
    expect(await textOf(page.locator('#mp-count'))).toBe('Count: 1');

    // Closing disposes the instance; reopening uses the verified package the worker kept.
    await page.locator('[data-action="close-miniapp"]').click();
    await page.locator(`[data-app-id="${HELLO}"]`).click();
    expect(await textOf(page.locator('#mp-count'))).toBe('Count: 0');
    await page.locator('.capsule-button[aria-haspopup="menu"]').click();
    await page.getByRole('menuitem', { name: '关于' }).click();
    expect(await textOf(page.getByRole('dialog'))).toContain('已校验（缓存）');
    await page.getByRole('dialog').getByRole('button', { name: '关闭' }).click();
    await page.locator('[data-action="close-miniapp"]').click();
  });

  it('asks for consent, pays with the PIN after a wrong one, and shows the order', async () => {
    const prepayId = await prepay('alice', 'alice-demo', 'e2e-alice-0001');
    await page.goto(`${srv.baseUrl}/apps/${PAY}?prepayId=${prepayId}`);
    await page.locator('#mp-balance-btn').click();
    const consent = page.locator('[data-sheet="consent"]');
    expect(await textOf(consent)).toContain('钱包余额');
    expect(await consent.innerText()).toContain('购票前确认余额是否足够');
    await screenshot(page, 'shell-04-consent-sheet');
    await consent.locator('[data-action="allow"]').click();
    expect(await textOf(page.locator('#mp-balance'))).toBe('钱包余额 10000.00 元');

    await page.locator('#mp-pay-btn').click();
    const cashier = page.locator('[data-sheet="cashier"]');
    expect(await textOf(cashier.locator('[data-testid="cashier-amount"]'))).toBe('¥12.50');
    expect(await cashier.innerText()).toContain('百合出行科技有限公司');
    await screenshot(page, 'shell-05-cashier');
    // The PIN field has the focus: type a wrong PIN with the keyboard and submit with Enter.
    await page.keyboard.type('000000');
    await page.keyboard.press('Enter');
    expect(await textOf(cashier.locator('[data-testid="cashier-error"]'))).toContain('支付密码不正确');
    await screenshot(page, 'shell-06-cashier-wrong-pin');
    await cashier.locator('.pin-real').fill('123456');
    await cashier.locator('[data-action="pay"]').click();
    expect(await textOf(page.locator('#mp-status'))).toMatch(/^已支付 12\.50 元 · ord_/);
    expect(await textOf(page.locator('[data-host-notice][data-code="paid"]'))).toContain('支付成功 ¥12.50');
    await screenshot(page, 'shell-07-paid');

    await page.locator('[data-action="close-miniapp"]').click();
    await page.getByRole('link', { name: /我的/ }).click();
    const order = page.locator('[data-testid="orders"] .list-row').first();
    expect(await textOf(order)).toContain('机场快线 单程票');
    expect(await order.innerText()).toContain('已支付');
    expect(await textOf(page.locator('[data-testid="wallet-balance"]'))).toBe('¥9,987.50');
    expect(await textOf(page.locator(`.consent-app[data-app-id="${PAY}"]`))).toContain('已授权');
    // A message arrives live in the inbox (as a mini-app's subscription message would).
    srv.booted.deps.bus.emit('message.delivered', {
      userId: await userId(srv, 'alice', 'alice-demo'),
      messageId: 'msg_e2e_1',
      appId: PAY,
      title: '购票成功',
      body: '机场快线 单程票已出票，请在闸机扫码进站。',
      at: new Date().toISOString(),
    });
    expect(await textOf(page.locator('.list-row.unread'))).toContain('购票成功');
    expect(await textOf(page.locator('.tab-badge'))).toBe('1');
    await screenshot(page, 'shell-08-me-orders');

    // The consent can be revoked in settings.
    await page.locator(`.consent-app[data-app-id="${PAY}"] button`, { hasText: '撤销' }).click();
    await expect.poll(() => page.locator(`.consent-app[data-app-id="${PAY}"]`).innerText()).toContain('已撤销');
  });

  it('contains a mini-app that tries to draw over the host: the top bar stays on top and usable', async () => {
    await page.goto(`${srv.baseUrl}/apps/${PAY}`);
    await page.locator('#mp-cover-btn').click();
    await page.locator('#mp-cover').waitFor();
    const close = page.locator('[data-action="close-miniapp"]');
    const hit = await close.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const top = el.ownerDocument.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return el.contains(top);
    });
    expect(hit, 'the close button is the element under its own centre').toBe(true);
    // Every point of the host's bar is the host's; below it, the mini-app's layer is what shows.
    const owners = await page.locator('.miniapp-bar').evaluate((bar) => {
      const r = bar.getBoundingClientRect();
      const at = (x: number, y: number) => bar.ownerDocument.elementFromPoint(x, y);
      return {
        bar: [0.05, 0.5, 0.95].every((fx) => bar.contains(at(r.left + r.width * fx, r.top + r.height / 2))),
        below: at(r.left + r.width / 2, r.bottom + 80)?.closest('#mp-cover') !== null,
      };
    });
    expect(owners).toEqual({ bar: true, below: true });
    await screenshot(page, 'shell-09-overlay-contained', { fullPage: false });
    await close.click();
  });

  it('refusing consent keeps the data from the mini-app', async () => {
    const bob = await newContext(browser, 'phone');
    const bobPage = await bob.newPage();
    const bobProblems = watchPage(bobPage);
    await bobPage.goto(`${srv.baseUrl}/apps/${PAY}`);
    await loginUi(bobPage, 'bob', 'bob-demo-1');
    await bobPage.locator('#mp-balance-btn').click();
    const consent = bobPage.locator('[data-sheet="consent"]');
    await consent.waitFor();
    await consent.locator('[data-action="refuse"]').click();
    expect(await textOf(bobPage.locator('#mp-error'))).toBe('出错了：CONSENT_REQUIRED');
    expect(await bobPage.locator('#mp-balance').count()).toBe(0);
    await screenshot(bobPage, 'shell-10-consent-refused');
    await bobPage.goto(`${srv.baseUrl}/me#consents`);
    expect(await textOf(bobPage.locator(`.consent-app[data-app-id="${PAY}"]`))).toContain('已拒绝');
    expect(bobProblems).toEqual([]);
    await bob.close();
  });

  it('ops revoke a capability while the mini-app is open: the next call fails with the host’s friendly notice', async () => {
    await page.goto(`${srv.baseUrl}/apps/${HELLO}`);
    expect(await textOf(page.locator('#mp-count'))).toBe('Count: 0');
    await page.locator('.lv-button', { hasText: 'Save' }).click();
    expect(await textOf(page.locator('.mp-toast'))).toContain('Saved 0');

    const ops = await newContext(browser, 'desktop');
    const opsPage = await ops.newPage();
    const opsProblems = watchPage(opsPage);
    await opsPage.goto(`${srv.baseUrl}/ops/apps`);
    await loginUi(opsPage, 'admin', 'admin-demo');
    await opsPage.locator('input[name="opsReason"]').fill('用户投诉弹窗过多，暂停界面能力');
    await opsPage.locator(`tr[data-app-id="${HELLO}"] .link-button`).click();
    const row = opsPage.locator('[data-testid="grants"] tr[data-capability="base.ui"]');
    expect(await textOf(row)).toContain('已授权');
    await row.locator('[data-action="revoke"]').click();
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain('已撤销');
    await screenshot(opsPage, 'ops-01-grant-revoked');

    // The push reaches the open mini-app: the next call is refused by the host gate at once.
    await expect
      .poll(
        async () => {
          await page.locator('.lv-button', { hasText: 'Save' }).click();
          return page.locator('[data-host-notice][data-code="PERMISSION_DENIED"]').count();
        },
        { timeout: 10_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    const notice = await textOf(page.locator('[data-host-notice][data-code="PERMISSION_DENIED"]'));
    expect(notice).toContain('银行已停用此小程序的「界面交互」功能');
    await screenshot(page, 'shell-11-capability-revoked');

    // Ops grant it back; the next call works again.
    await opsPage.locator(`tr[data-capability="base.ui"] .btn-primary`).click();
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain('已授权');
    await page.locator('[data-host-notice] .host-notice-close').first().click();
    await expect
      .poll(
        async () => {
          await page.locator('.lv-button', { hasText: 'Save' }).click();
          return page.locator('.mp-toast').count();
        },
        { timeout: 10_000, interval: 500 },
      )
      .toBeGreaterThan(0);

    // The live dashboard has seen the calls of this session.
    await opsPage.goto(`${srv.baseUrl}/ops`);
    await opsPage.locator('.live.on').waitFor({ timeout: 15_000 });
    await expect.poll(() => opsPage.locator('.kpi-value').first().innerText(), { timeout: 15_000 }).not.toBe('0');
    await opsPage.locator('.chart-box canvas').first().waitFor();
    await screenshot(opsPage, 'ops-02-dashboard');

    const audit = await http(srv.baseUrl, 'GET', `/api/ops/audit?targetId=${HELLO}`, { token: await srv.token('ops', 'admin', 'admin-demo') });
    expect(audit.body.entries.some((e: { action: string }) => e.action.includes('revoke'))).toBe(true);
    expect(opsProblems).toEqual([]);
    await ops.close();
  });
});
