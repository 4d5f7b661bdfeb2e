// @vitest-environment happy-dom
/**
 * The "me" page's points, coupons and inbox as the user sees them: loading, empty and error
 * states that say what to do next, the data in both languages, and keyboard-usable controls.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { fakeFetch, problem } from '../../test-support/fetch.ts';
import { useInboxStore } from '../../stores/inbox.ts';
import { useLocaleStore } from '../../stores/locale.ts';
import CouponList from './CouponList.vue';
import InboxList from './InboxList.vue';
import PointsCard from './PointsCard.vue';

let pinia: Pinia;
const at = Date.UTC(2026, 4, 1, 4);
const coupon = (id: string, appId: string, appName: string, status: string) => ({ couponId: id, stockId: 's', appId, appName, title: '满20减5', discountAmount: 500, thresholdAmount: 2000, validFrom: 0, validUntil: at, status, orderId: null, issuedAt: 1 });

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  localStorage.clear();
});
afterEach(() => vi.unstubAllGlobals());

describe('PointsCard', () => {
  it('shows the balance, what expires, and the history; more pages on request', async () => {
    const calls = fakeFetch({
      'GET /api/me/points?limit=10': { env: 'production', balance: 1250, expiringPoints: 300, expiringAt: at, history: [{ transactionId: 'pt1', appId: 'com.movie', appName: '百合影城', kind: 'earn', points: 125, delta: 125, balance: 1250, reason: '购票奖励', at }], nextCursor: 'c1' },
      'GET /api/me/points?limit=10&cursor=c1': { env: 'production', balance: 1250, expiringPoints: 300, expiringAt: at, history: [{ transactionId: 'pt0', appId: null, appName: null, kind: 'expire', points: 10, delta: -10, balance: 1125, reason: '积分过期', at }], nextCursor: null },
    });
    const w = mount(PointsCard, { global: { plugins: [pinia] } });
    await nextTick();
    expect(w.find('[role="status"]').text()).toContain('加载中');
    await flushPromises();
    expect(w.find('[data-testid="points-balance"]').text()).toBe('1,250');
    expect(w.text()).toContain('300 积分将于');
    const row = w.find('[data-kind="earn"]');
    expect(row.text()).toContain('购票奖励');
    expect(row.text()).toContain('百合影城');
    expect(row.find('.points-plus').text()).toBe('+125');
    await w.find('button').trigger('click');
    await flushPromises();
    expect(w.find('[data-kind="expire"]').text()).toContain('百合银行');
    expect(w.find('[data-kind="expire"] .points-minus').text()).toBe('−10');
    expect(w.findAll('button')).toHaveLength(0);
    expect(calls).toHaveLength(2);
  });

  it('says there are no points yet, and how to earn them', async () => {
    fakeFetch({ 'GET /api/me/points?limit=10': { env: 'production', balance: 0, expiringPoints: 0, expiringAt: null, history: [], nextCursor: null } });
    const w = mount(PointsCard, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('.state-empty').text()).toContain('在小程序中消费或参加活动即可获得积分');
  });

  it('explains an error and retries', async () => {
    let fail = true;
    fakeFetch({ 'GET /api/me/points?limit=10': () => (fail ? problem(503, 'UNAVAILABLE') : { env: 'production', balance: 7, expiringPoints: 0, expiringAt: null, history: [], nextCursor: null }) });
    const w = mount(PointsCard, { global: { plugins: [pinia] } });
    await flushPromises();
    const alert = w.find('[role="alert"]');
    expect(alert.attributes('data-code')).toBe('UNAVAILABLE');
    fail = false;
    await alert.find('button').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="points-balance"]').text()).toBe('7');
  });
});

describe('CouponList', () => {
  it('groups coupons by app, switches status with pressed buttons, and leads a usable coupon to its app', async () => {
    fakeFetch({
      'GET /api/me/coupons?status=available&limit=50': { env: 'production', coupons: [coupon('c1', 'com.movie', '百合影城', 'available'), coupon('c2', 'com.hotel', '百合酒店', 'locked')], counts: { available: 2, used: 1, expired: 0 }, nextCursor: null },
      'GET /api/me/coupons?status=used&limit=50': { env: 'production', coupons: [coupon('c3', 'com.movie', '百合影城', 'used')], counts: { available: 2, used: 1, expired: 0 }, nextCursor: null },
      'GET /api/me/coupons?status=expired&limit=50': { env: 'production', coupons: [], counts: { available: 2, used: 1, expired: 0 }, nextCursor: null },
    });
    const w = mount(CouponList, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.findAll('.coupon-app').map((a) => a.find('h3').text())).toEqual(['百合影城', '百合酒店']);
    const usable = w.find('[data-coupon-id="c1"]');
    expect(usable.text()).toContain('满 ¥20.00 可用');
    expect(usable.text()).toContain('可使用');
    expect(w.find('[data-coupon-id="c2"]').text()).toContain('订单占用中');
    expect(w.find('[data-coupon-id="c2"] button').exists()).toBe(false);
    const use = usable.find('button');
    expect(use.attributes('aria-label')).toBe('去「百合影城」使用「满20减5」');
    await use.trigger('click');
    expect(w.emitted('open')).toEqual([['com.movie']]);

    const chips = w.findAll('.chip');
    expect(chips.map((c) => c.text())).toEqual(['可使用 2', '已使用 1', '已过期 0']);
    expect(chips[0]!.attributes('aria-pressed')).toBe('true');
    await chips[1]!.trigger('click');
    await flushPromises();
    expect(w.find('[data-coupon-id="c3"]').attributes('data-status')).toBe('used');
    expect(w.find('[data-coupon-id="c3"] button').exists()).toBe(false);
    expect(w.findAll('.chip')[1]!.attributes('aria-pressed')).toBe('true');
    await w.findAll('.chip')[2]!.trigger('click');
    await flushPromises();
    expect(w.find('.state-empty').text()).toBe('没有过期的优惠券。');
  });

  it('speaks English when asked', async () => {
    fakeFetch({ 'GET /api/me/coupons?status=available&limit=50': { env: 'production', coupons: [], counts: { available: 0, used: 0, expired: 0 }, nextCursor: null } });
    useLocaleStore().setLocale('en');
    const w = mount(CouponList, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('h2').text()).toBe('Coupons');
    expect(w.find('.state-empty').text()).toContain('Coupons you claim in mini-apps appear here');
  });
});

describe('InboxList', () => {
  it('shows the history with unread marks, opens a message’s page, and marks messages read', async () => {
    const calls = fakeFetch({
      'GET /api/me/messages?limit=20': {
        messages: [
          { messageId: 'm2', appId: 'com.movie', appName: '百合影城', env: 'production', title: '出票通知', body: '《星海》已出票。', page: 'pages/order/index?id=1', at: '2026-05-01T04:00:00Z', read: false },
          { messageId: 'm1', appId: 'com.movie', appName: '百合影城', env: 'production', title: '退款通知', body: '已退款。', page: null, at: '2026-04-30T04:00:00Z', read: false },
        ],
        unread: 2,
        nextCursor: null,
      },
      'POST /api/me/messages/m2/read': { messageId: 'm2', read: true },
      'POST /api/me/messages/m1/read': { messageId: 'm1', read: true },
    });
    await useInboxStore().loadHistory();
    const w = mount(InboxList, { global: { plugins: [pinia] } });
    expect(w.find('.count-badge').text()).toBe('2');
    expect(w.findAll('.list-row.unread')).toHaveLength(2);
    const open = w.find('[data-message-id="m2"] button');
    expect(open.attributes('aria-label')).toBe('在「百合影城」中查看「出票通知」');
    await open.trigger('click');
    await flushPromises();
    expect(w.emitted('open')?.[0]?.[0]).toMatchObject({ messageId: 'm2', page: 'pages/order/index?id=1' });
    const markOne = w.find('[data-message-id="m1"] button');
    expect(markOne.attributes('aria-label')).toBe('将「退款通知」标为已读');
    await markOne.trigger('click');
    await flushPromises();
    expect(w.findAll('.list-row.unread')).toHaveLength(0);
    expect(w.find('.count-badge').exists()).toBe(false);
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/me/messages/m2/read', '/api/me/messages/m1/read']);
  });

  it('has an empty state that says what will appear, and an error with a retry', async () => {
    fakeFetch({ 'GET /api/me/messages?limit=20': problem(503, 'UNAVAILABLE') });
    await useInboxStore().loadHistory();
    const w = mount(InboxList, { global: { plugins: [pinia] } });
    expect(w.find('[role="alert"]').attributes('data-code')).toBe('UNAVAILABLE');
    expect(w.find('.state-empty').text()).toContain('小程序发来的通知会实时出现在这里');
    fakeFetch({ 'GET /api/me/messages?limit=20': { messages: [], unread: 0, nextCursor: null } });
    await w.find('[role="alert"] button').trigger('click');
    await flushPromises();
    expect(w.find('[role="alert"]').exists()).toBe(false);
  });
});
