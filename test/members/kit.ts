/**
 * Test kit for the membership and marketing suites: a real embedded store in a temporary
 * directory; the real consent service, audit log and event bus; payments wired with the
 * marketing discount hook; a registry with the payment, membership and marketing handlers (so
 * every guest call is validated against its schemas); the Open API operations with their input
 * and result checked against the route schemas; a settable clock and a PIN check with lockout.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { CapabilityContext } from '../../capabilities/context.ts';
import { createServerRegistry } from '../../capabilities/handlers.ts';
import type { Registry } from '../../capabilities/registry.ts';
import { openTestStore, testContext, type RecordingContext } from '../../capabilities/testing/context.ts';
import { LilyError } from '../../protocol/errors.ts';
import { AuditLog } from '../../server/audit/audit.ts';
import { ConsentService } from '../../server/consents/consents.ts';
import { EventBus, type DomainEvents } from '../../server/events.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import { createMarketingHandlers } from '../../server/marketing/handlers.ts';
import { Marketing, type MarketingOptions } from '../../server/marketing/marketing.ts';
import { createMarketingOperations } from '../../server/marketing/openapi.ts';
import { createMemberHandlers } from '../../server/members/handlers.ts';
import { Members, type MembersOptions, type PickerConfirmation } from '../../server/members/index.ts';
import { createMemberOperations } from '../../server/members/openapi.ts';
import type { Env, MerchantContext } from '../../server/payments/common.ts';
import { createPaymentHandlers } from '../../server/payments/handlers.ts';
import { createPaymentOperations } from '../../server/payments/openapi.ts';
import { Payments } from '../../server/payments/payments.ts';
import { seedWallets } from '../../server/payments/wallet.ts';
import type { Store } from '../../server/store/types.ts';

/** 2025-05-01 12:00 CST. */
export const T0 = Date.UTC(2025, 4, 1, 4, 0, 0);
/** The PIN of every test user. */
export const PIN = '123456';
/** A secret for the derived keys. */
export const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

type AnyOp = (ctx: MerchantContext, input: any) => Promise<any>;

/** Everything a membership or marketing test needs. */
export interface Kit {
  store: Store;
  clock: { now: number };
  bus: EventBus;
  delivered: DomainEvents['message.delivered'][];
  consents: ConsentService;
  members: Members;
  marketing: Marketing;
  payments: Payments;
  ledger: Ledger;
  registry: Registry;
  pinFailures: Map<string, number>;
  /** A user's context in an app; `host` is what the host's sheet collected. */
  user(userId: string, options?: { appId?: string; env?: Env; host?: PickerConfirmation }): RecordingContext;
  /** A merchant server's context. */
  merchant(appId?: string, env?: Env): MerchantContext & { audits: { event: string; data: Record<string, unknown> }[] };
  /** Calls a guest method through the registry (params and result validated). */
  call(ctx: CapabilityContext, capability: string, method: string, params?: unknown): Promise<any>;
  /** Calls an Open API operation (payment, membership or marketing), input and result checked. */
  op(id: string, ctx: MerchantContext, input: Record<string, unknown>): Promise<any>;
  /** Records the user's answer in the consent sheet. */
  consent(userId: string, scope: string, granted?: boolean, options?: { appId?: string; ttlMs?: number }): Promise<void>;
  openId(userId: string, appId?: string): string;
  seed(userIds: string[], env?: Env): Promise<void>;
  dispose(): Promise<void>;
}

