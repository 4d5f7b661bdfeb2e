/**
 * `defineCapability`: the one place a capability is described.
 *
 * A capability is the unit ops grant to a mini-app. Its definition names the methods a guest
 * calls (`lily.<category>.<name>.<method>()`), their params and result JSON Schemas, the errors
 * each can answer, examples, the consent scope and confirm sheet, the side that answers it, the
 * rate tier, the Open API routes merchants' servers call, and its documentation. The registry,
 * the bridge, the Open API, the catalog, the OpenAPI document and the SDK typings all come from
 * these definitions; nothing restates them.
 *
 * Definition files are platform-neutral (the host app imports them in the browser). Server-side
 * handlers live beside them in `*.handler.ts` files, typed from the definition with
 * {@link defineHandlers}, and are attached by `capabilities/handlers.ts`.
 */
import type { ErrorCode } from '../protocol/errors.ts';
import type { Bilingual } from '../protocol/text.ts';
import type { CapabilityContext } from './context.ts';
import type { DeepReadonly, FromSchema, JSONSchema } from './schema-types.ts';

// --- categories ------------------------------------------------------------------------------

/** The four categories, in catalog order. */
export const CATEGORIES = [
  { id: 'payment', title: 'Payment', titleZh: '支付', description: 'Cashier, orders, refunds, deposits, escrow and agreements, settled on the bank ledger.' },
  { id: 'member', title: 'Membership', titleZh: '会员', description: 'Login, profile, consented personal data, tiers, points and cards.' },
  { id: 'marketing', title: 'Marketing', titleZh: '营销', description: 'Coupons, campaigns, draws, messages, sharing, referrals and analytics.' },
  { id: 'base', title: 'Base app', titleZh: '基础', description: 'System, navigation, UI, storage, network and other app basics.' },
] as const;

/** A capability category. */
export type Category = (typeof CATEGORIES)[number]['id'];

/** A capability id: `<category>.<name>`, e.g. `payment.cashier`. */
export type CapabilityId = `${Category}.${string}`;

// --- consent scopes --------------------------------------------------------------------------

/**
 * Consent scopes: what a user agrees to share with one mini-app, asked once in a host sheet. The
 * description is what the consent sheet says is shared, in the host's two languages.
 */
export const SCOPES = {
  'scope.userInfo': { title: 'Profile', titleZh: '头像和昵称', description: { zh: '昵称、头像和地区。', en: 'Nickname, avatar and region.' } },
  'scope.phone': { title: 'Phone number', titleZh: '手机号', description: { zh: '银行账户绑定的手机号。', en: 'The phone number bound to the bank account.' } },
  'scope.realName': { title: 'Real-name status', titleZh: '实名信息', description: { zh: '是否已实名认证，以及脱敏姓名和凭证。', en: 'Whether you are verified, with a masked name and a token.' } },
  'scope.address': { title: 'Shipping address', titleZh: '收货地址', description: { zh: '您选择的一个收货地址。', en: 'One shipping address you pick.' } },
  'scope.invoice': { title: 'Invoice title', titleZh: '发票抬头', description: { zh: '您选择的一个发票抬头。', en: 'One invoice title you pick.' } },
  'scope.wallet': { title: 'Wallet balance', titleZh: '钱包余额', description: { zh: '钱包账户的余额。', en: 'The balance of your wallet.' } },
  'scope.location': { title: 'Location', titleZh: '位置信息', description: { zh: '设备的当前位置。', en: "The device's current location." } },
  'scope.clipboard': { title: 'Clipboard', titleZh: '剪贴板', description: { zh: '读取剪贴板中的文字。', en: 'Reading the text on the clipboard.' } },
} as const satisfies Record<`scope.${string}`, { title: string; titleZh: string; description: Bilingual }>;

/** A consent scope id. */
export type ScopeId = keyof typeof SCOPES;

/** A scope a capability or method needs, with the purpose shown in the consent sheet. */
export interface ScopeRequirement {
  readonly id: ScopeId;
  /**
   * Why the app needs it, in Chinese (the host's default) and English. The merchant's own reason
   * (manifest) is shown beside it.
   */
  readonly purpose: Bilingual;
}

