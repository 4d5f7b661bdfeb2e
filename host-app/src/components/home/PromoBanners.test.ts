// @vitest-environment happy-dom
/**
 * The home page's promotions: approved placements as buttons that lead to their app (counted as
 * taps), bank campaigns with their rules and the apps they apply in, and nothing at all (no empty
 * frame) when there is nothing to promote.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, problem } from '../../test-support/fetch.ts';
import { useLocaleStore } from '../../stores/locale.ts';
import PromoBanners from './PromoBanners.vue';

let pinia: Pinia;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  localStorage.clear();
});
afterEach(() => vi.unstubAllGlobals());

const until = Date.UTC(2026, 11, 31, 4);
const promotions = {
  placements: [
    { placementId: 'p1', appId: 'com.movie', appName: '百合影城', appIcon: '', slot: 'home_banner', title: '新片首映 8 折', imageUrl: 'https://img.example/a.png', path: 'pages/film/index?id=7' },
    { placementId: 'p2', appId: 'com.hotel', appName: '百合酒店', appIcon: '', slot: 'home_grid', title: '周末特价房', imageUrl: '', path: 'pages/index/index' },
  ],
  campaigns: [
    { campaignId: 'cmp1', kind: 'discount', title: '影城专享立减', type: 'instant', discountAmount: 300, thresholdAmount: 0, cashbackRateBps: null, payMethods: ['balance'], perUserDaily: 1, validUntil: until, apps: [{ appId: 'com.movie', appName: '百合影城' }] },
    { campaignId: 'cmp2', kind: 'cashback', title: '出行返现', type: 'instant', discountAmount: 2000, thresholdAmount: 1000, cashbackRateBps: 100, payMethods: ['balance'], perUserDaily: 3, validUntil: until, apps: null },
  ],
};

describe('PromoBanners', () => {
  it('shows placements and campaigns that lead to their apps', async () => {
    const calls = fakeFetch({ 'GET /api/me/promotions': promotions, 'POST /api/me/promotions/p1/events': { status: 204 }, 'POST /api/me/promotions/p2/events': { status: 204 } });
    const w = mount(PromoBanners, { global: { plugins: [pinia] } });
    await flushPromises();
    const banner = w.find('[data-placement-id="p1"]');
    expect(banner.element.tagName).toBe('BUTTON');
    expect(banner.attributes('aria-label')).toBe('打开「百合影城」：新片首映 8 折');
    expect(banner.find('img').attributes('alt')).toBe('');
    await banner.trigger('click');
    expect(w.emitted('open')?.[0]).toEqual([{ appId: 'com.movie', path: 'pages/film/index', query: { id: '7' } }]);
    // A picture that fails to load leaves the text on the brand colour.
    await banner.find('img').trigger('error');
    expect(w.find('[data-placement-id="p1"] img').exists()).toBe(false);
    expect(w.find('[data-placement-id="p2"]').text()).toContain('周末特价房');

    const discount = w.find('[data-campaign-id="cmp1"]');
    expect(discount.find('.campaign-benefit').text()).toBe('立减 ¥3.00');
    expect(discount.find('.campaign-rules').text()).toContain('无门槛 · 每天限 1 次');
    await discount.find('button').trigger('click');
    expect(w.emitted('open')?.[1]).toEqual([{ appId: 'com.movie', query: {} }]);
    const cashback = w.find('[data-campaign-id="cmp2"]');
    expect(cashback.find('.campaign-benefit').text()).toBe('返现 1%');
    expect(cashback.text()).toContain('满 ¥10.00 可用');
    expect(cashback.text()).toContain('全部小程序可用');
    await cashback.find('a').trigger('click');
    expect(w.emitted('browse')).toHaveLength(1);
    await flushPromises();
    expect(calls.filter((c) => c.method === 'POST').map((c) => `${c.path} ${(c.body as { kind: string }).kind}`)).toEqual([
      '/api/me/promotions/p1/events impression',
      '/api/me/promotions/p2/events impression',
      '/api/me/promotions/p1/events click',
    ]);
  });

  it('renders nothing without promotions, and an error with a retry when they fail', async () => {
    fakeFetch({ 'GET /api/me/promotions': { placements: [], campaigns: [] } });
    const empty = mount(PromoBanners, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(empty.find('section').exists()).toBe(false);

    setActivePinia((pinia = createPinia()));
    fakeFetch({ 'GET /api/me/promotions': problem(503, 'UNAVAILABLE') });
    useLocaleStore().setLocale('en');
    const failed = mount(PromoBanners, { global: { plugins: [pinia] } });
    await flushPromises();
    const alert = failed.find('[role="alert"]');
    expect(alert.text()).toContain('Check the network and try again.');
    expect(alert.find('button').text()).toBe('Try again');
    fakeFetch({ 'GET /api/me/promotions': promotions });
    await alert.find('button').trigger('click');
    await flushPromises();
    expect(failed.find('[data-campaign-id="cmp2"] .campaign-benefit').text()).toBe('1% cashback');
  });
});
