// @vitest-environment happy-dom
/**
 * The merchant portal's stats and webhook pages: KPIs, the charts' data (drawn by Chart.js in the
 * browser, recorded here), tables, the funnel form with its validation message, the webhook URL
 * form, each delivery attempt and the resend button; loading, empty and error states.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import { fakeFetch, problem, type Recorded } from '../../test-support/fetch.ts';
import MerchantStatsPage from './MerchantStatsPage.vue';
import MerchantWebhooksPage from './MerchantWebhooksPage.vue';

// Chart.js needs a real canvas; record what each chart is given instead.
vi.mock('vue-chartjs', () => {
  const chart = (type: string) =>
    defineComponent({
      props: { data: { type: Object, required: true }, options: { type: Object, default: () => ({}) } },
      setup: (props, { attrs }) => () => h('canvas', { ...attrs, 'data-chart': type, 'data-labels': JSON.stringify(props.data.labels), 'data-values': JSON.stringify(props.data.datasets.map((d: { data: unknown[] }) => d.data)) }),
    });
  return { Line: chart('line'), Bar: chart('bar') };
});

let pinia: Pinia;
const global = () => ({ plugins: [pinia], stubs: { RouterLink: { template: '<a><slot /></a>' } } });
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  localStorage.clear();
});
afterEach(() => vi.unstubAllGlobals());

const stats = {
  appId: 'com.movie',
  env: 'production',
  from: '2026-05-05',
  to: '2026-05-06',
  days: [
    { date: '2026-05-05', calls: 10, errors: 1, payments: 2, paidAmount: 5000, refundedAmount: 0 },
    { date: '2026-05-06', calls: 4, errors: 0, payments: 1, paidAmount: 1250, refundedAmount: 1250 },
  ],
  totals: { calls: 14, errors: 1, payments: 3, paidAmount: 6250, refundedAmount: 1250, errorRate: 1 / 14 },
  capabilities: [{ capability: 'payment.cashier', calls: 3, errors: 1, avgMs: 120.5 }],
  errorCodes: [{ code: 'PIN_INCORRECT', count: 1 }],
  events: [
    { event: 'view_film', count: 9, users: 4 },
    { event: 'choose_seat', count: 5, users: 3 },
    { event: 'pay_order', count: 3, users: 3 },
  ],
  eventSeries: [],
};

describe('MerchantStatsPage', () => {
  it('shows KPIs, charts, tables and a funnel through the reported events', async () => {
    const calls = fakeFetch({
      'GET /api/merchant/apps/com.movie/stats': stats,
      'GET /api/merchant/apps/com.movie/funnel': { appId: 'com.movie', env: 'production', from: 'a', to: 'b', windowHours: 24, steps: [{ event: 'view_film', users: 4, conversion: 1 }, { event: 'choose_seat', users: 3, conversion: 0.75 }, { event: 'pay_order', users: 3, conversion: 0.75 }] },
    });
    const w = mount(MerchantStatsPage, { props: { appId: 'com.movie' }, global: global() });
    await flushPromises();
    expect(w.find('[data-kpi="calls"] .kpi-value').text()).toBe('14');
    expect(w.find('[data-kpi="errorRate"] .kpi-value').text()).toBe('7.1%');
    expect(w.find('[data-kpi="paid"] .kpi-value').text()).toBe('¥62.50');
    const charts = w.findAll('canvas');
    expect(charts.map((c) => c.attributes('data-chart'))).toEqual(['line', 'bar', 'bar']);
    expect(JSON.parse(charts[0]!.attributes('data-labels')!)).toEqual(['05-05', '05-06']);
    expect(JSON.parse(charts[0]!.attributes('data-values')!)).toEqual([[10, 4], [1, 0]]);
    expect(JSON.parse(charts[1]!.attributes('data-values')!)).toEqual([[50, 12.5], [0, 12.5]]);
    expect(charts[0]!.attributes('aria-label')).toBe('每日调用与出错');
    expect(w.find('[data-capability="payment.cashier"]').text()).toContain('120.5 ms');
    expect(w.find('[data-testid="stats-errors"]').text()).toContain('PIN_INCORRECT');

    // The funnel starts from the reported events; a bad list is explained, not sent.
    const steps = w.find<HTMLInputElement>('input[name="steps"]');
    expect(steps.element.value).toBe('view_film, choose_seat, pay_order');
    await steps.setValue('view_film');
    await w.find('[data-testid="funnel"] form').trigger('submit');
    expect(w.find('[data-testid="funnel"] [role="alert"]').text()).toContain('2 到 8 个事件名');
    expect(steps.attributes('aria-invalid')).toBe('true');
    expect(calls.some((c) => c.path.endsWith('/funnel'))).toBe(false);
    await steps.setValue('view_film, choose_seat, pay_order');
    await w.find('[data-testid="funnel"] form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-event="choose_seat"]').text()).toContain('75.0%');
    expect(new URL(calls.at(-1)!.url, 'http://h').searchParams.get('steps')).toBe('view_film,choose_seat,pay_order');

    // Another range reloads the stats.
    await w.findAll('.chip')[1]!.trigger('click');
    await flushPromises();
    const url = new URL(calls.at(-1)!.url, 'http://h');
    expect(url.pathname).toBe('/api/merchant/apps/com.movie/stats');
    const from = Date.parse(url.searchParams.get('from')!);
    expect((Date.parse(url.searchParams.get('to')!) - from) / 86_400_000).toBe(29);
  });

  it('says what to do when there are no calls or events yet, and explains errors', async () => {
    fakeFetch({ 'GET /api/merchant/apps/com.movie/stats': { ...stats, days: [], totals: { calls: 0, errors: 0, payments: 0, paidAmount: 0, refundedAmount: 0, errorRate: 0 }, capabilities: [], errorCodes: [], events: [] } });
    const w = mount(MerchantStatsPage, { props: { appId: 'com.movie' }, global: global() });
    await flushPromises();
    expect(w.text()).toContain('小程序上线并被使用后，数据会出现在这里');
    expect(w.text()).toContain('lily.marketing.analytics.reportEvent');

    fakeFetch({ 'GET /api/merchant/apps/com.other/stats': problem(404, 'NOT_FOUND') });
    const other = mount(MerchantStatsPage, { props: { appId: 'com.other' }, global: global() });
    await flushPromises();
    expect(other.find('[role="alert"]').attributes('data-code')).toBe('NOT_FOUND');
  });
});

describe('MerchantWebhooksPage', () => {
  const app = { appId: 'com.movie', merchantId: 'm', name: '百合影城', description: '', category: 'tickets', icon: '', status: 'live', statusReason: null, createdAt: 'x', releases: { sandbox: null, production: null }, webhookUrl: null };
  const notification = (status: string, attempts: { httpStatus: number | null; error: string | null }[]) => ({
    id: 'ntf_1',
    eventType: 'payment.succeeded',
    resourceId: 'ord_1',
    status,
    attempts: attempts.map((a, i) => ({ at: Date.UTC(2026, 4, 1, 4, i), ms: 15.4, ...a })),
    createdAt: '2026-05-01T04:00:00Z',
    nextAttemptAt: status === 'pending' ? '2026-05-01T04:05:00Z' : null,
    deliveredAt: null,
    acknowledgedAt: null,
  });

  it('shows every attempt, resends, and sets the URL after checking it', async () => {
    let list = [notification('pending', [{ httpStatus: 503, error: 'HTTP 503' }, { httpStatus: null, error: 'ECONNREFUSED' }])];
    let url: string | null = null;
    const calls = fakeFetch({
      'GET /api/merchant/apps/com.movie': () => ({ app: { ...app, webhookUrl: url }, applications: [] }),
      'GET /api/merchant/apps/com.movie/notifications': () => ({ notifications: list }),
      'POST /api/merchant/apps/com.movie/notifications/ntf_1/resend': () => {
        list = [notification('delivered', [{ httpStatus: 503, error: 'HTTP 503' }, { httpStatus: null, error: 'ECONNREFUSED' }, { httpStatus: 200, error: null }])];
        return { id: 'ntf_1', status: 'pending' };
      },
      'PUT /api/merchant/apps/com.movie/webhook': (req: Recorded) => {
        url = (req.body as { url: string }).url;
        return { appId: 'com.movie', webhookUrl: url };
      },
    });
    const w = mount(MerchantWebhooksPage, { props: { appId: 'com.movie' }, global: global() });
    await flushPromises();
    expect(w.text()).toContain('尚未设置通知地址');
    const row = w.find('[data-notification-id="ntf_1"]');
    expect(row.text()).toContain('payment.succeeded');
    expect(row.text()).toContain('待发送');
    const toggle = row.find('[aria-expanded]');
    expect(toggle.text()).toBe('2 次尝试');
    await toggle.trigger('click');
    expect(toggle.attributes('aria-expanded')).toBe('true');
    const attempts = w.findAll('[data-testid="attempts-ntf_1"] tbody tr');
    expect(attempts.map((a) => a.findAll('td').slice(1).map((td) => td.text()))).toEqual([
      ['503', 'HTTP 503', '15 ms'],
      ['—', 'ECONNREFUSED', '15 ms'],
    ]);

    const resend = row.find('[data-action="resend"]');
    expect(resend.attributes('aria-label')).toBe('重新发送通知 ntf_1');
    await resend.trigger('click');
    await flushPromises();
    expect(w.find('[role="status"]').text()).toBe('已重新排队，稍后会再次发送。');
    expect(w.find('[data-notification-id="ntf_1"]').attributes('data-status')).toBe('delivered');
    expect(w.findAll('[data-testid="attempts-ntf_1"] tbody tr')).toHaveLength(3);

    const input = w.find<HTMLInputElement>('input[name="webhookUrl"]');
    await input.setValue('ftp://nope');
    await input.element.form!.dispatchEvent(new Event('submit'));
    await flushPromises();
    expect(w.text()).toContain('请填写以 http:// 或 https:// 开头的完整地址。');
    expect(input.attributes('aria-invalid')).toBe('true');
    await input.setValue('https://movie.example/lily/webhook');
    await input.element.form!.dispatchEvent(new Event('submit'));
    await flushPromises();
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ url: 'https://movie.example/lily/webhook' }]);
    expect(w.text()).not.toContain('尚未设置通知地址');
  });

  it('has an empty state that says when notifications appear', async () => {
    fakeFetch({
      'GET /api/merchant/apps/com.movie': { app, applications: [] },
      'GET /api/merchant/apps/com.movie/notifications': { notifications: [] },
    });
    const w = mount(MerchantWebhooksPage, { props: { appId: 'com.movie' }, global: global() });
    await flushPromises();
    expect(w.find('.state-empty').text()).toContain('用户付款、退款后，通知会出现在这里');
  });
});