// --- rate tiers ------------------------------------------------------------------------------

/** Flow-control tiers. */
export type RateTier = 'light' | 'standard' | 'sensitive' | 'payment';

/** The limits of one tier. */
export interface RateTierLimits {
  /** Guest calls per minute per app × user (token bucket refilled evenly over the minute). */
  readonly perMinute: number;
  /** Calls allowed at once above the even rate. */
  readonly burst: number;
  /** Open API calls per minute per app (all its merchant servers together). */
  readonly openApiPerMinute: number;
  readonly description: string;
}

/**
 * Default per-tier limits. Ops may grant a stricter quota per app and capability; the flow-control
 * gate applies the stricter of the two.
 */
export const RATE_TIERS = {
  light: { perMinute: 600, burst: 60, openApiPerMinute: 6000, description: 'Cheap reads and host UI: system info, storage, logs.' },
  standard: { perMinute: 120, burst: 20, openApiPerMinute: 1200, description: 'Ordinary reads and writes backed by the store.' },
  sensitive: { perMinute: 20, burst: 5, openApiPerMinute: 300, description: 'Personal data, outbound requests, support hand-off.' },
  payment: { perMinute: 10, burst: 5, openApiPerMinute: 600, description: 'Money movement and anything behind a PIN.' },
} as const satisfies Record<RateTier, RateTierLimits>;

// --- confirm sheets --------------------------------------------------------------------------

/** Host-rendered confirmation sheets. The host, never the mini-app, shows amounts and merchant. */
export const CONFIRM_KINDS = {
  cashier: 'Cashier: amount, merchant, coupons and campaigns, payment method, PIN.',
  points: 'Points redemption: points to spend and what they buy.',
  agreement: 'Password-free payment agreement: merchant, per-charge and daily limits.',
  phoneCall: 'Outgoing phone call: the number to dial.',
  hold: 'Pre-authorization hold: amount held, merchant, expiry, PIN.',
  topUp: 'Wallet top-up: amount and source card, PIN.',
  verification: 'Step-up verification: PIN or one-time code, with the reason.',
  card: 'Add a membership card to the card pack.',
  openApp: 'Leave for another mini-app.',
} as const;

/** A confirm sheet kind. */
export type ConfirmKind = keyof typeof CONFIRM_KINDS;

/** A confirm sheet and what it shows. */
export interface ConfirmSheet {
  readonly kind: ConfirmKind;
  /**
   * What the sheet shows: param names (`templateIds`) or facts the host resolves from the server
   * (`order.amount`, `merchant.name`), never text the mini-app supplies.
   */
  readonly shows: readonly string[];
}

// --- methods ---------------------------------------------------------------------------------

/** One worked example of a method; shown in the catalog and checked against the schemas. */
export interface MethodExample<P extends JSONSchema = JSONSchema, R extends JSONSchema = JSONSchema> {
  readonly title: string;
  readonly params: DeepReadonly<FromSchema<P>>;
  readonly result: DeepReadonly<FromSchema<R>>;
}

/** A guest method. */
export interface MethodSpec<P extends JSONSchema = JSONSchema, R extends JSONSchema = JSONSchema> {
  /** One line, imperative, shown in the catalog and SDK. */
  readonly summary: string;
  /** Longer notes (markdown), optional. */
  readonly description?: string;
  /** Params schema: an object schema with `additionalProperties: false`. */
  readonly params: P;
  /** Result schema. */
  readonly result: R;
  /** Codes this method itself can answer (the gates add theirs, listed in the catalog). */
  readonly errors: readonly ErrorCode[];
  /** At least one. */
  readonly examples: readonly MethodExample<P, R>[];
  /** Overrides the capability's scope: a different one, or `null` for none. */
  readonly scope?: ScopeRequirement | null;
  /** Overrides the capability's confirm sheet: a different one, or `null` for none. */
  readonly confirm?: ConfirmSheet | null;
  /** Must be called while handling a user tap (the host refuses it otherwise). */
  readonly userGesture?: boolean;
  /** For listener methods (`onX`): the payload of each event the host delivers. */
  readonly emits?: JSONSchema;
}

