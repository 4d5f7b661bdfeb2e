/**
 * The host-side gates of a connected headless host: the same pure gates the server applies
 * (`server/policies/gates.ts`), over what the host knows live — the launch's grant snapshot
 * (updated by `grant:changed` pushes), the user's consents (from the launch, `consent:changed`
 * pushes and the user's own answers) and the host's own rate limiter.
 *
 * Order: grant, then flow control, then consent. The server runs consent before flow control;
 * the host limits first so that a mini-app cannot flood the user with consent sheets. Flow
 * control applies here only to calls the host answers itself: for server-backed calls the
 * server's counters (shared by all of the user's devices) are the ones that count.
 */
import { RATE_TIERS } from '../../capabilities/define.ts';
import { defaultRegistry, type Registry } from '../../capabilities/index.ts';
import type { BridgeCall } from '../../protocol/bridge.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import { RateLimiter } from '../../server/policies/flow.ts';
import { flowGate, grantGate, type Denial } from '../../server/policies/gates.ts';
import { denialPayload, type ConsentPrompt, type LaunchedApp, type LilyConnection } from '../host/connection.ts';
import type { HeadlessGate } from './host.ts';
import type { HostSheets } from './sheets.ts';

/** A call a host gate refused, for the host's own trail (the server audits its refusals). */
export interface HostDenial {
  appId: string;
  capability: string;
  method: string;
  gate: Denial['gate'];
  code: ErrorCode;
  reason: string;
  at: number;
}

/** Options of {@link createHostGate}. */
export interface HostGateOptions {
  connection: LilyConnection;
  /** The launch behind a call (by its instance id); calls of apps not launched here are refused. */
  launchedFor(call: BridgeCall): LaunchedApp | undefined;
  /** The capability catalog (default: every definition). */
  registry?: Registry;
  /** The host's rate limiter (default: a new one, so per host and user). */
  limiter?: RateLimiter;
  now?: () => number;
  /** Told of every refusal. */
  onDenial?: (denial: HostDenial) => void;
}

/**
 * The consent prompt of a headless host: the host's consent sheet, filled with the server's
 * sheet data (never the mini-app's).
 */
export function consentPrompt(sheets: HostSheets, appId: string): ConsentPrompt {
  return async (sheet) => {
    const answer = await sheets.show('consent', {
      appId,
      scope: sheet.scope,
      purpose: sheet.purpose,
      appName: sheet.appName,
      title: sheet.title,
      reasons: sheet.reasons,
    });
    return answer.granted === true;
  };
}

/**
 * Builds the gate a connected headless host runs before it answers or forwards any call.
 * A scope the user has not granted (never asked, refused, revoked or expired) opens the consent
 * sheet; the answer is recorded on the server (`POST /api/consents`) and the call goes on, or
 * answers `CONSENT_REQUIRED`.
 *
 * @example
 * ```ts
 * const gate = createHostGate({ connection, launchedFor: (call) => launches.get(call.instanceId) });
 * const host = await HeadlessHost.create({ bankPublicKey, gate, bridge });
 * ```
 */
export function createHostGate(options: HostGateOptions): HeadlessGate {
  const { connection } = options;
  const registry = options.registry ?? defaultRegistry();
  const limiter = options.limiter ?? new RateLimiter();
  const now = options.now ?? Date.now;

  return async (call, context) => {
    const launched = options.launchedFor(call);
    if (!launched) return { error: { code: 'LAUNCH_TOKEN_INVALID', message: 'This mini-app was not launched through this host.' } };
    const method = registry.method(call.capability, call.method);
    if (!method) return { error: { code: 'UNKNOWN_CAPABILITY', message: `No such method ${call.capability}.${call.method}.` } };
    const refuse = (denial: Denial) => {
      options.onDenial?.({ appId: call.appId, capability: call.capability, method: call.method, gate: denial.gate, code: denial.code, reason: denial.reason, at: now() });
      return { error: denialPayload(denial) };
    };

    const grant = connection.grantFacts(launched, call.capability);
    const notGranted = grantGate(connection.appFacts(launched), call.capability, grant);
    if (notGranted) return refuse(notGranted);

    if (method.capability.side === 'host') {
      const flow = flowGate(limiter, null, {
        appId: launched.info.appId,
        capability: call.capability,
        caller: launched.info.openId,
        tier: RATE_TIERS[method.capability.rateTier],
        quota: grant?.quota ?? null,
      });
      if (flow) return refuse(flow);
    }

    const scope = method.scope?.id;
    if (scope && connection.consentGate(launched, scope, now())) {
      const agreed = await connection.askConsent(launched, scope, consentPrompt(context.sheets, launched.info.appId));
      if (!agreed) return refuse({ gate: 'consent', code: 'CONSENT_REQUIRED', reason: `the user did not grant ${scope}` });
    }
    return undefined;
  };
}
