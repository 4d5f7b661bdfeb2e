/**
 * What a server-side capability handler receives besides its params.
 *
 * The bridge (guest calls) and the Open API (merchant calls) build one context per call after the
 * three gates have passed. Handlers use it for everything outside their params: the store, who is
 * calling, the clock, audit and pushes. Nothing in it can be chosen by the mini-app: the app id,
 * the user and the instance come from the verified launch token.
 *
 * Extend it by adding optional fields, so existing handlers and test contexts keep compiling.
 */
import type { Store } from '../server/store/types.ts';

/** Sandbox and production are separate worlds: credentials, funds and data never mix. */
export type Environment = 'sandbox' | 'production';

/** The parts of the running mini-app's manifest that handlers need. */
export interface ManifestView {
  /** The app id in the manifest (equal to `CapabilityContext.appId`). */
  readonly appId: string;
  /** The semver version of the running package. */
  readonly version: string;
  /**
   * Hosts `base.request` may reach. Each entry is a host name (`api.ride.example`), a host and
   * port (`localhost:4100`) or an origin (`https://api.ride.example:8443`); matching is exact,
   * never by suffix or wildcard.
   */
  readonly domains: readonly string[];
}

/** Limits of the `base.request` proxy. Every field has a default in `base/request.handler.ts`. */
export interface RequestLimits {
  /** Longest time for one request including redirects, in ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Largest response body, in bytes (default 1 MiB). */
  readonly maxResponseBytes?: number;
  /** Largest request body, in bytes (default 256 KiB). */
  readonly maxRequestBytes?: number;
  /** Requests in flight at once per mini-app instance (default 5). */
  readonly maxConcurrentPerInstance?: number;
  /** Same-host redirects followed before giving up (default 3). */
  readonly maxRedirects?: number;
}

/** Limits of `base.storage`. Every field has a default in `base/storage.handler.ts`. */
export interface StorageLimits {
  /** Total bytes (keys plus JSON values) per user × app (default 1 MiB). */
  readonly quotaBytes?: number;
  /** Largest JSON value of one key, in bytes (default 10 KiB). */
  readonly maxValueBytes?: number;
  /** Most keys per user × app (default 1 000). */
  readonly maxKeys?: number;
}

/** Deployment settings a handler may read. Optional fields fall back to documented defaults. */
export interface CapabilityConfig {
  /**
   * Lets `base.request` reach private, loopback and link-local addresses. Off in production;
   * the local demo turns it on so mini-apps can call their sample merchant back ends.
   */
  readonly allowPrivateNetwork: boolean;
  readonly request?: RequestLimits;
  readonly storage?: StorageLimits;
  /** Base URL of the developer center, used to build links to capability docs (default `/dev`). */
  readonly docsBaseUrl?: string;
}

/**
 * What the host's own confirm sheet collected for a call (cashier, hold, agreement, top-up, card
 * picker, scanner). Only the host can set it: it travels beside the guest's params in the bridge
 * request, never inside them, and a mini-app has no way to write it. Handlers that need the user's
 * confirmation answer `USER_CANCELLED` unless `confirmed` is true.
 */
export interface HostConfirmation {
  /** True when the user confirmed the sheet; absent or false means they closed it. */
  readonly confirmed?: boolean;
  /** The payment PIN typed in the host's sheet; checked by the handler, never stored or logged. */
  readonly pin?: string;
  /** The linked card the user picked (`card_…`, from the host's card list); absent: wallet balance. */
  readonly cardId?: string;
  /** Installment periods the user picked in the cashier (credit cards only). */
  readonly installmentTerm?: number;
  /** The coupon the user picked in the cashier, if any. */
  readonly couponId?: string;
  /** The amount the user settled on in a sheet where they may change it (top-up), in fen. */
  readonly amount?: number;
  /** The text the host scanner read (`scanToPay` without a code). */
  readonly scannedCode?: string;
  /** The item the user picked in a host sheet (an address, an invoice title, a share channel). */
  readonly pickedId?: string;
  /** Several items the user accepted in a host sheet (subscribe-message templates). */
  readonly pickedIds?: readonly string[];
  /** A one-time code the user typed in the host's verification sheet. */
  readonly otp?: string;
}

/**
 * One call's context.
 *
 * @example
 * ```ts
 * const handler = async (ctx: CapabilityContext, params: { key: string }) => {
 *   const doc = await ctx.store.collection('base_storage').findOne({ appId: ctx.appId, key: params.key });
 *   await ctx.audit('storage.read', { key: params.key });
 *   return { found: doc !== null };
 * };
 * ```
 */
export interface CapabilityContext {
  /** The store; use `store.transaction` for multi-document changes. */
  readonly store: Store;
  /** Which world the call runs in; data is always scoped by it. */
  readonly env: Environment;
  /** The calling mini-app, from the launch token (never from params). */
  readonly appId: string;
  /** The bank user. Internal: never return it to a mini-app or merchant (use `openId`). */
  readonly userId: string;
  /** The user's pseudonymous id for this app: stable for the pair, unlinkable across apps. */
  readonly openId: string;
  /** The running mini-app instance (one launch); per-instance limits key on it. */
  readonly instanceId: string;
  /** The running version's manifest. */
  readonly manifest: ManifestView;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now(): number;
  /** Records an audit entry for this call (who and which app are added by the caller). */
  audit(event: string, data: Record<string, unknown>): Promise<void>;
  /** Pushes an event to this user's host app (e.g. a new inbox message); best effort. */
  push(event: string, payload: Record<string, unknown>): void;
  /** Tells the bank's ops console of something that needs a person (e.g. a support hand-off); best effort. */
  notifyOps?(event: 'support.ticket', payload: Record<string, unknown>): void;
  /** Aborted when the caller goes away (socket closed, request timed out). */
  readonly signal?: AbortSignal;
  /** Deployment settings. */
  readonly config: CapabilityConfig;
  /** What the host's confirm sheet collected, for methods with a confirm sheet; absent otherwise. */
  readonly host?: HostConfirmation;
}
