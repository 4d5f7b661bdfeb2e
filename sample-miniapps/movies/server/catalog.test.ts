import { describe, expect, it } from 'vitest';
import { cstLabel, EVENING_SUPPLEMENT, FILMS, hallOf, HALLS, isSeat, schedule, SCHEDULE_DAYS, seatsOf } from './catalog.ts';
import { stockBody, WELCOME_STOCK } from './offers.ts';
import { newTicketCode, readTicketQr, ticketQr } from './tickets.ts';

const NOW = Date.parse('2025-05-01T02:00:00Z'); // 10:00 in Shanghai

describe('catalog', () => {
  it('schedules five screenings a day per film for three days, with stable ids and prices', () => {
    const all = schedule(NOW);
    expect(all).toHaveLength(FILMS.length * 5 * SCHEDULE_DAYS);
    expect(all[0]).toEqual({ showtimeId: 'st-earth-20250501-1030', filmId: 'earth', hallId: 'h1', startsAt: Date.parse('2025-05-01T02:30:00Z'), price: 4500 });
    expect(new Set(all.map((s) => s.showtimeId)).size).toBe(all.length);
    // Later the same day: the same showtimes.
    expect(schedule(NOW + 5 * 3600_000).map((s) => s.showtimeId)).toEqual(all.map((s) => s.showtimeId));
    const evening = all.find((s) => s.showtimeId === 'st-earth-20250501-1930')!;
    expect(evening.price).toBe(4500 + hallOf(evening.hallId)!.surcharge + EVENING_SUPPLEMENT);
    expect(cstLabel(evening.startsAt)).toBe('2025-05-01 19:30');
  });

  it('knows which seats exist', () => {
    const imax = hallOf('imax')!;
    expect(seatsOf(imax)).toHaveLength(8 * 12 - 6);
    expect(isSeat(imax, 'H12')).toBe(true);
    expect(isSeat(imax, 'E6')).toBe(false);
    expect(isSeat(imax, 'I1')).toBe(false);
    expect(isSeat(imax, 'C13')).toBe(false);
    expect(isSeat(imax, 'c5')).toBe(false);
    expect(HALLS.every((h) => seatsOf(h).every((s) => isSeat(h, s)))).toBe(true);
  });
});

describe('tickets', () => {
  it('signs the QR text and reads back only what it signed', () => {
    const secret = Buffer.alloc(32, 7);
    const code = newTicketCode();
    expect(code).toMatch(/^MV\d{10}$/);
    const qr = ticketQr(secret, { code, showtimeId: 'st-earth-20250501-1930', seats: ['C5', 'C6'] });
    expect(readTicketQr(secret, qr)).toEqual({ code, showtimeId: 'st-earth-20250501-1930', seats: ['C5', 'C6'] });
    expect(readTicketQr(secret, qr.replace('C6', 'C7'))).toBeNull();
    expect(readTicketQr(Buffer.alloc(32, 8), qr)).toBeNull();
    expect(readTicketQr(secret, 'LILYMOVIE:nonsense')).toBeNull();
  });
});

describe('offers', () => {
  it('creates the same stock body all month, valid whatever the day', () => {
    const first = stockBody(WELCOME_STOCK, Date.parse('2025-04-30T16:00:00Z')); // 1 May, 00:00 CST
    const last = stockBody(WELCOME_STOCK, Date.parse('2025-05-31T15:59:59Z')); // 31 May, 23:59 CST
    expect(first).toEqual(last);
    expect(first).toMatchObject({ outStockNo: 'MOVIESWELCOME202505', validFrom: Date.parse('2025-04-30T16:00:00Z'), budgetAmount: 10_000 * 1000 });
    expect(first.validUntil).toBeGreaterThan(Date.parse('2025-05-31T15:59:59Z'));
    expect(stockBody(WELCOME_STOCK, Date.parse('2025-05-31T16:00:00Z')).outStockNo).toBe('MOVIESWELCOME202506');
  });
});