/** Methods by name. */
export type MethodMap = { readonly [name: string]: MethodSpec<JSONSchema, JSONSchema> };

/** The params a method's handler receives. */
export type ParamsOf<M> = M extends { readonly params: infer P } ? FromSchema<P> : never;
/** The result a method's handler returns. */
export type ResultOf<M> = M extends { readonly result: infer R } ? FromSchema<R> : never;

/** A server-side handler, typed from its method's schemas. */
export type Handler<M> = (ctx: CapabilityContext, params: ParamsOf<M>) => Promise<ResultOf<M>>;

/** Handlers of a capability's methods. */
export type HandlerMap<M extends MethodMap> = { readonly [K in keyof M]?: Handler<M[K]> };

/** A handler with its types erased, as the registry stores it. */
export type AnyHandler = (ctx: CapabilityContext, params: never) => Promise<unknown>;

// --- Open API --------------------------------------------------------------------------------

/** HTTP methods an Open API route may use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A merchant-server route under `/open/v1`. */
export interface OpenApiRoute {
  readonly method: HttpMethod;
  /** `/open/v1/...`; `{name}` segments are path params and must appear in `params`. */
  readonly path: `/open/v1/${string}`;
  /** Unique across the catalog, lowerCamelCase. */
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  /** Path and query params as one object schema (path params are the `{name}` segments). */
  readonly params?: JSONSchema;
  /** JSON request body schema (POST and PUT). */
  readonly body?: JSONSchema;
  /** JSON response body schema (200). */
  readonly result: JSONSchema;
  /** Codes this route itself can answer (signing, idempotency and rate limits are added). */
  readonly errors: readonly ErrorCode[];
  /** True when repeating the call has no further effect even with a new Idempotency-Key. */
  readonly idempotent: boolean;
}

/** Codes any guest call can answer besides its method's own: the bridge and the three gates. */
export const GUEST_COMMON_ERRORS = [
  'INVALID_PARAMS',
  'PAYLOAD_TOO_LARGE',
  'UNKNOWN_CAPABILITY',
  'LAUNCH_TOKEN_INVALID',
  'PERMISSION_DENIED',
  'CAPABILITY_NOT_DECLARED',
  'APP_SUSPENDED',
  'APP_NOT_LIVE',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'CIRCUIT_OPEN',
  'TIMEOUT',
  'UNAVAILABLE',
  'INTERNAL',
] as const satisfies readonly ErrorCode[];

/** Added to {@link GUEST_COMMON_ERRORS} for methods that need a consent scope. */
export const CONSENT_ERRORS = ['CONSENT_REQUIRED', 'CONSENT_EXPIRED'] as const satisfies readonly ErrorCode[];

/** Codes any Open API call can answer besides its route's own: signing, grants, flow control. */
export const OPEN_API_COMMON_ERRORS = [
  'INVALID_PARAMS',
  'ROUTE_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'SIGNATURE_MISSING',
  'SIGNATURE_INVALID',
  'TIMESTAMP_OUT_OF_WINDOW',
  'NONCE_REPLAYED',
  'KEY_REVOKED',
  'PERMISSION_DENIED',
  'APP_SUSPENDED',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'CIRCUIT_OPEN',
  'TIMEOUT',
  'UNAVAILABLE',
  'INTERNAL',
] as const satisfies readonly ErrorCode[];

/** Added to {@link OPEN_API_COMMON_ERRORS} for routes with a JSON body (POST, PUT). */
export const OPEN_API_BODY_ERRORS = [
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_REQUIRED',
  'IDEMPOTENCY_CONFLICT',
  'IDEMPOTENCY_IN_PROGRESS',
] as const satisfies readonly ErrorCode[];

// --- capabilities ----------------------------------------------------------------------------

/** Who answers a capability's guest calls. */
export type Side = 'host' | 'server';

/** A capability definition, as `defineCapability` returns it. */
export interface CapabilityDefinition<
  M extends MethodMap = MethodMap,
  O extends readonly OpenApiRoute[] = readonly OpenApiRoute[],
