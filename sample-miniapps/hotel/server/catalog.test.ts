import { describe, expect, it } from 'vitest';
import { cancellationTerms, checkStay, findRoom, formatDay, hotelTime, hotelToday, isWeekendNight, memberLevel, nightPrice, parseDay, RULES, StayError } from './catalog.ts';

const at = (iso: string) => Date.parse(iso);

describe('hotel catalogue', () => {
  it('parses only real calendar dates and counts days in hotel time (UTC+8)', () => {
    expect(parseDay('2025-05-01')).toBe(20209);
    expect(formatDay(20209)).toBe('2025-05-01');
    for (const bad of ['2025-02-29', '2025-13-01', '2025-5-1', '20250501', '', null, 20209]) expect(parseDay(bad)).toBeNull();
    expect(parseDay('2024-02-29')).not.toBeNull();
    // 23:30 UTC on 30 April is already 1 May in Shanghai.
    expect(formatDay(hotelToday(at('2025-04-30T23:30:00Z')))).toBe('2025-05-01');
    expect(new Date(hotelTime(parseDay('2025-05-01')!, 14)).toISOString()).toBe('2025-05-01T06:00:00.000Z');
  });

  it('prices weekend nights higher and the prepaid rate lower', () => {
    const { room } = findRoom('sh-bund', 'king')!;
    const thursday = parseDay('2025-05-01')!;
    const friday = parseDay('2025-05-02')!;
    expect([isWeekendNight(thursday), isWeekendNight(friday), isWeekendNight(friday + 1), isWeekendNight(friday + 2)]).toEqual([false, true, true, false]);
    expect(nightPrice(room, thursday, 'flexible')).toBe(58_800);
    expect(nightPrice(room, friday, 'flexible')).toBe(70_560);
    expect(nightPrice(room, thursday, 'prepaid')).toBe(52_920);
    expect(nightPrice(room, friday, 'prepaid')).toBe(63_504);
    expect(findRoom('sh-bund', 'penthouse')).toBeUndefined();
    expect(findRoom('nowhere', 'king')).toBeUndefined();
  });

  it('checks a stay: dates, order, window, length and guests, each with a message for the guest', () => {
    const now = at('2025-05-01T10:00:00+08:00');
    expect(checkStay({ checkIn: '2025-05-01', checkOut: '2025-05-03', guests: '2' }, now)).toEqual({ checkIn: 20209, checkOut: 20211, nights: [20209, 20210], guests: 2 });
    const refused = (input: { checkIn: unknown; checkOut: unknown; guests?: unknown }) => {
      try {
        checkStay({ guests: 1, ...input }, now);
      } catch (err) {
        expect(err).toBeInstanceOf(StayError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(refused({ checkIn: '2025-04-30', checkOut: '2025-05-02' })).toBe('The check-in date has passed.');
    expect(refused({ checkIn: '2025-05-22', checkOut: '2025-05-23' })).toBe(`Stays can be booked up to ${RULES.maxDaysAhead} days ahead.`);
    expect(refused({ checkIn: '2025-05-21', checkOut: '2025-05-22' })).toBe('accepted');
    expect(refused({ checkIn: '2025-05-03', checkOut: '2025-05-03' })).toBe('Check-out must be after check-in.');
    expect(refused({ checkIn: '2025-05-01', checkOut: '2025-05-09' })).toBe(`A stay is at most ${RULES.maxNights} nights.`);
    expect(refused({ checkIn: 'tomorrow', checkOut: '2025-05-09' })).toBe('Pick a check-in and a check-out date (YYYY-MM-DD).');
    expect(refused({ checkIn: '2025-05-01', checkOut: '2025-05-02', guests: 0 })).toBe(`Guests must be 1 to ${RULES.maxGuests}.`);
    expect(refused({ checkIn: '2025-05-01', checkOut: '2025-05-02', guests: 1.5 })).toBe(`Guests must be 1 to ${RULES.maxGuests}.`);
  });

  it('cancels for free until 48 hours before 14:00 on the check-in day, then keeps half, and not after the check-in day', () => {
    const booking = { checkIn: parseDay('2025-05-10')!, roomTotal: 117_601 };
    expect(cancellationTerms(booking, at('2025-05-08T13:59:59+08:00'))).toMatchObject({ allowed: true, fee: 0 });
    expect(cancellationTerms(booking, at('2025-05-08T14:00:00+08:00'))).toMatchObject({ allowed: true, fee: 58_801 });
    expect(cancellationTerms(booking, at('2025-05-10T23:59:59+08:00'))).toMatchObject({ allowed: true, fee: 58_801 });
    expect(cancellationTerms(booking, at('2025-05-11T00:00:00+08:00')).allowed).toBe(false);
    expect(new Date(cancellationTerms(booking, 0).freeUntil).toISOString()).toBe('2025-05-08T06:00:00.000Z');
  });

  it('levels members by nights stayed', () => {
    expect([0, 2, 3, 9, 10, 40].map(memberLevel)).toEqual(['会员 Member', '会员 Member', '银卡 Silver', '银卡 Silver', '金卡 Gold', '金卡 Gold']);
  });
});
