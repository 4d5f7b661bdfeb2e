/**
 * The movies sample in real Chromium against a real server: the demo installer makes it a live
 * app with its back end running; alice logs into the bank app, opens the sandbox trial, picks a
 * film, a showtime and two seats on the live seat map, pays in the host cashier with her PIN (the
 * bank campaign applied by the cashier), and sees her e-ticket's QR code. Screenshots go to
 * `test/e2e/screenshots/`.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoviesBackend } from '../../sample-miniapps/movies/server/backend.ts';
import type { InstalledSamples } from '../../server/demo/index.ts';
import { C } from '../../server/payments/common.ts';
import type { OrderDoc } from '../../server/payments/orders.ts';
import { loginUi, screenshot, startSampleE2e, textOf, yuan, type E2eServer, type SampleE2e } from './support/harness.ts';

const APP_ID = 'com.lily.movies';
const TIMEOUT = 20_000;

let srv: E2eServer;
let demo: InstalledSamples;
let page: Page;
let problems: string[];
let sampleE2e: SampleE2e;

beforeAll(async () => {
  sampleE2e = await startSampleE2e('movies');
  ({ srv, demo, page, problems } = sampleE2e);
}, 240_000);

afterAll(async () => {
  await sampleE2e?.close();
});

describe('movies sample in the bank app', () => {
  it('alice picks a showtime and two seats, pays with her PIN in the cashier and sees the e-ticket QR', async () => {
    const backend = demo.samples[0]!.backend as MoviesBackend;
    await page.goto(`${srv.baseUrl}/apps/${APP_ID}?env=sandbox`);
    await loginUi(page, 'alice', 'alice-demo');
    await page.locator('.lv-button', { hasText: 'Log in with your bank' }).click({ timeout: TIMEOUT });
    expect(await textOf(page.locator('#mp-member'))).toMatch(/^Member …/);
    expect(await textOf(page.locator('.miniapp-title'))).toContain('百合影城');
    expect(await textOf(page.locator('#mp-campaigns'))).toContain('百合卡支付满30减5');
    await screenshot(page, 'movies-01-films');

    // The film and its showtimes; the first one in the IMAX hall.
    await page.locator('.lv-list-item', { hasText: '流浪地球3' }).click();
    expect(await textOf(page.locator('#mp-synopsis'))).toContain('太阳危机');
    await screenshot(page, 'movies-02-film');
    await page.locator('#mp-showtimes .lv-list-item', { hasText: 'IMAX厅' }).first().click();

    // The seat map from the back end: two seats picked, then locked.
    // Each tap re-renders the map: the next tap waits for it, as a person would see it.
    await page.locator('.lv-button[aria-label="C5 free"]').click({ timeout: TIMEOUT });
    await expect.poll(() => textOf(page.locator('#mp-picked')), { timeout: TIMEOUT }).toMatch(/^Seats C5 · ¥\d+\.\d\d$/);
    await page.locator('.lv-button[aria-label="C6 free"]').click();
    await expect.poll(() => textOf(page.locator('#mp-picked')), { timeout: TIMEOUT }).toMatch(/^Seats C5 C6 · ¥\d+\.\d\d$/);
    await screenshot(page, 'movies-03-seats');
    await page.locator('#mp-lock').click();
    expect(await textOf(page.locator('#mp-amount'))).toMatch(/^2 × ¥\d+\.\d\d = ¥\d+\.\d\d$/);
    const booking = [...backend.state.bookings.values()][0]!;
    expect(booking).toMatchObject({ status: 'pending', seats: ['C5', 'C6'] });
    await screenshot(page, 'movies-04-checkout');

    // The host cashier: the bank's order (amount, merchant), the PIN.
    await page.locator('#mp-pay').click();
    const cashier = page.locator('[data-sheet="cashier"]');
    const amount = await textOf(cashier.locator('[data-testid="cashier-amount"]'));
    expect(amount.replace(',', '')).toBe(yuan(booking.amount));
    expect(await cashier.innerText()).toContain('百合影城文化传媒有限公司');
    await cashier.locator('.pin-real').fill('123456');
    await screenshot(page, 'movies-05-cashier');
    await cashier.locator('[data-action="pay"]').click();

    // The e-ticket: the QR code drawn by the host, what the bank says was paid.
    await page.locator('#mp-qr svg path').waitFor({ state: 'attached', timeout: 30_000 });
    expect(await textOf(page.locator('#mp-code'))).toMatch(/^Ticket MV\d{10}$/);
    expect(await textOf(page.locator('#mp-order-status'))).toBe('Order paid');
    expect(booking).toMatchObject({ status: 'paid', discountAmount: 500, paidAmount: booking.amount - 500 });
    expect(await textOf(page.locator('#mp-paid'))).toBe(`Paid ${yuan(booking.amount - 500)} of ${yuan(booking.amount)} (saved ¥5.00)`);
    await screenshot(page, 'movies-06-eticket');

    const order = await srv.booted.deps.store.collection<OrderDoc>(C.orders).findOne({ _id: booking.orderId });
    expect(order).toMatchObject({ status: 'paid', amount: booking.amount, paidAmount: booking.amount - 500, payMethod: 'balance' });
    expect(backend.state.seats.statusOf('sandbox', booking.showtimeId, 'C5', 'someone-else')).toBe('sold');
    expect(problems).toEqual([]);
  }, 180_000);
});
