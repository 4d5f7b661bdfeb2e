// @vitest-environment happy-dom
/**
 * The developer center's quick start page shows the README's merchant quick start: in English as
 * written there, in Chinese around the same commands, in the same order.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { nextTick, type Component } from 'vue';
import { quickStartSteps } from './readme.ts';

const steps = quickStartSteps(readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8'));
const blocks = steps.flatMap((s) => s.blocks);
// The host app's modules are type-checked by vue-tsc with the DOM library, not by this project's
// tsc: load them by path at run time.
const hostApp = (file: string) => path.resolve(import.meta.dirname, '../../host-app/src', file);

describe('the quick start page', () => {
  for (const language of ['en', 'zh'] as const) {
    it(`shows every command of the README, in order (${language})`, async () => {
      const page = ((await import(hostApp('pages/developers/QuickStartPage.vue'))) as { default: Component }).default;
      const { useLocaleStore } = (await import(hostApp('stores/locale.ts'))) as { useLocaleStore: () => { setLocale(l: 'en' | 'zh'): void } };
      const pinia = createPinia();
      setActivePinia(pinia);
      useLocaleStore().setLocale(language);
      const w = mount(page, { global: { plugins: [pinia] } });
      await nextTick();
      expect(w.findAll('pre[data-lang="sh"]').map((p) => p.text())).toEqual(blocks);
      const headings = w.findAll('h3').map((h) => h.text());
      expect(headings).toHaveLength(steps.length);
      if (language === 'en') expect(headings).toEqual(steps.map((s) => `${s.number}. ${s.title}`));
      else expect(headings.filter((h) => h.includes('浏览器'))).toHaveLength(steps.filter((s) => s.browser).length);
      expect(w.text()).toContain('http://localhost:3000/apps/com.mycoffee.app?env=sandbox');
    });
  }
});
