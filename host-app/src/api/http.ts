/**
 * The one HTTP client of the host app. Requests go to the same origin with the session cookie;
 * every state-changing request carries `X-Lily-Client: web`, which the server requires of
 * cookie-authenticated requests (CSRF). Failures become {@link ApiError} with the server's stable
 * code, so screens can say what to do next (see `i18n/errors.ts`).
 */
import { isErrorCode, type ErrorCode } from '../../../protocol/errors.ts';

/** A failed API call: the server's code and message, or UNAVAILABLE when it could not be reached. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  readonly requestId: string | undefined;

  constructor(code: ErrorCode, message: string, status = 0, details?: Record<string, unknown>, requestId?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
    this.requestId = requestId;
  }
}

/** The code of anything thrown: an {@link ApiError}'s, a `{code}` payload's, or INTERNAL. */
export function errorCodeOf(err: unknown): ErrorCode {
  if (err instanceof ApiError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return isErrorCode(code) ? code : 'INTERNAL';
}

const SAFE = new Set(['GET', 'HEAD']);

/**
 * Sends a request and parses the JSON answer. Throws {@link ApiError}.
 *
 * @example
 * ```ts
 * const { apps } = await request<{ apps: MarketApp[] }>('GET', '/api/marketplace/apps?q=ride');
 * ```
 */
export async function request<T>(method: string, path: string, body?: unknown, init: { raw?: BodyInit; contentType?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (!SAFE.has(method)) headers['x-lily-client'] = 'web';
  let payload: BodyInit | undefined;
  if (init.raw !== undefined) {
    payload = init.raw;
    headers['content-type'] = init.contentType ?? 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', ...(payload !== undefined ? { body: payload } : {}) });
  } catch {
    throw new ApiError('UNAVAILABLE', 'The bank server cannot be reached.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const p = (data ?? {}) as { code?: unknown; detail?: unknown; details?: Record<string, unknown>; requestId?: string };
    const code: ErrorCode = isErrorCode(p.code) ? p.code : res.status === 404 ? 'ROUTE_NOT_FOUND' : res.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL';
    throw new ApiError(code, typeof p.detail === 'string' ? p.detail : res.statusText, res.status, p.details, p.requestId);
  }
  return data as T;
}

/** GET helper. */
export const get = <T>(path: string) => request<T>('GET', path);
/** POST helper. */
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {});
/** PUT helper. */
export const put = <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {});
/** DELETE helper. */
export const del = <T>(path: string) => request<T>('DELETE', path);

/** Text GET (documents such as `lily.d.ts`). */
export async function getText(path: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin' });
  } catch {
    throw new ApiError('UNAVAILABLE', 'The bank server cannot be reached.');
  }
  if (!res.ok) throw new ApiError(res.status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE', res.statusText, res.status);
  return res.text();
}

/** `encodeURIComponent` for path segments. */
export const seg = (s: string) => encodeURIComponent(s);