/** The open id the kit gives a user in an app. */
export function openIdOf(userId: string, appId = 'demo-app'): string {
  return `o_${appId}_${userId}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });

/** Builds a kit around a fresh store. */
export async function createKit(options: { members?: Partial<MembersOptions>; marketing?: Partial<MarketingOptions> } = {}): Promise<Kit> {
  const { store, dispose } = await openTestStore();
  const clock = { now: T0 };
  const now = () => clock.now;
  const audit = new AuditLog(store, now);
  await audit.init();
  const bus = new EventBus();
  const delivered: Kit['delivered'] = [];
  bus.on('message.delivered', (e) => delivered.push(e));
  const consents = new ConsentService(store, audit, bus, now);
  await consents.init();
  const pinFailures = new Map<string, number>();
  const verifyPin = async (userId: string, pin: string) => {
    const n = pinFailures.get(userId) ?? 0;
    if (n >= 5) throw new LilyError('PIN_LOCKED', undefined, { retryAfterSeconds: 900 });
    if (pin === PIN) return void pinFailures.set(userId, 0);
    pinFailures.set(userId, n + 1);
    throw new LilyError(n + 1 >= 5 ? 'PIN_LOCKED' : 'PIN_INCORRECT');
  };
  const members = new Members({ secret: SECRET, consents, verifyPin, ...options.members });
  await members.init(store);
  const marketing = new Marketing({ members, bus, ...options.marketing });
  await marketing.init(store);
  const payments = new Payments({ discount: marketing.discountHook() });
  await payments.init(store);
  const registry = createServerRegistry([...createPaymentHandlers({ payments, verifyPin }), ...createMemberHandlers({ members }), ...createMarketingHandlers({ marketing })]);
  const ops: Record<string, AnyOp> = {
    ...(createPaymentOperations(payments) as unknown as Record<string, AnyOp>),
    ...(createMemberOperations(members) as unknown as Record<string, AnyOp>),
    ...(createMarketingOperations(marketing) as unknown as Record<string, AnyOp>),
  };
  const validators = new Map<string, { input: ValidateFunction; result: ValidateFunction }>();
  const routeValidators = (id: string) => {
    let v = validators.get(id);
    if (!v) {
      const found = registry.routes().find((r) => r.route.operationId === id);
      if (!found) throw new Error(`no route ${id}`);
      const { params, body, result } = found.route as { params?: any; body?: any; result: any };
      const merged = { type: 'object', additionalProperties: false, properties: { ...(params?.properties ?? {}), ...(body?.properties ?? {}) }, required: [...(params?.required ?? []), ...(body?.required ?? [])] };
      v = { input: ajv.compile(merged), result: ajv.compile(result) };
      validators.set(id, v);
    }
    return v;
  };

  return {
    store,
    clock,
    bus,
    delivered,
    consents,
    members,
    marketing,
    payments,
    ledger: new Ledger(store),
    registry,
    pinFailures,
    openId: openIdOf,
    user(userId, o = {}) {
      const appId = o.appId ?? 'demo-app';
      return testContext(store, { userId, appId, env: o.env ?? 'sandbox', openId: openIdOf(userId, appId), manifest: { appId, version: '1.0.0', domains: [] }, now, ...(o.host ? { host: o.host } : {}) });
    },
    merchant(appId = 'demo-app', env = 'sandbox') {
      const audits: { event: string; data: Record<string, unknown> }[] = [];
      return { store, env, appId, now, audits, async audit(event, data) { audits.push({ event, data }); } };
    },
    call: (ctx, capability, method, params = {}) => registry.invoke(ctx, capability, method, params),
    async op(id, ctx, input) {
      const v = routeValidators(id);
      if (!v.input(input)) throw new Error(`test input of ${id} breaks its schema: ${ajv.errorsText(v.input.errors)}`);
      const op = ops[id];
      if (!op) throw new Error(`no operation ${id}`);
      const result = await op(ctx, input);
      if (!v.result(result)) throw new Error(`${id} answered outside its result schema: ${ajv.errorsText(v.result.errors)}`);
      return result;
    },
    async consent(userId, scope, granted = true, o = {}) {
      await consents.decide({ userId, appId: o.appId ?? 'demo-app', scope, purpose: { zh: 'test', en: 'test' }, granted, ...(o.ttlMs !== undefined ? { ttlMs: o.ttlMs } : {}) });
    },
    async seed(userIds, env = 'sandbox') {
      await seedWallets(store, userIds, env, { now: clock.now });
    },
    async dispose() {
      await marketing.close();
      await dispose();
    },
  };
}

/** The Lily error code a promise rejects with (`resolved` when it does not reject). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof LilyError ? err.code : `non-LilyError: ${String(err)}`;
  }
}
