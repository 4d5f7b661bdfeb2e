/**
 * The concerts sample in real Chromium against a real server: the demo installer makes it a live
 * app with its back end running; alice logs into the bank app, opens the sandbox trial, watches
 * the on-sale countdown run out, queues and wins the lucky draw, gives consent to the real-name
 * check (a wrong ID number refused first), picks a credit card and a 6-month installment plan in
 * the host cashier with her PIN, and sees her ticket with the bank's escrow view. Screenshots go
 * to `test/e2e/screenshots/`.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConcertsBackend } from '../../sample-miniapps/concerts/server/backend.ts';
import type { InstalledSamples } from '../../server/demo/index.ts';
import { C } from '../../server/payments/common.ts';
import type { OrderDoc } from '../../server/payments/orders.ts';
import { loginUi, screenshot, startSampleE2e, textOf, yuan, type E2eServer, type SampleE2e } from './support/harness.ts';

const APP_ID = 'com.lily.concerts';
const TIMEOUT = 20_000;

let srv: E2eServer;
let demo: InstalledSamples;
let page: Page;
let problems: string[];
let sampleE2e: SampleE2e;

beforeAll(async () => {
  sampleE2e = await startSampleE2e('concerts');
  ({ srv, demo, page, problems } = sampleE2e);
  // A show whose sale opens a few seconds from now, so the countdown can be watched running out.
  const backend = demo.samples[0]!.backend as unknown as ConcertsBackend;
  const res = await fetch(`${demo.samples[0]!.backendUrl.replace('localhost', '127.0.0.1')}/admin/shows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${backend.adminToken}` },
    body: JSON.stringify({ showId: 'spring-gala', title: '春日音乐节', artist: '群星 Various', venue: '世博公园', city: '上海', price: 128_000, inventory: 10, oddsPpm: 1_000_000, onSaleInSeconds: 8 }),
  });
  expect(res.status).toBe(201);
}, 240_000);

afterAll(async () => {
  await sampleE2e?.close();
});

describe('concerts sample in the bank app', () => {
  it('alice draws a ticket, names herself as the holder, pays in installments and sees her ticket', async () => {
    await page.goto(`${srv.baseUrl}/apps/${APP_ID}?env=sandbox`);
    await loginUi(page, 'alice', 'alice-demo');
    await page.locator('.lv-button', { hasText: 'Log in with your bank' }).click({ timeout: TIMEOUT });
    expect(await textOf(page.locator('#mp-fan'))).toMatch(/^Fan …/);
    expect(await textOf(page.locator('.miniapp-title'))).toContain('声浪票务');
    const gala = page.locator('.lv-list-item', { hasText: '春日音乐节' });
    expect(await textOf(gala.locator('#mp-countdown-spring-gala'))).toMatch(/^On sale in 00:0\d$/);
    await screenshot(page, 'concerts-01-shows');

    // The show page counts down on the mini-app's timer, then the queue opens.
    await gala.locator('.lv-button', { hasText: 'Details' }).click();
    expect(await textOf(page.locator('#mp-countdown'))).toMatch(/^On sale in 00:0\d$/);
    await page.locator('#mp-join').waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('#mp-join').click();
    expect(await textOf(page.locator('#mp-position'))).toBe('Your turn (#1)');
    await page.locator('#mp-draw').click();
    expect(await textOf(page.locator('#mp-seat'))).toBe('You won: 内场A区 1排1座');
    await screenshot(page, 'concerts-02-won');

    // Real name: the consent sheet, the bank's masked name, a wrong ID number refused.
    await page.locator('#mp-holder').click();
    await page.locator('#mp-check').click();
    const consent = page.locator('[data-sheet="consent"]');
    expect(await textOf(consent)).toContain('实名');
    await screenshot(page, 'concerts-03-consent');
    await consent.locator('[data-action="allow"]').click();
    expect(await textOf(page.locator('#mp-bank-name'))).toBe('Your bank knows you as **花');
    await page.locator('#mp-name').fill('李小花');
    await page.locator('#mp-idNumber').fill('310101199003070021');
    await page.locator('#mp-confirm').click();
    expect(await textOf(page.locator('#mp-error'))).toContain('do not match the identity your bank verified');
    await screenshot(page, 'concerts-04-realname-mismatch');
    await page.locator('#mp-idNumber').fill('31010119900307002X');
    await page.locator('#mp-confirm').click();

    // Pay: the plans are quoted in the mini-app, picked in the host cashier with a credit card.
    expect(await textOf(page.locator('#mp-pay-holder'))).toBe('Holder 李*花 · 310***********002X');
    expect(await textOf(page.locator('#mp-plan-6'))).toMatch(/^6 × ¥\d+\.\d\d/);
    const payButton = page.locator('#mp-payButton', { hasText: 'Pay ¥1280.00' });
    await payButton.waitFor({ state: 'visible', timeout: TIMEOUT });
    await payButton.click();
    const cashier = page.locator('[data-sheet="cashier"]');
    expect(await textOf(cashier.locator('[data-testid="cashier-amount"]'))).toBe('¥1,280.00');
    expect(await cashier.innerText()).toContain('声浪文化传播有限公司');
    await cashier.locator('label.pay-method', { hasText: '信用卡' }).locator('input').check();
    const plans = cashier.locator('.cashier-plans');
    await plans.waitFor({ state: 'visible', timeout: TIMEOUT });
    await plans.locator('label.pay-method', { hasText: '6 期' }).locator('input').check();
    await cashier.locator('.pin-real').fill('123456');
    await screenshot(page, 'concerts-05-cashier-installments');
    await cashier.locator('[data-action="pay"]').click();

    // The ticket: the bank's order and escrow views, the entry code.
    expect(await textOf(page.locator('#mp-order-amount'), 30_000)).toMatch(/^Paid ¥12\d\d\.\d\d in 6 installments$/);
    expect(await textOf(page.locator('#mp-order-status'))).toBe('Order paid');
    expect(await textOf(page.locator('#mp-escrow-status'))).toMatch(/^Escrow supervised: ¥12\d\d\.\d\d held by the bank$/);
    expect(await textOf(page.locator('#mp-milestone-0'))).toContain('演出完成 Show performed');
    expect(await textOf(page.locator('#mp-seat'))).toBe('内场A区 1排1座');
    await page.locator('#mp-code').waitFor({ state: 'visible' });
    await screenshot(page, 'concerts-06-ticket');

    const backend = demo.samples[0]!.backend as unknown as ConcertsBackend;
    const ticket = [...backend.state.tickets.values()].find((t) => t.showId === 'spring-gala')!;
    expect(ticket).toMatchObject({ status: 'issued', holder: { maskedName: '李*花' } });
    const order = await srv.booted.deps.store.collection<OrderDoc>(C.orders).findOne({ _id: ticket.orderId! });
    expect(order).toMatchObject({ status: 'paid', payMethod: 'card', installments: 6, amount: 128_000 });
    expect(problems).toEqual([]);
  }, 180_000);
});
