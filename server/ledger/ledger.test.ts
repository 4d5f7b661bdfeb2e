import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../capabilities/testing/context.ts';
import type { Store } from '../store/types.ts';
import { accountId, accounts, parseAccountId } from './accounts.ts';
import { ACCOUNTS_COLLECTION, JOURNAL_COLLECTION, Ledger, LedgerError, normalizePostings } from './ledger.ts';

let store: Store;
let dispose: () => Promise<void>;
let ledger: Ledger;
beforeAll(async () => {
  ({ store, dispose } = await openTestStore());
  ledger = new Ledger(store);
  await ledger.init();
});
afterAll(async () => dispose());

const ext = accounts.external('sandbox');
const a = accounts.wallet('sandbox', 'a');
const b = accounts.wallet('sandbox', 'b');
let n = 0;
const post = (postings: { account: string; amount: number }[], env: 'sandbox' | 'production' = 'sandbox', ref = `t:${++n}`) =>
  store.transaction((tx) => ledger.post(tx, { env, kind: 'test', ref, at: 1, postings }));

describe('account ids', () => {
  it('carry the environment, kind and owner, and refuse anything else', () => {
    expect(accountId('production', 'merchant', 'ride-app')).toBe('production:merchant:ride-app');
    expect(parseAccountId('sandbox:submerchant:ride-app:sm_1')).toEqual({ env: 'sandbox', kind: 'submerchant', owner: 'ride-app:sm_1' });
    expect(parseAccountId('staging:wallet:u')).toBeUndefined();
    expect(parseAccountId('sandbox:vault:u')).toBeUndefined();
    expect(() => accountId('sandbox', 'wallet', 'a b')).toThrow(TypeError);
  });
});

describe('post', () => {
  it('books balanced entries, creating accounts on their first credit; only external accounts go negative', async () => {
    await post([{ account: ext, amount: -1000 }, { account: a, amount: 1000 }]);
    await post([{ account: a, amount: -300 }, { account: b, amount: 200 }, { account: b, amount: 100 }]);
    expect(await ledger.balance(a)).toBe(700);
    expect(await ledger.balance(b)).toBe(300);
    expect(await ledger.balance(ext)).toBe(-1000);
    expect((await ledger.account(ext))!.allowNegative).toBe(true);
    expect((await ledger.account(a))!.allowNegative).toBe(false);
    const entry = (await store.collection(JOURNAL_COLLECTION).findOne({ ref: `t:${n}` }))!;
    expect(entry.postings).toEqual([
      { account: a, amount: -300 },
      { account: b, amount: 300 },
    ]);
  });

  it('refuses an overdraft with INSUFFICIENT_FUNDS and rolls the whole transaction back', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.collection('side_effects').insertOne({ _id: 'x' });
        await ledger.post(tx, { env: 'sandbox', kind: 'test', ref: 'overdraft', at: 1, postings: [{ account: b, amount: -301 }, { account: a, amount: 301 }] });
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await ledger.balance(b)).toBe(300);
    expect(await ledger.balance(a)).toBe(700);
    expect(await store.collection('side_effects').countDocuments()).toBe(0);
    expect(await ledger.entry('sandbox', 'overdraft')).toBeNull();
    // An account never credited cannot be debited.
    await expect(post([{ account: accounts.wallet('sandbox', 'nobody'), amount: -1 }, { account: a, amount: 1 }])).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  });

  it('refuses unbalanced, empty, fractional and cross-environment entries, and a ref booked twice', async () => {
    expect(() => normalizePostings({ env: 'sandbox', kind: 't', ref: 'r', at: 1, postings: [{ account: a, amount: -1 }, { account: b, amount: 2 }] })).toThrow(LedgerError);
    expect(() => normalizePostings({ env: 'sandbox', kind: 't', ref: 'r', at: 1, postings: [{ account: a, amount: 5 }, { account: a, amount: -5 }] })).toThrow(/moves nothing/);
    expect(() => normalizePostings({ env: 'sandbox', kind: 't', ref: 'r', at: 1, postings: [{ account: a, amount: 0.5 }, { account: b, amount: -0.5 }] })).toThrow(/integer fen/);
    expect(() => normalizePostings({ env: 'sandbox', kind: 't', ref: 'r', at: 1, postings: [{ account: 'nope', amount: 1 }, { account: b, amount: -1 }] })).toThrow(/not an account/);
    await expect(post([{ account: accounts.external('production'), amount: -5 }, { account: a, amount: 5 }])).rejects.toThrow(/environments never mix/);
    await expect(post([{ account: ext, amount: -5 }, { account: a, amount: 5 }], 'production')).rejects.toThrow(/environments never mix/);
    await post([{ account: ext, amount: -5 }, { account: a, amount: 5 }], 'sandbox', 'once');
    await expect(post([{ account: ext, amount: -5 }, { account: a, amount: 5 }], 'sandbox', 'once')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    // The same ref is a different event in the other environment.
    await post([{ account: accounts.external('production'), amount: -5 }, { account: accounts.wallet('production', 'a'), amount: 5 }], 'production', 'once');
    expect(await ledger.balance(a)).toBe(705);
  });
});

describe('replay and checkInvariants', () => {
  it('reproduce every balance from the journal and report tampering', async () => {
    expect(await ledger.replay()).toMatchObject({ ok: true, mismatches: [] });
    expect((await ledger.checkInvariants()).problems).toEqual([]);
    // A balance edited behind the ledger's back.
    await store.collection(ACCOUNTS_COLLECTION).updateOne({ _id: b }, { $inc: { balance: 1 } });
    expect((await ledger.replay()).mismatches).toEqual([{ account: b, stored: 301, replayed: 300 }]);
    await store.collection(ACCOUNTS_COLLECTION).updateOne({ _id: b }, { $inc: { balance: -1 } });
    // An unbalanced entry and a negative wallet slipped into the store.
    await store.collection(JOURNAL_COLLECTION).insertOne({ _id: 'jrn_bad', env: 'sandbox', kind: 'x', ref: 'bad', appId: null, at: 1, meta: {}, postings: [{ account: b, amount: -400 }] });
    await store.collection(ACCOUNTS_COLLECTION).updateOne({ _id: b }, { $inc: { balance: -400 } });
    const report = await ledger.checkInvariants();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(expect.arrayContaining([expect.stringContaining('postings sum to -400'), expect.stringContaining('negative balance -100')]));
    await store.collection(JOURNAL_COLLECTION).deleteOne({ _id: 'jrn_bad' });
    await store.collection(ACCOUNTS_COLLECTION).updateOne({ _id: b }, { $inc: { balance: 400 } });
    expect((await ledger.checkInvariants()).ok).toBe(true);
  });
});
