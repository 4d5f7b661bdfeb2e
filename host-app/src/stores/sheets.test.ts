import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { useSheetsStore } from './sheets.ts';

const sheet = { appId: 'a', appName: 'A', appIcon: '', scope: 'scope.wallet', title: 'Wallet', titleZh: '钱包', description: { zh: '', en: '' }, purpose: { zh: '', en: '' }, reasons: [] };

describe('sheets store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('shows one sheet at a time, in order, and resolves each with its answer', async () => {
    const sheets = useSheetsStore();
    const first = sheets.show('consent', { sheet });
    const second = sheets.show('modal', { appName: 'A', content: 'Sure?', showCancel: true });
    expect(sheets.active?.kind).toBe('consent');
    expect(sheets.queue).toHaveLength(2);
    sheets.answer('modal', { confirm: true }); // not on top: ignored
    expect(sheets.active?.kind).toBe('consent');
    sheets.answer('consent', { granted: true });
    expect(await first).toEqual({ granted: true });
    expect(sheets.active?.kind).toBe('modal');
    sheets.answer('modal', { confirm: true });
    expect(await second).toEqual({ confirm: true });
    expect(sheets.active).toBeNull();
  });

  it('dismissing answers as if the user closed the sheet', async () => {
    const sheets = useSheetsStore();
    const consent = sheets.show('consent', { sheet });
    const cashier = sheets.show('scan', { appName: 'A' });
    sheets.dismiss();
    expect(await consent).toEqual({ granted: false });
    sheets.dismissAll();
    expect(await cashier).toEqual({ cancel: true });
    expect(sheets.queue).toHaveLength(0);
  });
});
