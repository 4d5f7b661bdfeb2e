/**
 * Launch tokens and pseudonymous open ids.
 *
 * A launch token is short-lived, MAC-signed by the server, and bound to one user, one app, one
 * environment, one released version and one instance. It rides on every bridge call, so no
 * mini-app can act as another, and it is useless to anyone but the user who launched.
 *
 * An open id is `HMAC(openIdSecret, userId | appId)`: stable for a user and an app, and unlinkable
 * across apps (two merchants cannot correlate a user).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LilyError } from '../../protocol/errors.ts';
import type { Env } from '../policies/gates.ts';

/** What a launch token binds. */
export interface LaunchClaims {
  /** User id. */
  u: string;
  /** App id. */
  a: string;
  /** Instance id. */
  i: string;
  /** Environment. */
  e: Env;
  /** Released version. */
  v: string;
  /** Expiry, epoch ms. */
  x: number;
}

/** Lifetime of a launch token; the host refreshes it while the mini-app stays open. */
export const LAUNCH_TOKEN_TTL_MS = 30 * 60 * 1000;

/**
 * Signs and checks launch tokens and derives open ids.
 *
 * @example
 * ```ts
 * const tokens = new LaunchTokens(secret);
 * const token = tokens.sign({ u: userId, a: appId, i: instanceId, e: 'sandbox', v: '1.0.0', x: Date.now() + LAUNCH_TOKEN_TTL_MS });
 * tokens.verify(token).a; // appId
 * ```
 */
export class LaunchTokens {
  private readonly launchKey: Buffer;
  private readonly openIdKey: Buffer;

  constructor(
    secret: string,
    private readonly now: () => number = Date.now,
  ) {
    // Separate keys per purpose, derived from one secret.
    this.launchKey = createHmac('sha256', secret).update('lily/launch-token/v1').digest();
    this.openIdKey = createHmac('sha256', secret).update('lily/open-id/v1').digest();
  }

  sign(claims: LaunchClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `lt1.${body}.${createHmac('sha256', this.launchKey).update(body).digest('base64url')}`;
  }

  /** The claims of a valid, unexpired token; LAUNCH_TOKEN_INVALID otherwise. */
  verify(token: unknown): LaunchClaims {
    if (typeof token !== 'string' || token.length > 1024) throw new LilyError('LAUNCH_TOKEN_INVALID');
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'lt1') throw new LilyError('LAUNCH_TOKEN_INVALID');
    const [, body, mac] = parts as [string, string, string];
    const expected = Buffer.from(createHmac('sha256', this.launchKey).update(body).digest('base64url'));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new LilyError('LAUNCH_TOKEN_INVALID');
    let claims: LaunchClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LaunchClaims;
    } catch {
      throw new LilyError('LAUNCH_TOKEN_INVALID');
    }
    if (typeof claims.x !== 'number' || claims.x <= this.now()) {
      throw new LilyError('LAUNCH_TOKEN_INVALID', 'The mini-app launch has expired; close and reopen the mini-app.');
    }
    return claims;
  }

  /** The open id of a user for an app. */
  openId(userId: string, appId: string): string {
    return `o_${createHmac('sha256', this.openIdKey).update(`${userId}|${appId}`).digest('base64url').slice(0, 27)}`;
  }
}
