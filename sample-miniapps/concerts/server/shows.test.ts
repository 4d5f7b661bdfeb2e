import { describe, expect, it } from 'vitest';
import { movableClock } from './clock.ts';
import { admission, demoShows, milestonesFor, parseShowInput, saleStatus, seatFor, ShowInputError } from './shows.ts';

const NOW = Date.UTC(2025, 4, 1, 4, 0, 0);
const base = { title: '草莓音乐节', artist: '群星', venue: '世博公园', city: '上海', price: 98_000, inventory: 3, oddsPpm: 1_000_000 };

describe('concert shows', () => {
  it('lets the queue in by rounds, in join order', () => {
    const show = { onSaleAt: NOW, admitBatch: 2, admitEveryMs: 10_000 };
    expect(admission(show, 1, NOW - 1)).toEqual({ admitted: false, admittedUpTo: 0, etaSeconds: 1 });
    expect(admission(show, 2, NOW)).toEqual({ admitted: true, admittedUpTo: 2, etaSeconds: 0 });
    expect(admission(show, 5, NOW + 1_000)).toEqual({ admitted: false, admittedUpTo: 2, etaSeconds: 19 });
    expect(admission(show, 5, NOW + 20_000)).toEqual({ admitted: true, admittedUpTo: 6, etaSeconds: 0 });
  });

  it('tells the sale state', () => {
    const show = { onSaleAt: NOW, startsAt: NOW + 1000 };
    expect(saleStatus(show, NOW - 1, { cancelled: false, soldOut: false })).toBe('upcoming');
    expect(saleStatus(show, NOW, { cancelled: false, soldOut: false })).toBe('on_sale');
    expect(saleStatus(show, NOW, { cancelled: false, soldOut: true })).toBe('sold_out');
    expect(saleStatus(show, NOW + 1000, { cancelled: false, soldOut: false })).toBe('closed');
    expect(saleStatus(show, NOW, { cancelled: true, soldOut: false })).toBe('cancelled');
  });

  it('numbers seats zone by zone, row by row', () => {
    expect([seatFor(0), seatFor(29), seatFor(30), seatFor(300), seatFor(1200)]).toEqual(['内场A区 1排1座', '内场A区 1排30座', '内场A区 2排1座', '内场B区 1排1座', '内场A区 1排1座']);
  });

  it('splits the escrow into milestones that add up exactly', () => {
    const show = { endsAt: NOW };
    expect(milestonesFor(127_501, show)).toEqual([
      { name: '演出完成 Show performed', amount: 114_750, dueAt: NOW },
      { name: '售后期满 After-sales period over', amount: 12_751, dueAt: NOW + 3 * 86_400_000 },
    ]);
    expect(milestonesFor(1, show)).toEqual([{ name: '演出完成 Show performed', amount: 1, dueAt: NOW }]);
  });

  it('checks a show an operator adds, naming the field', () => {
    const show = parseShowInput({ ...base, onSaleInSeconds: 60 }, NOW, 'strawberry');
    expect(show).toMatchObject({ showId: 'strawberry', onSaleAt: NOW + 60_000, startsAt: NOW + 60_000 + 7 * 86_400_000, admitBatch: 50, admitEveryMs: 10_000 });
    expect(show.endsAt - show.startsAt).toBe(180 * 60_000);
    const fails = (input: unknown) => {
      try {
        parseShowInput(input, NOW, 'x-show');
      } catch (err) {
        return err instanceof ShowInputError ? err.field : 'other';
      }
      return null;
    };
    expect(fails([])).toBe('body');
    expect(fails({ ...base, showId: 'Bad Id' })).toBe('showId');
    expect(fails({ ...base, price: 99.5 })).toBe('price');
    expect(fails({ ...base, oddsPpm: 2_000_000 })).toBe('oddsPpm');
    expect(fails({ ...base, onSaleInSeconds: 600, startsInSeconds: 600 })).toBe('startsInSeconds');
    expect(fails({ ...base, title: '' })).toBe('title');
  });

  it('has a demo catalogue relative to the start, and a clock that only moves ahead', () => {
    const shows = demoShows(NOW);
    expect(shows.every((s) => s.startsAt > NOW && s.endsAt > s.startsAt && s.price >= 60_000)).toBe(true);
    expect(shows.filter((s) => s.onSaleAt > NOW)).toHaveLength(1);
    let wall = NOW;
    const clock = movableClock(() => wall);
    expect(clock.advance(5_000)).toBe(NOW + 5_000);
    wall += 1_000;
    expect(clock.now()).toBe(NOW + 6_000);
    expect(clock.offset()).toBe(5_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
