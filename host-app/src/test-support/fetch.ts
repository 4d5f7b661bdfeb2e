/**
 * A fake `fetch` for store tests: answers by `METHOD /path` (query ignored unless the key has one)
 * and records every request.
 */
import { vi } from 'vitest';

/** One recorded request. */
export interface Recorded {
  method: string;
  path: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** An answer: a JSON body (status 200), or status and body. */
export type Answer = unknown | { status: number; body?: unknown };

type Route = Answer | ((req: Recorded) => Answer);

const isStatus = (a: unknown): a is { status: number; body?: unknown } => typeof a === 'object' && a !== null && 'status' in a && typeof (a as { status: unknown }).status === 'number';

/**
 * Installs the fake. Unknown routes answer 404 ROUTE_NOT_FOUND.
 *
 * @example
 * ```ts
 * const calls = fakeFetch({ 'GET /api/marketplace/apps': { apps: [] } });
 * ```
 */
export function fakeFetch(routes: Record<string, Route>): Recorded[] {
  const calls: Recorded[] = [];
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const url = String(input);
    const u = new URL(url, 'http://host');
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    let body: unknown = init.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // raw text stays as it is
      }
    }
    const req: Recorded = { method, path: u.pathname, url: u.pathname + u.search, headers, body };
    calls.push(req);
    const route = routes[`${method} ${u.pathname}${u.search}`] ?? routes[`${method} ${u.pathname}`];
    const answer = typeof route === 'function' ? (route as (r: Recorded) => Answer)(req) : route;
    if (answer === undefined) return new Response(JSON.stringify({ code: 'ROUTE_NOT_FOUND', detail: 'No such endpoint.' }), { status: 404 });
    const { status, body: out } = isStatus(answer) ? { status: answer.status, body: answer.body } : { status: 200, body: answer };
    return new Response(out === undefined ? null : JSON.stringify(out), { status, headers: { 'content-type': 'application/json' } });
  });
  return calls;
}

/** A problem+json error answer. */
export const problem = (status: number, code: string, detail = code) => ({ status, body: { code, detail } });
