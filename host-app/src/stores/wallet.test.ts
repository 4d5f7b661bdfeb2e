import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, problem } from '../test-support/fetch.ts';
import { useWalletStore } from './wallet.ts';

describe('wallet store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('loads balance, cards and orders', async () => {
    fakeFetch({
      'GET /api/me/wallet?env=production': { env: 'production', balance: 998750, currency: 'CNY', cards: [{ cardId: 'c1', bankName: '百合银行', cardType: 'debit', last4: '2235', maskedNumber: '6222 **** **** 2235' }] },
      'GET /api/me/orders?limit=30': { orders: [{ orderId: 'ord_1', appName: '机场快线', status: 'paid' }] },
    });
    const w = useWalletStore();
    await w.load();
    expect(w.wallet?.balance).toBe(998750);
    expect(w.wallet?.cards).toHaveLength(1);
    expect(w.orders[0]).toMatchObject({ orderId: 'ord_1', status: 'paid' });
    expect(w.error).toBeNull();
  });

  it('shows what loaded when one part fails', async () => {
    fakeFetch({ 'GET /api/me/wallet?env=production': { env: 'production', balance: 1, currency: 'CNY', cards: [] }, 'GET /api/me/orders?limit=30': problem(503, 'UNAVAILABLE') });
    const w = useWalletStore();
    await w.load();
    expect(w.wallet?.balance).toBe(1);
    expect(w.orders).toEqual([]);
    expect(w.error).toMatchObject({ code: 'UNAVAILABLE' });
  });
});
