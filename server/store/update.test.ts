import * as mingoOps from 'mingo/operators/update';
import { describe, expect, it } from 'vitest';
import type { Doc } from './types.ts';
import { applyUpdate, assertUpdateDoc, filterId, upsertSeed, withUpsertId } from './update.ts';

const doc = (fields: Record<string, unknown>): Doc => ({ _id: 'd', ...fields });

describe('update documents', () => {
  it('rejects replacements, empty updates, unknown operators and conflicting paths', () => {
    expect(() => assertUpdateDoc({})).toThrow(/atomic operators/);
    expect(() => assertUpdateDoc({ a: 1 })).toThrow(/atomic operators/);
    expect(() => assertUpdateDoc({ $frobnicate: { a: 1 } })).toThrow(/Unknown update operator/);
    expect(() => assertUpdateDoc({ $set: { a: 1 }, $inc: { 'a.b': 1 } })).toThrow(/conflict/);
    expect(() => assertUpdateDoc({ $set: { a: 1 }, $setOnInsert: { a: 2 } })).toThrow(/conflict/);
    expect(() => assertUpdateDoc({ $set: 1 })).toThrow(/non-object/);
    expect(() => assertUpdateDoc({ $set: { a: 1 }, $setOnInsert: { b: 2 }, $inc: { c: 1 } })).not.toThrow();
  });

  it('reports whether anything changed', () => {
    const d = doc({ n: 1, tags: ['a'] });
    expect(applyUpdate(d, { $set: { n: 1 } }, {}, false)).toBe(false);
    expect(applyUpdate(d, { $addToSet: { tags: 'a' } }, {}, false)).toBe(false);
    expect(applyUpdate(d, { $inc: { n: 1 } }, {}, false)).toBe(true);
    expect(d).toEqual({ _id: 'd', n: 2, tags: ['a'] });
  });

  it('applies a $set of top-level scalars and dates exactly as mingo does', () => {
    const values: unknown[] = ['a', 'b', '', 0, 1, 1.5, -2, true, false, null, new Date(1_000), new Date(2_000)];
    const pick = (i: number) => values[i % values.length];
    let changedSome = 0;
    for (let i = 0; i < 500; i++) {
      const base: Record<string, unknown> = {};
      const set: Record<string, unknown> = {};
      for (const [k, field] of ['a', 'b', 'c'].entries()) {
        if ((i + k) % 3 !== 0) base[field] = pick(i * 7 + k);
        if ((i + k) % 2 === 0) set[field] = pick(i * 5 + k * 3);
      }
      if (Object.keys(set).length === 0) continue;
      const fast = doc(structuredClone(base));
      const reference = doc(structuredClone(base));
      const changed = applyUpdate(fast, { $set: set }, {}, false);
      const referenceChanged = (mingoOps.$set as (e: Record<string, unknown>) => (o: object) => string[])(structuredClone(set))(reference).length > 0;
      expect(fast).toEqual(reference);
      expect(changed).toBe(referenceChanged);
      if (changed) changedSome++;
    }
    expect(changedSome).toBeGreaterThan(100);
    // Dates are compared by time and copied, not shared with the caller.
    const when = new Date(5_000);
    const d = doc({ at: new Date(5_000) });
    expect(applyUpdate(d, { $set: { at: when } }, {}, false)).toBe(false);
    expect(applyUpdate(d, { $set: { at: new Date(6_000) } }, {}, false)).toBe(true);
    const e = doc({});
    applyUpdate(e, { $set: { at: when } }, {}, false);
    expect(e.at).toEqual(when);
    expect(e.at).not.toBe(when);
  });

  it('applies $setOnInsert only when inserting', () => {
    const existing = doc({ n: 1 });
    expect(applyUpdate(existing, { $setOnInsert: { created: true } }, {}, false)).toBe(false);
    expect(existing).toEqual({ _id: 'd', n: 1 });
    const fresh = doc({});
    applyUpdate(fresh, { $setOnInsert: { created: true }, $set: { n: 1 } }, {}, true);
    expect(fresh).toEqual({ _id: 'd', created: true, n: 1 });
  });

  it('keeps _id immutable but lets an insert choose it', () => {
    expect(() => applyUpdate(doc({}), { $set: { _id: 'other' } }, {}, false)).toThrow(/immutable field '_id'/);
    expect(applyUpdate(doc({ n: 1 }), { $set: { _id: 'd', n: 2 } }, {}, false)).toBe(true);
    expect(() => applyUpdate(doc({}), { $unset: { _id: '' } }, {}, false)).toThrow(/immutable/);
    const seed = {} as Doc;
    applyUpdate(seed, { $setOnInsert: { _id: 'chosen' } }, {}, true);
    expect(seed._id).toBe('chosen');
  });

  it('rejects $inc on a non-number, as MongoDB does', () => {
    expect(() => applyUpdate(doc({ s: 'x' }), { $inc: { s: 1 } }, {}, false)).toThrow(/non-numeric/);
    expect(() => applyUpdate(doc({ s: null }), { $inc: { s: 1 } }, {}, false)).toThrow(/non-numeric/);
    expect(() => applyUpdate(doc({}), { $inc: { s: 'one' } }, {}, false)).toThrow(/non-numeric argument/);
  });

  it('supports the positional $ operator through the filter', () => {
    const d = doc({ items: [{ k: 1, q: 1 }, { k: 2, q: 1 }] });
    applyUpdate(d, { $inc: { 'items.$.q': 5 } }, { 'items.k': 2 }, false);
    expect(d.items).toEqual([{ k: 1, q: 1 }, { k: 2, q: 6 }]);
  });

  it('builds the upsert seed from filter equalities, expanding dotted paths and copying values', () => {
    const tags = ['a'];
    const seed = upsertSeed({ a: 1, 'b.c': 'x', d: { $eq: 2 }, e: { $gt: 1 }, $and: [{ f: true }], $or: [{ g: 1 }], tags, r: /x/ });
    expect(seed).toEqual({ a: 1, b: { c: 'x' }, d: 2, f: true, tags: ['a'] });
    expect(seed.tags).not.toBe(tags);
  });

  it('adds a string _id to upserts whose filter and update do not choose one', () => {
    expect(filterId({ _id: 'x' })).toBe('x');
    expect(filterId({ $and: [{ _id: { $eq: 'y' } }] })).toBe('y');
    expect(filterId({ _id: { $in: ['x'] } })).toBeUndefined();
    expect(withUpsertId({ _id: 'x' }, { $set: { a: 1 } }, () => 'new')).toEqual({ $set: { a: 1 } });
    expect(withUpsertId({ a: 1 }, { $setOnInsert: { _id: 'mine' } }, () => 'new')).toEqual({ $setOnInsert: { _id: 'mine' } });
    expect(withUpsertId({ a: 1 }, { $set: { b: 1 }, $setOnInsert: { c: 1 } }, () => 'new')).toEqual({
      $set: { b: 1 },
      $setOnInsert: { c: 1, _id: 'new' },
    });
  });
});
