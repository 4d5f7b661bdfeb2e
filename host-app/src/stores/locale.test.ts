// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../protocol/errors.ts';
import { ERROR_TEXT } from '../i18n/errors.ts';
import { MESSAGES } from '../i18n/messages.ts';
import { useLocaleStore } from './locale.ts';

/** Every leaf key of a message table. */
function leaves(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : leaves(v as object, `${prefix}${k}.`)));
}

describe('locale store', () => {
  beforeEach(() => {
    localStorage.clear();
    setActivePinia(createPinia());
  });

  it('speaks Chinese by default and fills placeholders', () => {
    const l = useLocaleStore();
    expect(l.locale).toBe('zh');
    expect(l.t('shell.home.morning', { name: '李小花' })).toBe('早上好，李小花');
    expect(l.t('sheets.cashier.pay', { amount: '¥12.50' })).toBe('确认支付 ¥12.50');
  });

  it('switches to English and remembers it', () => {
    const l = useLocaleStore();
    l.setLocale('en');
    expect(l.t('shell.tabHome')).toBe('Home');
    expect(localStorage.getItem('lily.locale')).toBe('en');
    setActivePinia(createPinia());
    expect(useLocaleStore().locale).toBe('en');
  });

  it('turns error codes into what to do next, in the current language', () => {
    const l = useLocaleStore();
    expect(l.errorText({ code: 'PIN_INCORRECT' })).toContain('支付密码不正确');
    l.setLocale('en');
    expect(l.errorText({ code: 'INSUFFICIENT_FUNDS' })).toBe('The balance is not enough. Choose a card or top up first.');
    expect(l.errorText(new Error('boom'))).toBe(ERROR_TEXT.INTERNAL.en);
  });

  it('has text for every error code in both languages', () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_TEXT[code].zh.length, code).toBeGreaterThan(1);
      expect(ERROR_TEXT[code].en.length, code).toBeGreaterThan(1);
    }
  });

  it('has the same keys in Chinese and English, none empty', () => {
    expect(leaves(MESSAGES.en).sort()).toEqual(leaves(MESSAGES.zh).sort());
    for (const key of leaves(MESSAGES.zh)) expect(useLocaleStore().t(key as never), key).not.toBe('');
  });

  it('formats money in fen as yuan, and dates', () => {
    const l = useLocaleStore();
    expect(l.money(1250)).toBe('¥12.50');
    expect(l.money(998_750)).toBe('¥9,987.50');
    expect(l.money(-5)).toBe('-¥0.05');
    expect(l.dateTime('not a date')).toBe('—');
  });
});
