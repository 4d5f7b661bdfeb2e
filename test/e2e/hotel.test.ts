/**
 * The hotel sample in real Chromium against a real server: the demo installer makes it a live app
 * with its back end running; alice logs into the bank app, opens the sandbox trial, logs in with
 * her bank, picks the dates on the calendar, searches, shares her phone number (consent sheet),
 * reserves, authorizes the deposit in the host's sheet with her PIN, sees her booking, checks out
 * paying from the deposit (the rest released), adds the chain's card to her card pack and sees it
 * and her bookings. Screenshots go to `test/e2e/screenshots/`.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotelState } from '../../sample-miniapps/hotel/server/backend.ts';
import { formatDay, hotelToday, RULES } from '../../sample-miniapps/hotel/server/catalog.ts';
import type { InstalledSamples } from '../../server/demo/index.ts';
import { loginUi, screenshot, startSampleE2e, textOf, yuan, type E2eServer, type SampleE2e } from './support/harness.ts';

const APP_ID = 'com.lily.hotel';
const TIMEOUT = 20_000;

let srv: E2eServer;
let demo: InstalledSamples;
let page: Page;
let problems: string[];
let sampleE2e: SampleE2e;

/** Waits until the mini-app's toasts have faded, for a clean screenshot. */
const quiet = () => expect.poll(() => page.locator('.mp-toast').count(), { timeout: 10_000 }).toBe(0);

beforeAll(async () => {
  sampleE2e = await startSampleE2e('hotel');
  ({ srv, demo, page, problems } = sampleE2e);
}, 240_000);

afterAll(async () => {
  await sampleE2e?.close();
});

describe('hotel sample in the bank app', () => {
  it('alice searches, books with a deposit and her PIN, checks out, and sees her booking and her card', async () => {
    const backend = demo.samples[0]!.backend.state as HotelState;
    const { deps } = srv.booted;
    const aliceId = (await deps.identity.findAccount('user', 'alice'))!._id;
    const balance = async () => (await deps.payments.getBalance({ store: deps.store, env: 'sandbox', userId: aliceId })).balance;
    const today = hotelToday(Date.now());
    const before = await balance();

    await page.goto(`${srv.baseUrl}/apps/${APP_ID}?env=sandbox`);
    await loginUi(page, 'alice', 'alice-demo');
    await page.locator('#mp-login').click({ timeout: TIMEOUT });
    expect(await textOf(page.locator('#mp-guest'))).toMatch(/^Welcome, guest …[\w-]{4}/);

    // The search form: Shanghai, two nights from today on the calendar, two guests.
    await page.locator('#mp-city select').selectOption({ index: 0 });
    await page.locator('#mp-check-out input').fill(formatDay(today + 2));
    expect(await textOf(page.locator('#mp-check-out'))).toContain(`Check-out: ${formatDay(today + 2)}`);
    await page.locator('#mp-guests select').selectOption({ index: 1 });
    await screenshot(page, 'hotel-01-search');
    await page.locator('#mp-find').click();
    await page.locator('#mp-book-sh-bund-king').waitFor({ state: 'visible', timeout: TIMEOUT });
    expect(await textOf(page.locator('#mp-summary'))).toBe('2 nights · 2 guests');
    await screenshot(page, 'hotel-02-results');

    // The room: the bank phone number after consent, the guest's name, reserve.
    await page.locator('#mp-book-sh-bund-king').click();
    await page.locator('#mp-guest-name').fill('李小花', { timeout: TIMEOUT });
    await page.locator('#mp-use-phone').click();
    const consent = page.locator('[data-sheet="consent"]');
    await consent.waitFor({ state: 'visible', timeout: TIMEOUT });
    await screenshot(page, 'hotel-03-phone-consent');
    await consent.locator('[data-action="allow"]').click();
    expect(await textOf(page.locator('#mp-phone'))).toBe('Phone 138****8000 (from your bank)');
    await page.locator('#mp-reserve').click();

    // The deposit hold, confirmed in the host's sheet with the PIN.
    await page.locator('#mp-authorize').click({ timeout: TIMEOUT });
    const booking = [...backend.bookings.values()].at(-1)!;
    const sheet = page.locator('[data-sheet="confirm"]');
    await sheet.waitFor({ state: 'visible', timeout: TIMEOUT });
    // The host shows the amount from the bank's hold, not from the mini-app.
    expect(await sheet.innerText()).toContain((booking.deposit / 100).toLocaleString('en-US', { minimumFractionDigits: 2 }));
    await screenshot(page, 'hotel-04-deposit-sheet');
    await sheet.locator('.pin-real').fill('123456');
    await sheet.locator('button[type="submit"]').click();
    await sheet.waitFor({ state: 'detached', timeout: TIMEOUT });
    expect(await textOf(page.locator('#mp-status'))).toBe(`Confirmed · ${booking.bookingId}`);
    expect(await textOf(page.locator('#mp-deposit'))).toBe(`Deposit ${yuan(booking.deposit)}: held`);
    expect(booking.deposit).toBe(booking.roomTotal + RULES.incidentalsDeposit);
    expect(before - (await balance())).toBe(booking.deposit);
    await quiet();
    await screenshot(page, 'hotel-05-booking');

    // Express check-out: the room is captured from the deposit, the rest released at once.
    await page.locator('#mp-checkout-deposit').click();
    expect(await textOf(page.locator('#mp-charged'))).toBe(`Stay charged ${yuan(booking.roomTotal)} (from the deposit, the rest released)`);
    expect(await textOf(page.locator('#mp-order'))).toBe(`Payment ${yuan(booking.roomTotal)} · paid`);
    expect(before - (await balance())).toBe(booking.roomTotal);
    await quiet();
    await screenshot(page, 'hotel-06-checked-out');

    // The chain's card into the card pack (host confirm sheet), with the stay's points on it.
    await page.locator('#mp-card').click();
    await page.locator('#mp-join').click({ timeout: TIMEOUT });
    const cardSheet = page.locator('[data-sheet="confirm"]');
    await cardSheet.waitFor({ state: 'visible', timeout: TIMEOUT });
    await cardSheet.locator('button[type="submit"]').click();
    const points = Math.floor(booking.roomTotal / 100);
    expect(await textOf(page.locator('#mp-card-points'))).toBe(`Points ${points}`);
    expect(await textOf(page.locator('#mp-card-level'))).toBe('Level 会员 Member');
    expect(await textOf(page.locator('#mp-standing'))).toBe(`会员 Member · 2 nights · ${points} points · 1 stay`);
    expect(await deps.members.cards.cardPack(deps.store, 'sandbox', aliceId)).toEqual([expect.objectContaining({ appId: APP_ID, points, title: '悦途酒店会员卡' })]);
    await quiet();
    await screenshot(page, 'hotel-07-card');

    // Back to the booking, then the list of her bookings.
    await page.locator('.miniapp-bar .bar-button').click();
    await page.locator('#mp-bookings').click({ timeout: TIMEOUT });
    const row = page.locator('.lv-list-item', { hasText: booking.hotel.name });
    expect(await textOf(row)).toContain(`Checked out · ${yuan(booking.roomTotal)}`);
    await quiet();
    await screenshot(page, 'hotel-08-bookings');
    expect(problems).toEqual([]);
  }, 240_000);
});
