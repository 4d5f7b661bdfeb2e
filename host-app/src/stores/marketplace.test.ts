import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, problem } from '../test-support/fetch.ts';
import { useMarketplaceStore } from './marketplace.ts';

const app = (appId: string, name: string, category = 'travel') => ({ appId, name, description: '', category, icon: '', version: '1.0.0' });

describe('marketplace store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('loads categories once and the live apps, filtered by category and search', async () => {
    const calls = fakeFetch({
      'GET /api/marketplace/categories': { categories: [{ id: 'travel', title: 'Travel', titleZh: '出行' }] },
      'GET /api/marketplace/apps': { apps: [app('a', 'Ride'), app('b', 'Movies', 'tickets')] },
      'GET /api/marketplace/apps?category=travel': { apps: [app('a', 'Ride')] },
      'GET /api/marketplace/apps?category=travel&q=ride': { apps: [app('a', 'Ride')] },
    });
    const m = useMarketplaceStore();
    await m.load();
    expect(m.categories).toHaveLength(1);
    expect(m.apps.map((a) => a.appId)).toEqual(['a', 'b']);
    await m.setCategory('travel');
    await m.setQuery(' ride ');
    expect(m.apps.map((a) => a.appId)).toEqual(['a']);
    await m.load();
    expect(calls.filter((c) => c.path === '/api/marketplace/categories')).toHaveLength(1);
    expect(calls.at(-1)!.url).toBe('/api/marketplace/apps?category=travel&q=ride');
  });

  it('keeps only the newest answer when searches overlap', async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((r) => (release = r));
    vi.stubGlobal('fetch', async (url: string) => {
      const q = new URL(url, 'http://host').searchParams.get('q');
      if (q === 'r') await slow;
      const apps = q === 'ri' ? [app('a', 'Ride')] : q === 'r' ? [app('x', 'Stale')] : [];
      return new Response(JSON.stringify({ apps }), { status: 200 });
    });
    const m = useMarketplaceStore();
    const first = m.setQuery('r');
    await m.setQuery('ri');
    release();
    await first;
    expect(m.apps.map((a) => a.appId)).toEqual(['a']);
    expect(m.loading).toBe(false);
  });

  it('keeps the error so the page can offer a retry', async () => {
    fakeFetch({ 'GET /api/marketplace/categories': { categories: [] }, 'GET /api/marketplace/apps': problem(503, 'UNAVAILABLE') });
    const m = useMarketplaceStore();
    await m.load();
    expect(m.error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(m.loading).toBe(false);
  });
});
