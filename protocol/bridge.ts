/**
 * The bridge contract between a mini-app runtime and its host.
 *
 * A guest call `lily.<category>.<name>.<method>(params)` becomes one {@link BridgeCall}. The
 * runtime builds it: `appId` and `instanceId` come from the instance that made the call, never
 * from the guest. The host answers with a `Response<unknown>` from `protocol/errors.ts`; the
 * runtime resolves or rejects the guest's promise with `result` or `{code, message}`.
 *
 * Imported by the runtime (QuickJS sandbox), the host app's mini-app container, the headless host
 * and the server's bridge gateway, so every side agrees on names and limits.
 */
import type { Response } from './errors.ts';

/** Version of the bridge message shapes; bump on an incompatible change. */
export const BRIDGE_PROTOCOL_VERSION = 1;

/** A capability id: `<category>.<name>`, e.g. `payment.cashier`. */
export const CAPABILITY_ID_PATTERN = /^(payment|member|marketing|base)\.[a-z][A-Za-z0-9]{0,39}$/;

/** A method name: an identifier such as `requestPayment`. */
export const METHOD_NAME_PATTERN = /^[a-z][A-Za-z0-9]{0,63}$/;

/** Guest callback keys stripped from params before a call leaves the sandbox (WeChat style). */
export const CALLBACK_KEYS = ['success', 'fail', 'complete'] as const;

/** One guest call, as the host receives it. */
export interface BridgeCall {
  /** The running instance; stamped by the runtime. */
  instanceId: string;
  /** The mini-app's id from its verified manifest; stamped by the runtime. */
  appId: string;
  /** Capability id, e.g. `payment.cashier`. */
  capability: string;
  /** Method of the capability, e.g. `requestPayment`. */
  method: string;
  /** The guest's parameters: JSON data, callbacks removed. */
  params: unknown;
  /** Unique per instance; lets the host correlate logs and cancel. */
  callId: number;
  /**
   * Stamped by the runtime: true when the guest made the call while handling a user event (a
   * tap, confirm, submit or change, in the handler or the promise jobs it ran before the event
   * returned). Capabilities that need a user action (subscribe, phone call) check it.
   */
  userGesture?: boolean;
}

/** The host's answer to a {@link BridgeCall}. */
export type BridgeAnswer = Response<unknown>;

/**
 * The host side of the bridge. Never throws for a refused call: it answers
 * `{error: {code, message}}`. A thrown error or a rejected promise reaches the guest as
 * `INTERNAL`, without its message.
 *
 * @example
 * ```ts
 * const bridge: BridgeHandler = async (call) =>
 *   call.capability === 'base.ui' ? { result: { ok: true } } : { error: { code: 'UNAVAILABLE', message: 'Offline.' } };
 * ```
 */
export type BridgeHandler = (call: BridgeCall) => Promise<BridgeAnswer>;

/**
 * A capability the guest may see, with the methods it may call. The host computes the list at
 * instance creation (manifest declaration ∩ grants ∩ what this host supports); the runtime turns
 * it into `lily.<category>.<name>.<method>` functions and refuses anything else with
 * `UNKNOWN_CAPABILITY` without reaching the host.
 *
 * `methods: '*'` forwards any well-formed method name; the simulator uses it for capabilities
 * whose method list it does not know.
 */
export interface CapabilityDescriptor {
  id: string;
  methods: readonly string[] | '*';
}

/** The page-stack moves of `base.navigate`, which the host container answers itself. */
export const NAVIGATE_METHODS = ['navigateTo', 'redirectTo', 'navigateBack', 'reLaunch'] as const;

/** One of {@link NAVIGATE_METHODS}. */
export type NavigateMethod = (typeof NAVIGATE_METHODS)[number];

/** True when `capability`/`method` name a page-stack move the host container must handle. */
export function isNavigateCall(call: Pick<BridgeCall, 'capability' | 'method'>): call is Pick<BridgeCall, 'capability'> & {
  method: NavigateMethod;
} {
  return call.capability === 'base.navigate' && (NAVIGATE_METHODS as readonly string[]).includes(call.method);
}
