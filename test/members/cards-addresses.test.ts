/**
 * member.card, member.address and member.invoice: card templates (sandbox self-service,
 * production review), cards added only after the host sheet, one per user and template, updated
 * by the merchant; addresses and invoice titles shared one at a time from the host picker, with
 * consent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMemberDemo } from '../../server/members/seed.ts';
import { codeOf, createKit, T0, type Kit } from './kit.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit();
  await seedMemberDemo(kit.store, kit.members, { alice: 'alice', bob: 'bob' }, T0);
});
afterAll(() => kit.dispose());

const template = { title: '星光影城会员卡', logoUrl: 'https://cdn.cinema.example/logo.png', color: 'gold', benefits: ['观影9折'], hasPoints: true } as const;

describe('member.card', () => {
  it('adds a card after the host sheet, once per user and template, and lists it', async () => {
    const { templateId, status } = await kit.op('createCardTemplate', kit.merchant(), { ...template });
    expect(status).toBe('active');
    expect(await codeOf(kit.call(kit.user('alice'), 'member.card', 'addCard', { templateId }))).toBe('USER_CANCELLED');
    const ctx = kit.user('alice', { host: { confirmed: true } });
    const card = await kit.call(ctx, 'member.card', 'addCard', { templateId, code: '8800-1234-5678' });
    expect(card).toEqual({ cardId: card.cardId, templateId, title: '星光影城会员卡', code: '8800-1234-5678', level: '', points: 0, addedAt: T0 });
    expect(await codeOf(kit.call(ctx, 'member.card', 'addCard', { templateId }))).toBe('DUPLICATE');
    const racing = await Promise.all(Array.from({ length: 5 }, () => codeOf(kit.call(kit.user('bob', { host: { confirmed: true } }), 'member.card', 'addCard', { templateId }))));
    expect(racing.filter((r) => r === 'resolved')).toHaveLength(1);
    expect(await kit.call(kit.user('alice'), 'member.card', 'getCards')).toEqual({ cards: [card] });
    expect(await kit.call(kit.user('alice', { appId: 'other-app' }), 'member.card', 'getCards')).toEqual({ cards: [] });
    expect(await codeOf(kit.call(kit.user('alice', { appId: 'other-app', host: { confirmed: true } }), 'member.card', 'addCard', { templateId }))).toBe('NOT_FOUND');

    const updated = await kit.op('updateCard', kit.merchant(), { cardId: card.cardId, openId: kit.openId('alice'), level: '金卡', points: 320 });
    expect(updated).toMatchObject({ level: '金卡', points: 320 });
    expect(await codeOf(kit.op('updateCard', kit.merchant(), { cardId: card.cardId, openId: kit.openId('bob'), level: '银卡' }))).toBe('NOT_FOUND');
    expect(await codeOf(kit.op('updateCard', kit.merchant('other-app'), { cardId: card.cardId, openId: kit.openId('alice'), level: '银卡' }))).toBe('NOT_FOUND');
    expect(await kit.members.cards.cardPack(kit.store, 'sandbox', 'alice')).toEqual([{ ...updated, appId: 'demo-app' }]);
    await kit.members.cards.removeCard(kit.store, 'sandbox', 'alice', card.cardId, T0);
    expect(await codeOf(kit.op('updateCard', kit.merchant(), { cardId: card.cardId, openId: kit.openId('alice'), level: '银卡' }))).toBe('NOT_FOUND');
    // Removed, the user may add the card again.
    await kit.call(ctx, 'member.card', 'addCard', { templateId });
  });

  it('keeps production templates in review until ops approve them, and limits templates per app', async () => {
    const m = kit.merchant('demo-app', 'production');
    const { templateId, status } = await kit.op('createCardTemplate', m, { ...template });
    expect(status).toBe('pending_review');
    const ctx = kit.user('alice', { env: 'production', host: { confirmed: true } });
    expect(await codeOf(kit.call(ctx, 'member.card', 'addCard', { templateId }))).toBe('INVALID_STATE');
    await kit.members.cards.reviewTemplate(kit.store, { templateId, approve: true, at: T0 });
    expect((await kit.call(ctx, 'member.card', 'addCard', { templateId })).templateId).toBe(templateId);
    expect(await codeOf(kit.members.cards.reviewTemplate(kit.store, { templateId, approve: true, at: T0 }))).toBe('NOT_FOUND');
    for (let i = 1; i < 20; i++) await kit.op('createCardTemplate', m, { ...template, title: `卡${i}` });
    expect(await codeOf(kit.op('createCardTemplate', m, { ...template }))).toBe('LIMIT_EXCEEDED');
  });
});

describe('member.address and member.invoice', () => {
  it('share only the picked entry, with consent; nothing without a pick', async () => {
    const book = await kit.members.addresses.list(kit.store, 'alice');
    expect(book).toHaveLength(2);
    expect(await codeOf(kit.call(kit.user('alice', { host: { pickedId: book[1]!.id } }), 'member.address', 'chooseAddress'))).toBe('CONSENT_REQUIRED');
    await kit.consent('alice', 'scope.address');
    expect(await codeOf(kit.call(kit.user('alice'), 'member.address', 'chooseAddress'))).toBe('USER_CANCELLED');
    expect(await codeOf(kit.call(kit.user('alice', { host: { confirmed: false, pickedId: book[1]!.id } }), 'member.address', 'chooseAddress'))).toBe('USER_CANCELLED');
    const { id: _id, ...second } = book[1]!;
    expect(await kit.call(kit.user('alice', { host: { confirmed: true, pickedId: book[1]!.id } }), 'member.address', 'chooseAddress')).toEqual(second);
    const bobs = await kit.members.addresses.list(kit.store, 'bob');
    expect(await codeOf(kit.call(kit.user('alice', { host: { confirmed: true, pickedId: bobs[0]!.id } }), 'member.address', 'chooseAddress'))).toBe('NOT_FOUND');
  });

  it('lets the user manage the address book', async () => {
    const id = await kit.members.addresses.save(kit.store, 'alice', { recipientName: '李小花', phoneNumber: '13800138000', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路1号', postalCode: '310012' });
    await kit.members.addresses.save(kit.store, 'alice', { recipientName: '李小花', phoneNumber: '13800138000', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路2号', postalCode: '310012' }, { id });
    expect((await kit.members.addresses.list(kit.store, 'alice')).find((a) => a.id === id)?.detail).toBe('文三路2号');
    expect(await codeOf(kit.members.addresses.save(kit.store, 'alice', { recipientName: '', phoneNumber: 'x' }))).toBe('INVALID_PARAMS');
    expect(await codeOf(kit.members.addresses.remove(kit.store, 'bob', id))).toBe('NOT_FOUND');
    await kit.members.addresses.remove(kit.store, 'alice', id);
    expect(await kit.members.addresses.list(kit.store, 'alice')).toHaveLength(2);
  });

  it('shares the picked invoice title with consent', async () => {
    const titles = await kit.members.invoiceTitles.list(kit.store, 'alice');
    const company = titles.find((t) => t.type === 'company')!;
    expect(await codeOf(kit.call(kit.user('alice', { host: { confirmed: true, pickedId: company.id } }), 'member.invoice', 'chooseInvoiceTitle'))).toBe('CONSENT_REQUIRED');
    await kit.consent('alice', 'scope.invoice');
    expect(await codeOf(kit.call(kit.user('alice'), 'member.invoice', 'chooseInvoiceTitle'))).toBe('USER_CANCELLED');
    expect(await kit.call(kit.user('alice', { host: { confirmed: true, pickedId: company.id } }), 'member.invoice', 'chooseInvoiceTitle')).toEqual({
      type: 'company', title: '上海百合科技有限公司', taxNumber: '91310000MA1K3XYZ2A', companyAddress: '', telephone: '', bankName: '', bankAccount: '',
    });
  });
});
