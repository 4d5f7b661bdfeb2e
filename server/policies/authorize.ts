/**
 * `authorize()`: the server's one entry to the three gates. Every server-backed guest call goes
 * through it; it loads the facts from the store, applies the pure gates from `gates.ts`, audits
 * every denial with its reason, and throws the denial's code.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { AppService, Release } from '../apps/apps.ts';
import type { ConsentService } from '../consents/consents.ts';
import type { GrantService } from '../grants/grants.ts';
import type { Logger } from '../log.ts';
import type { BucketLimits, CircuitBreaker, RateLimiter } from './flow.ts';
import { consentGate, flowGate, grantGate, type Denial, type Env, type GrantQuota } from './gates.ts';

/** One call to authorize. */
export interface AuthorizeRequest {
  appId: string;
  env: Env;
  userId: string;
  capability: string;
  method: string;
  /** The scope the method needs, if any. */
  scope: string | null;
  tier: BucketLimits;
  /** The version the instance runs (from the launch token): it must still be released. */
  version?: string;
}

/** What a successful authorization knows, for the handler's context. */
export interface Authorized {
  release: Release;
  quota: GrantQuota | null;
}

/** The gate keeper. */
export class Authorizer {
  /** When each rate-limit denial key was last audited: floods are audited once a minute, not per call. */
  private readonly lastFlowAudit = new Map<string, number>();

  constructor(
    private readonly deps: {
      apps: AppService;
      grants: GrantService;
      consents: ConsentService;
      audit: AuditLog;
      limiter: RateLimiter;
      breaker: CircuitBreaker;
      log: Logger;
      now?: () => number;
    },
  ) {}

  /**
   * Runs the three gates in order; throws the first denial's code after auditing it.
   *
   * @example
   * ```ts
   * const { release, quota } = await authorizer.authorize({ appId, env, userId, capability: 'base.storage', method: 'setStorage', scope: null, tier });
   * ```
   */
  async authorize(req: AuthorizeRequest): Promise<Authorized> {
    const now = (this.deps.now ?? Date.now)();
    const app = await this.deps.apps.facts(req.appId, req.env, req.version);
    const grant = await this.deps.grants.facts(req.appId, req.env, req.capability);
    let denial = grantGate(app, req.capability, grant);
    if (!denial && app.release === null) {
      // The version this instance runs is no longer released (rollback, new release): reopen.
      denial = { gate: 'grant', code: 'LAUNCH_TOKEN_INVALID', reason: 'the released version changed since launch' };
    }
    if (!denial && req.scope) {
      denial = consentGate(req.scope, await this.deps.consents.facts(req.userId, req.appId, req.scope), now);
    }
    if (!denial) {
      denial = flowGate(this.deps.limiter, this.deps.breaker, {
        appId: req.appId,
        capability: req.capability,
        caller: req.userId,
        tier: req.tier,
        quota: grant?.quota ?? null,
      });
    }
    if (denial) {
      await this.recordDenial(req, denial, now);
      throw new LilyError(denial.code, messageFor(denial), denial.retryAfterMs ? { retryAfterSeconds: Math.ceil(denial.retryAfterMs / 1000) } : undefined);
    }
    return { release: app.release!, quota: grant?.quota ?? null };
  }

  private async recordDenial(req: AuthorizeRequest, denial: Denial, now: number): Promise<void> {
    if (denial.gate === 'flow') {
      const key = `${denial.code}|${req.appId}|${req.capability}|${req.userId}`;
      const last = this.lastFlowAudit.get(key);
      if (last !== undefined && now - last < 60_000) return;
      if (this.lastFlowAudit.size > 10_000) this.lastFlowAudit.clear();
      this.lastFlowAudit.set(key, now);
    }
    try {
      await this.deps.audit.append({
        action: 'gate.denied',
        actor: { kind: 'app', id: req.appId },
        target: { kind: 'capability', id: req.capability },
        reason: denial.reason,
        data: { gate: denial.gate, code: denial.code, method: req.method, env: req.env, userId: req.userId },
      });
    } catch (err) {
      // The denial stands even when the audit write fails; the failure is logged for ops.
      this.deps.log.error({ err }, 'audit of a gate denial failed');
    }
  }
}

function messageFor(denial: Denial): string {
  switch (denial.code) {
    case 'CAPABILITY_NOT_DECLARED':
      return `${denial.reason}; add it to app.json and publish a new version.`;
    case 'PERMISSION_DENIED':
      return `This mini-app may not use that capability (${denial.reason}).`;
    default:
      return new LilyError(denial.code).message;
  }
}
