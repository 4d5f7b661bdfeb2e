import { describe, expect, it } from 'vitest';
import { checkQuery, parseQuery, resolvePageUrl } from './navigation.ts';

const pages = ['pages/index/index', 'pages/movie/detail', 'pages/movie/seats'];

describe('page URLs', () => {
  it('resolves absolute, rooted and relative paths with queries', () => {
    expect(resolvePageUrl('pages/movie/detail?id=m1&x=a%20b', undefined, pages)).toEqual({ route: 'pages/movie/detail', query: { id: 'm1', x: 'a b' } });
    expect(resolvePageUrl('/pages/index/index', undefined, pages)).toEqual({ route: 'pages/index/index', query: {} });
    expect(resolvePageUrl('./seats?n=2', 'pages/movie/detail', pages)).toEqual({ route: 'pages/movie/seats', query: { n: '2' } });
    expect(resolvePageUrl('../index/index', 'pages/movie/detail', pages)?.route).toBe('pages/index/index');
  });

  it('refuses pages outside app.json and malformed input', () => {
    expect(resolvePageUrl('pages/admin/admin', undefined, pages)).toBeUndefined();
    expect(resolvePageUrl('../../../../etc/passwd', 'pages/movie/detail', pages)).toBeUndefined();
    expect(resolvePageUrl('pages/movie/detail?x=%E0%A4%A', undefined, pages)).toBeUndefined();
    expect(resolvePageUrl(42, undefined, pages)).toBeUndefined();
    expect(parseQuery('__proto__=1')).toBeUndefined();
    expect(parseQuery(Array.from({ length: 40 }, (_, i) => `k${i}=1`).join('&'))).toBeUndefined();
  });

  it('checks launch queries', () => {
    expect(checkQuery({ a: 'b' })).toEqual({ a: 'b' });
    expect(checkQuery(undefined)).toEqual({});
    expect(checkQuery({ a: 1 })).toBeUndefined();
    expect(checkQuery(['a'])).toBeUndefined();
  });
});
