/**
 * The merchant portal, the ops console and the developer center in real Chromium against a real
 * server: a merchant registers and ops admit it; the merchant creates an app (sandbox keys shown
 * once), uploads a `.lilypkg` (as `lily pack` writes it) and sees the automated report and
 * capability diff; ops approve it; the merchant releases it. The developer center's search finds
 * a capability, and the signature debugger verifies the signature it made.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSm2KeyPair } from '../../runtime/crypto/sm.ts';
import { serializePackage } from '../../runtime/package/format.ts';
import { pack } from '../../runtime/package/pack.ts';
import { launchBrowser, loginUi, newContext, screenshot, startE2eServer, watchPage, type E2eServer } from './support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const APP = 'com.lily.e2e.counter';
const BUSINESS = '百合演示商户有限公司';

let srv: E2eServer;
let browser: Browser;
let merchantCtx: BrowserContext;
let opsCtx: BrowserContext;
let merchant: Page;
let ops: Page;
let problems: string[];
let packageFile: string;
let sandboxKey: { serial: string; privateKey: string } | undefined;

async function textOf(locator: Locator, timeout = 15_000): Promise<string> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return (await locator.first().innerText()).trim();
}

beforeAll(async () => {
  srv = await startE2eServer();
  // The package a merchant would get from `npm run lily -- pack <folder> -o app.lilypkg`.
  const dir = mkdtempSync(path.join(tmpdir(), 'lily-e2e-counter-'));
  cpSync(path.join(ROOT, 'sample-miniapps/hello'), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8'));
  writeFileSync(path.join(dir, 'app.json'), JSON.stringify({ ...manifest, appId: APP, name: '计数器' }));
  const { pkg } = await pack(dir);
  packageFile = path.join(dir, 'counter.lilypkg');
  writeFileSync(packageFile, serializePackage(pkg));

  browser = await launchBrowser();
  merchantCtx = await newContext(browser, 'desktop');
  opsCtx = await newContext(browser, 'desktop');
  merchant = await merchantCtx.newPage();
  ops = await opsCtx.newPage();
  problems = [];
  watchPage(merchant, problems);
  watchPage(ops, problems);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

afterEach(() => {
  expect(problems.splice(0), 'no page errors or CSP violations').toEqual([]);
});

describe('merchant portal and ops console', () => {
  it('a merchant registers, ops admit it, and the merchant creates an app with sandbox keys shown once', async () => {
    await merchant.goto(`${srv.baseUrl}/merchant`);
    await loginUi(merchant, 'merchant', 'merchant-demo');
    await merchant.locator('input[name="businessName"]').fill(BUSINESS);
    await merchant.locator('input[name="licenceNo"]').fill('91310000MA1DEMO001');
    await merchant.locator('input[name="contactName"]').fill('王经理');
    await merchant.locator('input[name="phone"]').fill('13900000000');
    await merchant.locator('input[name="email"]').fill('wang@demo.example');
    await merchant.getByRole('button', { name: '提交入驻申请' }).click();
    expect(await textOf(merchant.locator('.admission[data-status="pending"]'))).toContain('审核中');
    await screenshot(merchant, 'merchant-01-pending');

    await ops.goto(`${srv.baseUrl}/ops/admission`);
    await loginUi(ops, 'admin', 'admin-demo');
    const application = ops.locator(`[data-merchant="${BUSINESS}"]`);
    expect(await textOf(application)).toContain('91310000MA1DEMO001');
    await screenshot(ops, 'ops-03-admission');
    await application.getByRole('button', { name: '准入' }).click();
    await expect.poll(() => ops.locator(`[data-merchant="${BUSINESS}"]`).count(), { timeout: 10_000 }).toBe(0);

    await merchant.reload();
    expect(await textOf(merchant.locator('.admission[data-status="admitted"]'))).toContain('已入驻');
    await merchant.getByRole('button', { name: '创建应用' }).click();
    await merchant.locator('input[name="name"]').fill('计数器');
    await merchant.locator('input[name="appId"]').fill(APP);
    await merchant.locator('select[name="category"]').selectOption('tools');
    await merchant.getByRole('button', { name: '创建', exact: true }).click();
    const keys = merchant.locator('[data-testid="sandbox-credentials"]');
    expect(await textOf(keys)).toContain('私钥只显示这一次');
    expect(await keys.innerText()).toMatch(/[0-9a-f]{64}/);
    await screenshot(merchant, 'merchant-02-sandbox-credentials');
    const values = await keys.locator('.copy-value').allInnerTexts();
    sandboxKey = { serial: values[1]!.trim(), privateKey: values[2]!.trim() };
    await keys.getByRole('button', { name: '我已保存' }).click();
    expect(await keys.count()).toBe(0);
    expect(await textOf(merchant.getByRole('link', { name: '计数器' }))).toBe('计数器');
  });

  it('the merchant uploads a version and sees the automated report and diff; ops approve it; the merchant releases it', async () => {
    await merchant.getByRole('link', { name: '计数器' }).click();
    await merchant.locator('input[type="file"][name="package"]').setInputFiles(packageFile);
    await merchant.getByRole('button', { name: '上传并审核' }).click();
    const version = merchant.locator('.version[data-version="1.0.0"]');
    expect(await textOf(version.locator('.version-head'))).toContain('待审核');
    expect(await version.innerText()).toContain('自动审核通过');
    const report = version.locator('.review-report');
    expect(await textOf(report)).toContain('能力变更');
    expect(await report.innerText()).toContain('base.navigate');
    await screenshot(merchant, 'merchant-03-version-report');

    await ops.goto(`${srv.baseUrl}/ops/reviews`);
    const item = ops.locator(`[data-version-id="${APP}@1.0.0"]`);
    expect(await textOf(item)).toContain('自动审核通过');
    expect(await item.innerText()).toContain('首个版本');
    await screenshot(ops, 'ops-04-review-queue');
    await item.locator('[data-action="approve"]').click();
    expect(await textOf(ops.locator('.ok-note'))).toContain(`${APP}@1.0.0`);
    await expect.poll(() => ops.locator(`[data-version-id="${APP}@1.0.0"]`).count()).toBe(0);

    await merchant.reload();
    expect(await textOf(merchant.locator('.version[data-version="1.0.0"] .version-head'))).toContain('已通过');
    await merchant.getByRole('button', { name: '发布', exact: true }).click();
    expect(await textOf(merchant.locator('.ok-note'))).toContain('已发布');
    expect(await textOf(merchant.locator('.page-head'))).toContain('生产版本 1.0.0');
    await screenshot(merchant, 'merchant-04-released');

    // Live in the marketplace for bank-app users.
    const live = await fetch(`${srv.baseUrl}/api/marketplace/apps`).then((r) => r.json() as Promise<{ apps: { appId: string }[] }>);
    expect(live.apps.map((a) => a.appId)).toContain(APP);
  });

  it('the signature debugger shows the canonical string and verifies the signature it made', async () => {
    const { privateKey } = generateSm2KeyPair();
    await merchant.goto(`${srv.baseUrl}/merchant/signature`);
    await merchant.locator('input[name="timestamp"]').fill('1700000000');
    await merchant.locator('input[name="nonce"]').fill('5K8264ILTKCH16CQ2502SI8ZNMTM67VS');
    await merchant.locator('input[name="privateKey"]').fill(privateKey);
    const canonical = await textOf(merchant.locator('[data-testid="canonical"]'));
    expect(canonical.split('\n')[0]).toBe('POST\\n');
    expect(canonical).toContain('1700000000\\n');
    const signature = await textOf(merchant.locator('[data-testid="signature"]'));
    await merchant.locator('input[name="signature"]').fill(signature);
    expect(await textOf(merchant.locator('[data-testid="verdict"]'))).toContain('签名有效');
    await merchant.locator('textarea[name="body"]').fill('{"tampered":true}');
    expect(await textOf(merchant.locator('[data-testid="verdict"]'))).toContain('签名无效');
    await screenshot(merchant, 'merchant-05-signature-debugger');
  });
});

describe('developer center', () => {
  it('search finds a capability, and its page shows methods, schemas and errors', async () => {
    const dev = await newContext(browser, 'desktop');
    const page = await dev.newPage();
    const devProblems = watchPage(page);
    await page.goto(`${srv.baseUrl}/developers`);
    expect(await textOf(page.locator('.counts'))).toContain('48 项能力');
    await page.locator('#catalog-search').fill('收银');
    await expect.poll(() => page.locator('[data-testid="catalog-results"] .cap-card').count()).toBeGreaterThan(0);
    const ids = await page.locator('[data-testid="catalog-results"] .cap-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-capability')));
    expect(ids).toContain('payment.cashier');
    await screenshot(page, 'developers-01-search');

    await page.locator('#catalog-search').fill('requestPayment');
    await expect.poll(() => page.locator('[data-testid="catalog-results"] .cap-card').count()).toBe(1);
    await page.locator('[data-capability="payment.cashier"] .cap-link').click();
    expect(await textOf(page.locator('.method h3'))).toContain('lily.payment.cashier.requestPayment');
    expect(await page.locator('.schema-table').first().innerText()).toContain('prepayId');
    expect(await page.locator('.error-list').first().innerText()).toContain('PIN_INCORRECT');
    await screenshot(page, 'developers-02-capability');

    await page.getByRole('link', { name: 'Open API' }).click();
    const prepay = page.locator('#createPrepay');
    expect(await textOf(prepay)).toContain('/open/v1/payments/prepay');
    await prepay.locator('summary').click();
    expect(await textOf(prepay.locator('.schema-table', { hasText: 'outTradeNo' }))).toContain('openId');
    await page.locator('.locale-switch').click();
    expect(await textOf(page.locator('.page-title'))).toBe('Open API reference');
    await prepay.scrollIntoViewIfNeeded();
    await screenshot(page, 'developers-03-openapi-en', { fullPage: false });

    // The sandbox console signs with the key the merchant got, and verifies the bank's signed answer.
    const query = page.locator('#queryOrder');
    await query.locator('summary').click();
    await query.getByRole('button', { name: 'Try it in the sandbox' }).click();
    const form = query.locator('form.tryit');
    await form.getByLabel('app_id').fill(APP);
    await form.getByLabel('serial_no').fill(sandboxKey!.serial);
    await form.getByLabel('Private key (64 hex characters)').fill(sandboxKey!.privateKey);
    await form.getByLabel('Path (with query)').fill('/open/v1/payments/orders/ord_NoSuchOrder0001');
    await form.getByRole('button', { name: 'Sign and send' }).click();
    const result = await textOf(form.locator('.tryit-result'));
    expect(result).toMatch(/HTTP (403|404)/);
    expect(result).toContain('Bank signature valid');
    expect(result).not.toContain('SIGNATURE_INVALID');
    await query.scrollIntoViewIfNeeded();
    await screenshot(page, 'developers-04-sandbox-console', { fullPage: false });
    expect(devProblems).toEqual([]);
    await dev.close();
  });
});
