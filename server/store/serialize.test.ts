import { describe, expect, it } from 'vitest';
import { decode, encode } from './serialize.ts';

describe('serialize', () => {
  it('round-trips Dates anywhere in a document', () => {
    const doc = { _id: 'x', at: new Date(1_700_000_000_123), nested: { list: [new Date(0), { d: new Date(-5) }] } };
    const text = encode(doc);
    expect(text).toContain('{"$date":1700000000123}');
    const back = decode<typeof doc>(text);
    expect(back).toEqual(doc);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.nested.list[0]).toBeInstanceOf(Date);
  });

  it('stores undefined as null, as the MongoDB driver does, and drops functions', () => {
    expect(encode({ a: undefined, b: [undefined], c: () => 1 })).toBe('{"a":null,"b":[null]}');
  });

  it('keeps an invalid Date invalid', () => {
    const back = decode<{ d: Date }>(encode({ d: new Date(Number.NaN) }));
    expect(back.d).toBeInstanceOf(Date);
    expect(Number.isNaN(back.d.getTime())).toBe(true);
  });

  it('leaves objects that merely contain a $date key among others alone', () => {
    expect(decode('{"x":{"$date":1,"y":2}}')).toEqual({ x: { $date: 1, y: 2 } });
    expect(decode('{"x":{"$date":"soon"}}')).toEqual({ x: { $date: 'soon' } });
  });
});