> {
  readonly id: CapabilityId;
  /** English title. */
  readonly title: string;
  /** Chinese title (the UI is Chinese by default). */
  readonly titleZh: string;
  /** One or two sentences. */
  readonly description: string;
  /** Consent scope every method needs unless the method overrides it. */
  readonly scope?: ScopeRequirement;
  /** `host`: the host app answers (UI, device); `server`: the server runs a handler. */
  readonly side: Side;
  readonly rateTier: RateTier;
  /** Confirm sheet every method shows unless the method overrides it. */
  readonly confirm?: ConfirmSheet;
  readonly methods: M;
  /** Merchant-server routes (may be empty). */
  readonly openApi: O;
  /** Markdown documentation: what it is for, rules, pitfalls. */
  readonly docs: string;
  /** Handlers defined inline (server side only); most live in `*.handler.ts`. */
  readonly handlers?: HandlerMap<M>;
}

/**
 * The purpose shown for a scope: the one of the first capability (or method) that declares it,
 * else the scope's own description. One lookup for the consent sheet, the stored consent and
 * the guest's settings.
 *
 * @example
 * ```ts
 * scopePurpose(capabilities, 'scope.location').zh; // '查找您附近的地点，例如上车点或影院。'
 * ```
 */
export function scopePurpose(defs: Iterable<Pick<CapabilityDefinition, 'scope' | 'methods'>>, scope: ScopeId): Bilingual {
  for (const def of defs) {
    if (def.scope?.id === scope) return def.scope.purpose;
    for (const m of Object.values(def.methods)) if (m.scope?.id === scope) return m.scope.purpose;
  }
  return SCOPES[scope].description;
}

/** The category of a capability id. */
export function categoryOf(id: string): Category {
  return id.slice(0, id.indexOf('.')) as Category;
}

/** The short name of a capability id (`payment.cashier` → `cashier`). */
export function nameOf(id: string): string {
  return id.slice(id.indexOf('.') + 1);
}

/** Each method's examples, checked against that method's own schemas. */
type CheckedMethods<M> = {
  readonly [K in keyof M]: M[K] extends { readonly params: infer P extends JSONSchema; readonly result: infer R extends JSONSchema }
    ? MethodSpec<P, R>
    : MethodSpec;
};

/**
 * Declares a capability. Returns the definition unchanged, typed so that handlers and examples
 * are checked against the schemas.
 *
 * @example
 * ```ts
 * export default defineCapability({
 *   id: 'base.log', title: 'Logs', titleZh: '日志', description: 'Send logs to the merchant console.',
 *   side: 'server', rateTier: 'light',
 *   methods: {
 *     log: {
 *       summary: 'Write one log line.',
 *       params: { type: 'object', additionalProperties: false, required: ['message'],
 *         properties: { message: { type: 'string', maxLength: 2000, description: 'The text.' } } },
 *       result: { type: 'object', additionalProperties: false, required: ['ok'],
 *         properties: { ok: { type: 'boolean', description: 'Always true.' } } },
 *       errors: [],
 *       examples: [{ title: 'Log', params: { message: 'hi' }, result: { ok: true } }],
 *     },
 *   },
 *   openApi: [],
 *   docs: '# Logs',
 * });
 * ```
 */
export function defineCapability<const M extends MethodMap, const O extends readonly OpenApiRoute[]>(
  def: CapabilityDefinition<M, O> & { readonly methods: CheckedMethods<M> },
): CapabilityDefinition<M, O> {
  return def;
}

/**
 * Declares the server handlers of a capability, typed from its definition.
 *
 * @example
 * ```ts
 * export const logHandlers = defineHandlers(log, {
 *   log: async (ctx, params) => { await write(ctx, params.message); return { ok: true }; },
 * });
 * ```
 */
export function defineHandlers<M extends MethodMap>(
  capability: CapabilityDefinition<M, readonly OpenApiRoute[]>,
  handlers: NoInfer<{ readonly [K in keyof M]: Handler<M[K]> }>,
): CapabilityHandlers {
  return { id: capability.id, handlers: handlers as unknown as Readonly<Record<string, AnyHandler>> };
}

/** Handlers attached to a capability, as `capabilities/handlers.ts` collects them. */
export interface CapabilityHandlers {
  readonly id: CapabilityId;
  readonly handlers: Readonly<Record<string, AnyHandler>>;
}
