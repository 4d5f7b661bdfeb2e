/**
 * Page URLs: `pages/detail/detail?id=7`, `/pages/detail/detail`, or relative to the current page
 * (`../detail/detail`). Only routes declared in the manifest resolve.
 */

/** A resolved page URL. */
export interface PageTarget {
  route: string;
  query: Record<string, string>;
}

const MAX_QUERY_KEYS = 32;
const MAX_QUERY_VALUE = 512;

/** Parses `a=1&b=x%20y` into an object of strings; undefined when malformed or too large. */
export function parseQuery(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (text === '') return out;
  const pairs = text.split('&');
  if (pairs.length > MAX_QUERY_KEYS) return undefined;
  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
    if (key === '' || key === '__proto__' || key.length > 64 || value.length > MAX_QUERY_VALUE) return undefined;
    out[key] = value;
  }
  return out;
}

/** Checks a launch or navigation query object: at most 32 string values. */
export function checkQuery(query: unknown): Record<string, string> | undefined {
  if (query === undefined) return {};
  if (typeof query !== 'object' || query === null || Array.isArray(query)) return undefined;
  const out: Record<string, string> = {};
  const entries = Object.entries(query as Record<string, unknown>);
  if (entries.length > MAX_QUERY_KEYS) return undefined;
  for (const [k, v] of entries) {
    if (k === '__proto__' || k.length > 64 || typeof v !== 'string' || v.length > MAX_QUERY_VALUE) return undefined;
    out[k] = v;
  }
  return out;
}

/**
 * Resolves `url` against the current route and the manifest's pages.
 *
 * @example
 * ```ts
 * resolvePageUrl('../detail/detail?id=7', 'pages/list/list', manifest.pages);
 * // { route: 'pages/detail/detail', query: { id: '7' } }
 * ```
 */
export function resolvePageUrl(url: unknown, currentRoute: string | undefined, pages: readonly string[]): PageTarget | undefined {
  if (typeof url !== 'string' || url.length === 0 || url.length > 2048) return undefined;
  const q = url.indexOf('?');
  const pathPart = q < 0 ? url : url.slice(0, q);
  const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
  if (query === undefined) return undefined;
  let segments: string[];
  if (pathPart.startsWith('/')) segments = pathPart.slice(1).split('/');
  else if (pathPart.startsWith('./') || pathPart.startsWith('../')) {
    const base = (currentRoute ?? '').split('/').slice(0, -1);
    segments = [...base, ...pathPart.split('/')];
  } else segments = pathPart.split('/');
  const out: string[] = [];
  for (const s of segments) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(s);
  }
  const route = out.join('/');
  return pages.includes(route) ? { route, query } : undefined;
}
