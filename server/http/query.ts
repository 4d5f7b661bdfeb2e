/**
 * Query-string parameters of the host and portal routes, checked the same way everywhere: a bad
 * value answers INVALID_PARAMS naming the parameter, never a silent default.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { Env } from '../policies/gates.ts';

/**
 * A page size: an integer between 1 and `max`, or `fallback` when absent.
 *
 * @example
 * ```ts
 * const limit = queryLimit(req.query.limit);        // 20 when absent
 * queryLimit('0');                                  // throws INVALID_PARAMS (field: limit)
 * ```
 */
export function queryLimit(value: unknown, fallback = 20, max = 100): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new LilyError('INVALID_PARAMS', `limit must be an integer from 1 to ${max}.`, { field: 'limit' });
  return n;
}

/** An opaque paging cursor as a route returned it (its services decode and check it), or undefined. */
export function queryCursor(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 512 || !/^[A-Za-z0-9_-]+$/.test(value)) throw new LilyError('INVALID_PARAMS', 'The cursor is not one this API returned.', { field: 'cursor' });
  return value;
}

/** `sandbox` or `production` (`fallback` when absent). */
export function queryEnv(value: unknown, fallback: Env = 'production'): Env {
  if (value === undefined) return fallback;
  if (value === 'sandbox' || value === 'production') return value;
  throw new LilyError('INVALID_PARAMS', 'env must be sandbox or production.', { field: 'env' });
}

/**
 * One of `allowed`, or undefined when absent.
 *
 * @example
 * ```ts
 * const status = queryEnum(req.query.status, ['available', 'used', 'expired'] as const, 'status');
 * ```
 */
export function queryEnum<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new LilyError('INVALID_PARAMS', `${field} must be one of ${allowed.join(', ')}.`, { field });
}
