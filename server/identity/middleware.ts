/**
 * HTTP authentication.
 *
 * Two ways to present a session token, both documented in the README:
 * - `Authorization: Bearer <token>` (API clients, tests, the CLI). Browsers never attach it on
 *   their own, so it is not exposed to CSRF.
 * - The `lily_session` cookie (HttpOnly, SameSite=Strict) set at login for the web app. Because
 *   cookies ride along automatically, every state-changing request authenticated by the cookie
 *   must also carry `X-Lily-Client: web`; a cross-site form cannot set a custom header and the
 *   server allows no cross-origin requests, so a forged request is refused with CSRF_REJECTED.
 */
import type { NextFunction, Request, Response } from 'express';
import { LilyError } from '../../protocol/errors.ts';
import type { Identity, OpsRole, Principal, PrincipalKind } from './identity.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'lily_session';
/** The header every cookie-authenticated state-changing request carries. */
export const CSRF_HEADER = 'x-lily-client';

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated caller, set by `authenticate` when a valid session is presented. */
    principal?: Principal;
  }
}

/** Reads one cookie from the Cookie header (no dependency on a cookie parser). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The token a request presents, and how. */
export function presentedToken(req: Request): { token: string; via: 'bearer' | 'cookie' } | undefined {
  const auth = req.get('authorization');
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), via: 'bearer' };
  const cookie = readCookie(req.get('cookie'), SESSION_COOKIE);
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Sets `req.principal` when the request presents a valid session; rejects forged or expired ones. */
export function authenticate(identity: Identity) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const presented = presentedToken(req);
    if (!presented) return next();
    if (presented.via === 'cookie' && !SAFE_METHODS.has(req.method) && req.get(CSRF_HEADER) !== 'web') {
      throw new LilyError('CSRF_REJECTED');
    }
    req.principal = await identity.authenticate(presented.token);
    next();
  };
}

/**
 * Requires a principal of the given kind (and, for ops, one of the roles).
 *
 * @example
 * ```ts
 * router.post('/grants', requirePrincipal('ops', ['admin']), handler);
 * ```
 */
export function requirePrincipal(kind: PrincipalKind, roles?: OpsRole[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const principal = req.principal;
    if (!principal) throw new LilyError('UNAUTHENTICATED');
    if (principal.kind !== kind) throw new LilyError('FORBIDDEN', `This needs a ${kind} account.`);
    if (roles && !roles.some((role) => principal.roles.includes(role))) {
      throw new LilyError('FORBIDDEN', `This needs the ${roles.join(' or ')} role.`);
    }
    next();
  };
}

/** The principal of a request that passed `requirePrincipal`. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new LilyError('UNAUTHENTICATED');
  return req.principal;
}
