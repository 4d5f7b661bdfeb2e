/**
 * The bridge dispatcher: one server-backed guest call, end to end. Checks the launch token
 * against the socket's user, finds the method, runs the three gates, validates params, runs the
 * handler under a deadline, feeds the circuit breaker, and answers a `Response`.
 */
import type { CapabilityContext } from '../../capabilities/context.ts';
import { RATE_TIERS } from '../../capabilities/define.ts';
import type { Registry } from '../../capabilities/registry.ts';
import { ERRORS, LilyError, toErrorPayload, type Response } from '../../protocol/errors.ts';
import { BRIDGE_MAX_PAYLOAD_BYTES, type BridgeCallRequest } from '../../protocol/socket.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { Config } from '../config.ts';
import type { EventBus } from '../events.ts';
import type { LaunchClaims, LaunchTokens } from '../launch/tokens.ts';
import type { Logger } from '../log.ts';
import type { Authorizer } from '../policies/authorize.ts';
import type { CircuitBreaker } from '../policies/flow.ts';
import type { Store } from '../store/types.ts';
import { parseHostConfirmation } from '../payments/host.ts';

/** What the dispatcher needs. */
export interface DispatchDeps {
  store: Store;
  registry: Registry;
  tokens: LaunchTokens;
  authorizer: Authorizer;
  breaker: CircuitBreaker;
  audit: AuditLog;
  bus: EventBus;
  log: Logger;
  config: Pick<Config, 'allowPrivateNetwork'>;
  /** Pushes an event to a user's sockets. */
  pushToUser(userId: string, event: string, payload: Record<string, unknown>): void;
  /** Longest a handler may run (default 10 s). */
  handlerTimeoutMs?: number;
  now?: () => number;
}

const DEFAULT_HANDLER_TIMEOUT_MS = 10_000;

/**
 * Handles one call for the user who owns the socket.
 *
 * @example
 * ```ts
 * socket.on('call', async (req, ack) => ack(await dispatcher.dispatch(socket.data.userId, req)));
 * ```
 */
export class BridgeDispatcher {
  constructor(private readonly deps: DispatchDeps) {}

  async dispatch(userId: string, req: BridgeCallRequest): Promise<Response<unknown>> {
    const started = performance.now();
    let claims: LaunchClaims | undefined;
    try {
      claims = this.checkLaunch(userId, req);
      const result = await this.run(userId, claims, req);
      this.metric(claims, req, started, null);
      return { result };
    } catch (err) {
      const payload = toErrorPayload(err);
      if (!(err instanceof LilyError)) this.deps.log.error({ err, capability: req?.capability, method: req?.method }, 'bridge call failed');
      this.metric(claims, req, started, payload.code);
      return { error: payload };
    }
  }

  private checkLaunch(userId: string, req: BridgeCallRequest): LaunchClaims {
    if (req === null || typeof req !== 'object') throw new LilyError('INVALID_PARAMS', 'A bridge call must be an object.');
    const claims = this.deps.tokens.verify(req.launchToken);
    // The token must belong to the user whose session owns this socket.
    if (claims.u !== userId) throw new LilyError('LAUNCH_TOKEN_INVALID');
    return claims;
  }

  private async run(userId: string, claims: LaunchClaims, req: BridgeCallRequest): Promise<unknown> {
    const { registry } = this.deps;
    if (typeof req.capability !== 'string' || typeof req.method !== 'string') throw new LilyError('UNKNOWN_CAPABILITY');
    const method = registry.method(req.capability, req.method);
    if (!method) throw new LilyError('UNKNOWN_CAPABILITY', `No method ${req.capability}.${req.method}.`);
    if (method.capability.side === 'host') {
      throw new LilyError('UNKNOWN_CAPABILITY', `${req.capability}.${req.method} is answered by the host app, not the server.`);
    }
    const params = req.params ?? {};
    if (JSON.stringify(params).length > BRIDGE_MAX_PAYLOAD_BYTES) throw new LilyError('PAYLOAD_TOO_LARGE');
    if (method.spec.userGesture && req.userGesture !== true) {
      throw new LilyError('PERMISSION_DENIED', `${req.capability}.${req.method} may only be called from a user tap.`);
    }

    const { release } = await this.deps.authorizer.authorize({
      appId: claims.a,
      env: claims.e,
      userId,
      capability: req.capability,
      method: req.method,
      scope: method.scope?.id ?? null,
      tier: RATE_TIERS[method.capability.rateTier],
      version: claims.v,
    });

    const controller = new AbortController();
    const ctx: CapabilityContext = {
      store: this.deps.store,
      env: claims.e,
      appId: claims.a,
      userId,
      openId: this.deps.tokens.openId(userId, claims.a),
      instanceId: claims.i,
      manifest: { appId: claims.a, version: release.version, domains: release.manifest.domains ?? [] },
      now: this.deps.now ?? Date.now,
      audit: async (event, data) => {
        await this.deps.audit.append({ action: event, actor: { kind: 'app', id: claims.a }, data: { ...data, userId } });
      },
      push: (event, payload) => this.deps.pushToUser(userId, event, payload),
      notifyOps: (event, payload) => {
        if (event === 'support.ticket') this.deps.bus.emit('support.ticket', payload as never);
      },
      signal: controller.signal,
      config: { allowPrivateNetwork: this.deps.config.allowPrivateNetwork },
    };
    const host = parseHostConfirmation(req.host);
    if (host) Object.assign(ctx, { host });

    const timeoutMs = this.deps.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    try {
      // invoke validates params against the schema first (INVALID_PARAMS names the field).
      const result = await Promise.race([
        registry.invoke(ctx, req.capability, req.method, params),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(new LilyError('TIMEOUT'));
          }, timeoutMs);
        }),
      ]);
      this.deps.breaker.record(req.capability, true);
      return result;
    } catch (err) {
      // Only the server's own failures count against the circuit; a caller's mistake does not.
      const serverFault = !(err instanceof LilyError) || ERRORS[err.code].fault === 'server';
      this.deps.breaker.record(req.capability, !serverFault);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private metric(claims: LaunchClaims | undefined, req: BridgeCallRequest, started: number, code: string | null): void {
    this.deps.bus.emit('bridge.call', {
      appId: claims?.a ?? 'unknown',
      ...(claims ? { env: claims.e } : {}),
      capability: typeof req?.capability === 'string' ? req.capability.slice(0, 64) : 'unknown',
      method: typeof req?.method === 'string' ? req.method.slice(0, 64) : 'unknown',
      ms: performance.now() - started,
      ok: code === null,
      code,
    });
  }
}
