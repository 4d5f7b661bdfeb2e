/**
 * The three gates every capability call passes, in order: grant, consent, flow control.
 *
 * Decisions are pure functions over plain facts (the app, its grant, the user's consent, the
 * counters), platform-neutral, so the host app applies exactly the same rules to its grant
 * snapshot for the user's sake, while the server applies them again, from the store, as the
 * authority (`authorize.ts`).
 */
import type { ErrorCode } from '../../protocol/errors.ts';
import type { BucketLimits, CircuitBreaker, RateLimiter } from './flow.ts';

/** The environments an app lives in. */
export type Env = 'sandbox' | 'production';

/** An app's lifecycle status. */
export type AppStatus = 'draft' | 'live' | 'suspended' | 'delisted';

/** What the grant gate needs to know about an app. */
export interface AppFacts {
  appId: string;
  status: AppStatus;
  /** Capability ids declared in the manifest of the version the user runs. */
  declared: readonly string[];
}

/** A grant as the gates see it. */
export interface GrantFacts {
  capability: string;
  status: 'granted' | 'revoked';
  quota: GrantQuota | null;
}

/** Limits ops may attach to a grant. */
export interface GrantQuota {
  /** Calls per minute for the whole app on this capability. */
  perMinute?: number;
  /** Money moved per day through this capability, in fen (enforced by payment handlers). */
  dailyAmount?: number;
}

/** A user's consent to one scope for one app. */
export interface ConsentFacts {
  scope: string;
  status: 'granted' | 'refused' | 'revoked';
  /** Epoch ms, or null for no expiry. */
  expiresAt: number | null;
}

/** Why a gate said no. */
export interface Denial {
  gate: 'grant' | 'consent' | 'flow';
  code: ErrorCode;
  /** For the audit log and the ops console; safe to show the developer. */
  reason: string;
  retryAfterMs?: number;
}

/**
 * Gate 1: the app is live, the capability is declared in its manifest, and ops granted it in
 * this environment.
 */
export function grantGate(app: AppFacts, capability: string, grant: GrantFacts | null | undefined): Denial | null {
  if (app.status === 'suspended') return { gate: 'grant', code: 'APP_SUSPENDED', reason: `app ${app.appId} is suspended` };
  if (app.status !== 'live') return { gate: 'grant', code: 'APP_NOT_LIVE', reason: `app ${app.appId} is ${app.status}` };
  if (!app.declared.includes(capability)) {
    return { gate: 'grant', code: 'CAPABILITY_NOT_DECLARED', reason: `${capability} is not declared in the manifest` };
  }
  if (!grant || grant.status !== 'granted') {
    return {
      gate: 'grant',
      code: 'PERMISSION_DENIED',
      reason: grant ? `${capability} was revoked` : `${capability} has not been granted`,
    };
  }
  return null;
}

/** Gate 2: when the method needs a scope, the user granted it to this app and it has not expired. */
export function consentGate(scope: string | undefined, consent: ConsentFacts | null | undefined, now: number): Denial | null {
  if (scope === undefined) return null;
  if (!consent || consent.status !== 'granted') {
    return {
      gate: 'consent',
      code: 'CONSENT_REQUIRED',
      reason: consent ? `the user ${consent.status} ${scope}` : `the user has not been asked for ${scope}`,
    };
  }
  if (consent.expiresAt !== null && consent.expiresAt <= now) {
    return { gate: 'consent', code: 'CONSENT_EXPIRED', reason: `consent to ${scope} expired` };
  }
  return null;
}

/** What flow control checks for one call. */
export interface FlowFacts {
  appId: string;
  capability: string;
  /** Whose calls share the per-user bucket (user id, or the app id for merchant servers). */
  caller: string;
  tier: BucketLimits;
  quota: GrantQuota | null;
}

/**
 * Gate 3: the per-(app, capability, caller) tier limit, the per-(app, capability) quota from the
 * grant, and the capability handler's circuit breaker. When it allows a call the caller must
 * report the outcome with `breaker.record`.
 */
export function flowGate(limiter: RateLimiter, breaker: CircuitBreaker | null, facts: FlowFacts): Denial | null {
  if (facts.quota?.perMinute !== undefined) {
    const quota = limiter.take(`quota|${facts.appId}|${facts.capability}`, {
      perMinute: facts.quota.perMinute,
      burst: Math.max(1, Math.ceil(facts.quota.perMinute / 6)),
    });
    if (!quota.ok) {
      return {
        gate: 'flow',
        code: 'QUOTA_EXCEEDED',
        reason: `quota of ${facts.quota.perMinute}/min for ${facts.capability} used up`,
        retryAfterMs: quota.retryAfterMs,
      };
    }
  }
  const tier = limiter.take(`tier|${facts.appId}|${facts.capability}|${facts.caller}`, facts.tier);
  if (!tier.ok) {
    return { gate: 'flow', code: 'RATE_LIMITED', reason: `rate limit for ${facts.capability}`, retryAfterMs: tier.retryAfterMs };
  }
  // Last, because a half-open breaker lets one probe through and that probe must then run.
  if (breaker) {
    const circuit = breaker.allow(facts.capability);
    if (!circuit.ok) {
      return { gate: 'flow', code: 'CIRCUIT_OPEN', reason: `${facts.capability} circuit is open`, retryAfterMs: circuit.retryAfterMs };
    }
  }
  return null;
}
