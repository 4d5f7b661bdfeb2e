import { createPinia, setActivePinia } from 'pinia';
import { CATALOG } from '../test-support/catalog.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch } from '../test-support/fetch.ts';
import { useCatalogStore } from './catalog.ts';

const catalogJson = CATALOG;

describe('catalog store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('loads the catalog once and searches ids, Chinese and English titles, methods and routes', async () => {
    const calls = fakeFetch({ 'GET /api/catalog': catalogJson });
    const c = useCatalogStore();
    await Promise.all([c.load(), c.load()]);
    await c.load();
    expect(calls).toHaveLength(1);
    expect(c.search('').length).toBe(48);
    expect(c.search('收银').map((x) => x.id)).toContain('payment.cashier');
    expect(c.search('requestPayment').map((x) => x.id)).toEqual(['payment.cashier']);
    expect(c.search('/open/v1/payments/prepay').map((x) => x.id)).toEqual(['payment.cashier']);
    expect(c.search('scan', 'base').map((x) => x.id)).toEqual(['base.scan']);
    expect(c.search('no such thing at all')).toEqual([]);
    expect(c.byId.get('base.ui')?.side).toBe('host');
  });
});
