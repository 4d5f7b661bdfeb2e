import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { encode } from './serialize.ts';
import { indexDdl, isMultikey, keyExpr, partialSql, planQuery } from './sql.ts';

const all = (): boolean => true;
const none = (): boolean => false;

describe('planQuery', () => {
  it('looks up _id strings by primary key, exactly', () => {
    expect(planQuery({ _id: 'x' }, none)).toEqual({ where: 'id = ?', params: ['x'], exact: true });
    expect(planQuery({ _id: { $in: ['x', 'y'] } }, none)).toEqual({ where: 'id IN (?, ?)', params: ['x', 'y'], exact: true });
    expect(planQuery({ _id: { $in: [] } }, none)).toEqual({ where: '0', params: [], exact: true });
    expect(planQuery({ _id: { $gt: 'x' } }, none)).toEqual({ where: '', params: [], exact: false });
  });

  it('narrows equality and $in on usable fields, leaving the rest to mingo', () => {
    const plan = planQuery({ email: 'a@x', n: { $gt: 1 } }, (f) => f === 'email');
    expect(plan.where).toBe(`${keyExpr('email')} = ? AND doc->'$."email"' IS NOT NULL`);
    expect(plan.params).toEqual(['"a@x"']);
    expect(plan.exact).toBe(false);
    expect(planQuery({ $and: [{ a: 1 }, { b: { $in: [true, null] } }] }, all)).toEqual({
      where: `${keyExpr('a')} = ? AND doc->'$."a"' IS NOT NULL AND ${keyExpr('b')} IN (?, ?)`,
      params: ['1', 'true', 'null'],
      exact: true,
    });
    expect(planQuery({ at: new Date(5) }, all).params).toEqual(['{"$date":5}']);
  });

  it('does not narrow on values whose JSON text is not their identity', () => {
    for (const value of [/x/, [1], Number.NaN, undefined, { $gt: 1 }, { a: /x/ }, { $in: [1, /x/] }]) {
      expect(planQuery({ f: value }, all)).toMatchObject({ where: '', exact: false });
    }
    expect(planQuery({ f: 1 }, none)).toMatchObject({ where: '', exact: false });
    expect(planQuery({}, all)).toEqual({ where: '', params: [], exact: true });
  });
});

describe('index keys', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE "c:t" (id TEXT PRIMARY KEY, doc TEXT)');
  for (const sql of indexDdl('t', { name: 'k_1', keys: [['k', 1]], unique: false })) db.exec(sql);
  const key = (doc: unknown): unknown => db.prepare(`SELECT ${keyExpr('k')} AS k FROM (SELECT ? AS doc)`).pluck().get(encode(doc));

  it('gives each type its own key and treats missing as null', () => {
    const keys = [1, '1', true, 'true', null, { a: 1 }, '{"a":1}', new Date(1)].map((k) => key({ k }));
    expect(new Set(keys).size).toBe(keys.length);
    expect(key({})).toBe(key({ k: null }));
    expect(key({ k: 1.0 })).toBe(key({ k: 1 }));
    expect(key({ k: 'é\u0001"' })).toBe(encode('é\u0001"'));
  });

  it('detects arrays along a path', () => {
    expect(isMultikey({ a: [{ b: 1 }] }, 'a.b')).toBe(true);
    expect(isMultikey({ a: { b: [1] } }, 'a.b')).toBe(true);
    expect(isMultikey({ a: { b: 1 } }, 'a.b')).toBe(false);
    expect(isMultikey({ a: 5 }, 'a.b')).toBe(false);
  });
});

describe('partialSql', () => {
  it('translates the supported filters', () => {
    expect(partialSql({ f: { $exists: true } })).toBe(`(doc->'$."f"' IS NOT NULL)`);
    expect(partialSql({ active: true })).toBe(`(doc->'$."active"' = 'true')`);
    expect(partialSql({ name: "o'neil" })).toBe(`(doc->'$."name"' = '"o''neil"')`);
    expect(partialSql({ $and: [{ n: { $gte: 5 } }] })).toContain('>= 5');
    expect(partialSql({ at: { $lt: new Date(9) } })).toContain('< 9');
  });

  it('refuses what it cannot express', () => {
    expect(() => partialSql({ f: { $exists: false } })).toThrow(/Unsupported/);
    expect(() => partialSql({ $or: [{ a: 1 }] })).toThrow(/Unsupported/);
    expect(() => partialSql({ f: { $regex: 'x' } })).toThrow(/Unsupported/);
    expect(() => partialSql({})).toThrow(/empty/);
  });
});
