/**
 * The ride-hailing sample in real Chromium against a real server: the demo installer makes it a
 * live app with its back end running; alice logs into the bank app, opens the sandbox trial,
 * logs in with her bank, shares her location (consent sheet, the browser's position), gets a
 * fare, authorizes the deposit and signs the password-free agreement in the host's sheets with
 * her PIN, rides, is charged without a PIN at the end, rates the driver, shares an invitation and
 * reads her receipt. Screenshots go to `test/e2e/screenshots/`.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RideState } from '../../sample-miniapps/ride/server/backend.ts';
import type { InstalledSamples } from '../../server/demo/index.ts';
import { loginUi, screenshot, startSampleE2e, textOf, yuan, type E2eServer, type SampleE2e } from './support/harness.ts';

const APP_ID = 'com.lily.ride';
const TIMEOUT = 20_000;

let srv: E2eServer;
let demo: InstalledSamples;
let page: Page;
let problems: string[];
let sampleE2e: SampleE2e;

/** Confirms the host's confirm sheet with the PIN. */
async function confirmWithPin(kind: 'confirm' | 'cashier') {
  const sheet = page.locator(`[data-sheet="${kind}"]`);
  await sheet.waitFor({ state: 'visible', timeout: TIMEOUT });
  await sheet.locator('.pin-real').fill('123456');
  if (kind === 'cashier') await sheet.locator('[data-action="pay"]').click();
  else await sheet.locator('button[type="submit"]').click();
  await sheet.waitFor({ state: 'detached', timeout: TIMEOUT });
}

beforeAll(async () => {
  sampleE2e = await startSampleE2e('ride', { geolocation: { latitude: 31.2304, longitude: 121.4737 } });
  ({ srv, demo, page, problems } = sampleE2e);
}, 240_000);

afterAll(async () => {
  await sampleE2e?.close();
});

describe('ride sample in the bank app', () => {
  it('alice books, rides and pays password-free; the deposit comes back; she rates and reads her receipt', async () => {
    const backend = demo.samples[0]!.backend.state as RideState;
    const { deps } = srv.booted;
    const aliceId = (await deps.identity.findAccount('user', 'alice'))!._id;
    const balance = async () => (await deps.payments.getBalance({ store: deps.store, env: 'sandbox', userId: aliceId })).balance;
    const before = await balance();

    await page.goto(`${srv.baseUrl}/apps/${APP_ID}?env=sandbox`);
    await loginUi(page, 'alice', 'alice-demo');
    await page.locator('#mp-login').click({ timeout: TIMEOUT });
    expect(await textOf(page.locator('#mp-rider'))).toMatch(/^Rider …/);
    await screenshot(page, 'ride-01-home');

    // Location: the host asks for consent once, then reads the browser's position.
    await page.locator('#mp-locate').click();
    const consent = page.locator('[data-sheet="consent"]');
    await consent.waitFor({ state: 'visible', timeout: TIMEOUT });
    await screenshot(page, 'ride-02-consent');
    await consent.locator('[data-action="allow"]').click();
    expect(await textOf(page.locator('#mp-pickup'))).toBe('Pick-up 31.2304, 121.4737');

    await page.locator('#mp-places .lv-button', { hasText: '虹桥机场' }).click();
    await page.locator('#mp-estimate').click();
    const fareText = await textOf(page.locator('#mp-fare'));
    const quote = [...backend.quotes.values()].at(-1)!;
    expect(fareText).toBe(`Fare ${yuan(quote.fare)}`);
    await screenshot(page, 'ride-03-quote');
    await page.locator('#mp-book').click();

    // The deposit hold and the agreement, each confirmed in a host sheet with the PIN.
    await page.locator('#mp-authorize').click({ timeout: TIMEOUT });
    const holdSheet = page.locator('[data-sheet="confirm"], [data-sheet="cashier"]');
    await holdSheet.first().waitFor({ state: 'visible', timeout: TIMEOUT });
    await screenshot(page, 'ride-04-deposit-sheet');
    await confirmWithPin((await holdSheet.first().getAttribute('data-sheet')) as 'confirm' | 'cashier');
    await page.locator('#mp-held').waitFor({ state: 'visible', timeout: TIMEOUT });
    expect(before - (await balance())).toBe(quote.deposit);
    await page.locator('#mp-sign').click();
    await confirmWithPin('confirm');
    expect(await textOf(page.locator('#mp-agreement'))).toBe('signed');
    await screenshot(page, 'ride-05-ready');

    // The trip runs on the mini-app's timers; the back end charges the fare under the agreement.
    await page.locator('#mp-start').click();
    expect(await textOf(page.locator('#mp-charged'), 60_000)).toBe(`Paid ${yuan(quote.fare)} password-free`);
    expect(await textOf(page.locator('#mp-deposit'))).toBe('Deposit released');
    expect(before - (await balance())).toBe(quote.fare);
    await screenshot(page, 'ride-06-finished');

    // Rate, share (host action sheet), receipt.
    await page.locator('#mp-rate').click();
    await page.locator('.lv-button[aria-label="5 stars"]').click({ timeout: TIMEOUT });
    await page.locator('#mp-comment').fill('Smooth ride');
    await page.locator('#mp-save').click();
    expect(await textOf(page.locator('#mp-saved'))).toMatch(/^Rated 5 stars/);
    await page.locator('#mp-share').click();
    const share = page.locator('[data-sheet="actionSheet"]');
    await share.waitFor({ state: 'visible', timeout: TIMEOUT });
    await share.locator('.action-item').first().click();
    expect(await textOf(page.locator('#mp-shared'))).toMatch(/^Shared, code \w+/);
    await page.locator('#mp-receipt').click();
    expect(await textOf(page.locator('#mp-order-status'))).toBe('Order paid');
    expect(await textOf(page.locator('#mp-order-amount'))).toBe(`Paid ${yuan(quote.fare)}`);
    expect(await textOf(page.locator('#mp-deposit'))).toContain('released');
    await screenshot(page, 'ride-07-receipt');
    expect(problems).toEqual([]);
  }, 240_000);
});
