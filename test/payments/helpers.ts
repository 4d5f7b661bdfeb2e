/**
 * Test kit for the payment suites: a real embedded store in a temporary directory, the payment
 * services and handlers behind a real registry (so every guest result is checked against its
 * schema), user contexts with a host confirmation, merchant contexts, a settable clock, a PIN
 * check with lockout, and schema checks of Open API inputs and results.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import type { CapabilityContext, HostConfirmation } from '../../capabilities/context.ts';
import { createServerRegistry } from '../../capabilities/handlers.ts';
import type { Registry } from '../../capabilities/registry.ts';
import { openTestStore, testContext, type RecordingContext } from '../../capabilities/testing/context.ts';
import { LilyError } from '../../protocol/errors.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import type { Env, MerchantContext } from '../../server/payments/common.ts';
import { createPaymentHandlers } from '../../server/payments/handlers.ts';
import { checkPaymentInvariants } from '../../server/payments/invariants.ts';
import { createPaymentOperations, type OperationInput, type OperationResult, type PaymentOperationId, type PaymentOperations } from '../../server/payments/openapi.ts';
import { Payments } from '../../server/payments/payments.ts';
import type { PaymentSettings } from '../../server/payments/settings.ts';
import { seedWallets } from '../../server/payments/wallet.ts';
import type { Store } from '../../server/store/types.ts';

/** 2025-05-01 12:00 CST. */
export const T0 = Date.UTC(2025, 4, 1, 4, 0, 0);
/** The PIN every test user has. */
export const PIN = '123456';

/** A user context with the host's confirmation preset. */
export type UserCtx = RecordingContext;

/** Everything a payment test needs. */
export interface Kit {
  store: Store;
  payments: Payments;
  ledger: Ledger;
  registry: Registry;
  ops: PaymentOperations;
  clock: { now: number };
  /** Failed PIN attempts per user (the fake PIN check locks after 5). */
  pinFailures: Map<string, number>;
  /** A user's context in an app; `host` is what the confirm sheet collected. */
  user(userId: string, options?: { appId?: string; env?: Env; host?: HostConfirmation }): UserCtx;
  /** A merchant server's context; audits are recorded in `audits`. */
  merchant(appId?: string, env?: Env): MerchantContext & { audits: { event: string; data: Record<string, unknown> }[] };
  /** Calls a guest method through the registry (params and result validated). */
  call(ctx: CapabilityContext, capability: string, method: string, params: unknown): Promise<any>;
  /** Calls an Open API operation with its input and result checked against the route's schemas. */
  op<Id extends PaymentOperationId>(id: Id, ctx: MerchantContext, input: OperationInput<Id>): Promise<OperationResult<Id>>;
  /** The open id of a user in an app (as the tests mint them). */
  openId(userId: string, appId?: string): string;
  seed(userIds: string[], env?: Env, amount?: number): Promise<void>;
  /** Ledger and payment invariants both hold. */
  expectInvariants(): Promise<void>;
  balance(account: string): Promise<number>;
  dispose(): Promise<void>;
}

/** The open id tests give a user in an app. */
export function openIdOf(userId: string, appId = 'demo-app'): string {
  return `o_${appId}_${userId}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A fake of `Identity.verifyPin`: PIN 123456 for everyone, locked after five wrong PINs in a row. */
function fakeVerifyPin(failures: Map<string, number>) {
  return async (userId: string, pin: string): Promise<void> => {
    const n = failures.get(userId) ?? 0;
    if (n >= 5) throw new LilyError('PIN_LOCKED', undefined, { retryAfterSeconds: 900 });
    if (pin === PIN) {
      failures.set(userId, 0);
      return;
    }
    failures.set(userId, n + 1);
    if (n + 1 >= 5) throw new LilyError('PIN_LOCKED', undefined, { retryAfterSeconds: 900 });
    throw new LilyError('PIN_INCORRECT', undefined, { attemptsLeft: 5 - (n + 1) });
  };
}

const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
const validators = new Map<string, { input: ValidateFunction; result: ValidateFunction }>();

/** Builds a kit around a fresh store; `verifyPin` replaces the fake PIN check. */
export async function createKit(
  settings: Partial<PaymentSettings> = {},
  options: { verifyPin?: (userId: string, pin: string) => Promise<void> } = {},
): Promise<Kit> {
  const { store, dispose } = await openTestStore();
  const payments = new Payments(settings);
  await payments.init(store);
  const pinFailures = new Map<string, number>();
  const registry = createServerRegistry(createPaymentHandlers({ payments, verifyPin: options.verifyPin ?? fakeVerifyPin(pinFailures) }));
  const ops = createPaymentOperations(payments);
  const ledger = new Ledger(store);
  const clock = { now: T0 };

  const routeValidators = (id: string) => {
    let v = validators.get(id);
    if (!v) {
      const found = registry.routes().find((r) => r.route.operationId === id);
      if (!found) throw new Error(`no route ${id}`);
      const { params, body, result } = found.route as { params?: any; body?: any; result: any };
      const merged = {
        type: 'object',
        additionalProperties: false,
        properties: { ...(params?.properties ?? {}), ...(body?.properties ?? {}) },
        required: [...(params?.required ?? []), ...(body?.required ?? [])],
      };
      v = { input: ajv.compile(merged), result: ajv.compile(result) };
      validators.set(id, v);
    }
    return v;
  };

  const kit: Kit = {
    store,
    payments,
    ledger,
    registry,
    ops,
    clock,
    pinFailures,
    openId: openIdOf,
    user(userId, options = {}) {
      const appId = options.appId ?? 'demo-app';
      return testContext(store, {
        userId,
        appId,
        env: options.env ?? 'sandbox',
        openId: openIdOf(userId, appId),
        manifest: { appId, version: '1.0.0', domains: [] },
        now: () => clock.now,
        ...(options.host ? { host: options.host } : {}),
      });
    },
    merchant(appId = 'demo-app', env = 'sandbox') {
      const audits: { event: string; data: Record<string, unknown> }[] = [];
      return {
        store,
        env,
        appId,
        now: () => clock.now,
        async audit(event, data) {
          audits.push({ event, data });
        },
        audits,
      };
    },
    call: (ctx, capability, method, params) => registry.invoke(ctx, capability, method, params),
    async op(id, ctx, input) {
      const v = routeValidators(id);
      if (!v.input(input)) throw new Error(`test input of ${id} breaks its schema: ${ajv.errorsText(v.input.errors)}`);
      const result = await (ops[id] as (c: MerchantContext, i: unknown) => Promise<unknown>)(ctx, input);
      if (!v.result(result)) throw new Error(`${id} answered outside its result schema: ${ajv.errorsText(v.result.errors)}`);
      return result as never;
    },
    async seed(userIds, env = 'sandbox', amount) {
      await seedWallets(store, userIds, env, { now: clock.now, ...(amount !== undefined ? { amount } : {}) });
    },
    async expectInvariants() {
      const ledgerReport = await ledger.checkInvariants();
      expect(ledgerReport.problems).toEqual([]);
      const business = await checkPaymentInvariants(store);
      expect(business.problems).toEqual([]);
    },
    balance: (account) => ledger.balance(account),
    dispose,
  };
  return kit;
}

/** A merchant order number. */
let tradeSeq = 0;
export function tradeNo(prefix = 'T'): string {
  tradeSeq++;
  return `${prefix}${Date.now().toString(36)}${tradeSeq.toString().padStart(6, '0')}`;
}

/** Expects a promise to reject with a Lily error code. */
export async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}
