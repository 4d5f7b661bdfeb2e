/**
 * The interface language (Chinese by default, English on request) and the typed translator.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { isErrorCode } from '../../../protocol/errors.ts';
import { inLanguage, type Bilingual } from '../../../protocol/text.ts';
import { ERROR_TEXT } from '../i18n/errors.ts';
import { MESSAGES, type Locale, type MessageKey } from '../i18n/messages.ts';

const STORAGE_KEY = 'lily.locale';

function initialLocale(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved === 'zh' || saved === 'en') return saved;
  } catch {
    // storage may be unavailable (private mode): fall back to the default
  }
  return 'zh';
}

function lookup(tree: unknown, key: string): string | undefined {
  let node = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * The locale store.
 *
 * @example
 * ```ts
 * const l = useLocaleStore();
 * l.t('shell.home.searchPlaceholder');
 * l.t('common.minutesAgo', { n: 3 });
 * ```
 */
export const useLocaleStore = defineStore('locale', () => {
  const locale = ref<Locale>(initialLocale());

  /** The text of `key` in the current language, with `{name}` placeholders filled. */
  function t(key: MessageKey, params: Record<string, string | number> = {}): string {
    const text = lookup(MESSAGES[locale.value], key) ?? lookup(MESSAGES.zh, key) ?? key;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  }

  /** A text the server sent in both languages (purposes, scope descriptions), in the current one. */
  function text(value: Bilingual): string {
    return inLanguage(value, locale.value);
  }

  /** What an error means and what to do next, from its stable code. */
  function errorText(err: unknown): string {
    const code = (err as { code?: unknown } | null)?.code;
    if (isErrorCode(code)) return ERROR_TEXT[code][locale.value];
    return ERROR_TEXT.INTERNAL[locale.value];
  }

  function setLocale(next: Locale): void {
    locale.value = next;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, next);
    } catch {
      // not persisted: fine
    }
    if (typeof document !== 'undefined') document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  }

  /** An amount in fen as yuan, e.g. `¥12.50`. */
  function money(fen: number): string {
    const sign = fen < 0 ? '-' : '';
    const abs = Math.abs(fen);
    return `${sign}¥${Math.floor(abs / 100).toLocaleString(locale.value === 'zh' ? 'zh-CN' : 'en-US')}.${String(abs % 100).padStart(2, '0')}`;
  }

  /** A date and time in the current language. */
  function dateTime(value: string | number | Date): string {
    const d = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(d.getTime())) return '—';
    return d.toLocaleString(locale.value === 'zh' ? 'zh-CN' : 'en-GB', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  }

  return { locale, t, text, errorText, setLocale, money, dateTime };
});
