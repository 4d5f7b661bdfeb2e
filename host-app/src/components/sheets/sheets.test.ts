// @vitest-environment happy-dom
/**
 * Host sheets: the consent sheet shows the purpose and what is shared in the user's language
 * (Chinese by default, English on request), from the server's bilingual data; the cashier offers
 * the user's coupons (the best one chosen), shows what will be paid, and answers with the coupon.
 */
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CashierSummary, ConsentSheetData } from '../../api/types.ts';
import { useLocaleStore } from '../../stores/locale.ts';
import { useSheetsStore } from '../../stores/sheets.ts';
import CashierSheet from './CashierSheet.vue';
import ConsentSheet from './ConsentSheet.vue';

let pinia: Pinia;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  localStorage.clear();
  document.body.innerHTML = '';
});

const sheet: ConsentSheetData = {
  appId: 'com.ride',
  appName: '百合出行',
  appIcon: '',
  scope: 'scope.location',
  title: 'Location',
  titleZh: '位置信息',
  description: { zh: '设备的当前位置。', en: "The device's current location." },
  purpose: { zh: '查找您附近的地点，例如上车点或影院。', en: 'Find places near you, such as a pick-up point or a cinema.' },
  reasons: ['为您推荐最近的上车点'],
};

describe('ConsentSheet', () => {
  it('shows the purpose in Chinese by default and in English on request', async () => {
    const w = mount(ConsentSheet, { props: { request: { sheet } }, global: { plugins: [pinia] }, attachTo: document.body });
    expect(w.find('[data-testid="consent-purpose"]').text()).toBe('查找您附近的地点，例如上车点或影院。');
    expect(w.find('.consent-scope-desc').text()).toBe('设备的当前位置。');
    expect(w.text()).toContain('为您推荐最近的上车点');
    useLocaleStore().setLocale('en');
    await w.vm.$nextTick();
    expect(w.find('[data-testid="consent-purpose"]').text()).toBe('Find places near you, such as a pick-up point or a cinema.');
    expect(w.find('.consent-scope-title').text()).toBe('Location');
    w.unmount();
  });

  it('answers with the user’s choice', async () => {
    const sheets = useSheetsStore();
    const answer = sheets.show('consent', { sheet });
    const w = mount(ConsentSheet, { props: { request: { sheet } }, global: { plugins: [pinia] }, attachTo: document.body });
    await w.find('[data-action="allow"]').trigger('click');
    expect(await answer).toEqual({ granted: true });
    w.unmount();
  });
});

describe('CashierSheet', () => {
  const summary = (coupons: CashierSummary['coupons']): CashierSummary =>
    ({
      orderId: 'ord_1',
      appId: 'com.movie',
      appName: '百合影城',
      merchantName: '百合影城有限公司',
      description: '电影票 2 张',
      amount: 2500,
      expiresAt: 0,
      env: 'production',
      balance: 100_000,
      cards: [],
      installmentPlans: [],
      installmentMinAmount: 60_000,
      coupons,
    }) as CashierSummary;

  it('chooses the best coupon, shows what will be paid, and answers with the coupon the user kept', async () => {
    const sheets = useSheetsStore();
    const s = summary([
      { couponId: 'cp_big', title: '满20减5', discountAmount: 500, thresholdAmount: 2000, validUntil: 1 },
      { couponId: 'cp_small', title: '无门槛减2', discountAmount: 200, thresholdAmount: 0, validUntil: 1 },
    ]);
    const answer = sheets.show('cashier', { summary: s });
    const w = mount(CashierSheet, { props: { request: { summary: s } }, global: { plugins: [pinia] }, attachTo: document.body });
    const radios = w.findAll<HTMLInputElement>('[data-testid="cashier-coupons"] input[type="radio"]');
    expect(radios).toHaveLength(3);
    expect(radios[0]!.element.checked).toBe(true);
    expect(w.find('[data-action="pay"]').text()).toBe('确认支付 ¥20.00');
    await radios[1]!.setValue(true);
    expect(w.find('[data-action="pay"]').text()).toBe('确认支付 ¥23.00');
    await radios[2]!.setValue(true);
    expect(w.find('[data-action="pay"]').text()).toBe('确认支付 ¥25.00');
    await radios[1]!.setValue(true);
    await w.find('.pin-real').setValue('123456');
    await w.find('form.cashier-pin').trigger('submit');
    expect(await answer).toEqual({ pin: '123456', cardId: null, installmentTerm: null, couponId: 'cp_small' });
    w.unmount();
  });

  it('keeps the bank campaign when it saves more than the best coupon, naming it as the alternative', async () => {
    const s = { ...summary([{ couponId: 'cp_small', title: '无门槛减2', discountAmount: 200, thresholdAmount: 0, validUntil: 1 }]), campaign: { campaignId: 'cmp1', title: '百合卡支付满30减5', type: 'threshold' as const, discountAmount: 500 } };
    const w = mount(CashierSheet, { props: { request: { summary: s } }, global: { plugins: [pinia] }, attachTo: document.body });
    const radios = w.findAll<HTMLInputElement>('[data-testid="cashier-coupons"] input[type="radio"]');
    expect(radios[1]!.element.checked).toBe(true);
    expect(radios[1]!.element.closest('label')!.textContent).toContain('不用券，享「百合卡支付满30减5」');
    expect(w.find('.cashier-discount').text()).toBe('「百合卡支付满30减5」预计立减 ¥5.00，以支付结果为准。');
    expect(w.find('[data-action="pay"]').text()).toBe('确认支付 ¥25.00');
    await radios[0]!.setValue(true);
    expect(w.find('[data-action="pay"]').text()).toBe('确认支付 ¥23.00');
    w.unmount();
  });

  it('offers no coupon choice when there are none', () => {
    const w = mount(CashierSheet, { props: { request: { summary: summary([]) } }, global: { plugins: [pinia] }, attachTo: document.body });
    expect(w.find('[data-testid="cashier-coupons"]').exists()).toBe(false);
    expect(w.find('[data-action="pay"]').text()).toBe('确认支付 ¥25.00');
    w.unmount();
  });
});
