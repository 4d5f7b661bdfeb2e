/**
 * The shapes Open API handlers see: the per-request context, the validated input, and the
 * handler and route types, inferred from a route's JSON Schemas when they are written `as const`.
 */
import type { HttpMethod, OpenApiRoute, RateTier } from '../../capabilities/define.ts';
import type { FromSchema, JSONSchema } from '../../capabilities/schema-types.ts';
import type { AuditInput } from '../audit/audit.ts';
import type { Logger } from '../log.ts';
import type { Env } from '../policies/gates.ts';
import type { Store, Transaction } from '../store/types.ts';

/**
 * What an Open API handler receives besides its input. Everything in it comes from the verified
 * signature, never from the request body: the app is the signing app, the environment is the
 * signing key's.
 */
export interface OpenApiContext {
  /** The app whose key signed the request. */
  readonly appId: string;
  /** The environment of the signing key: a sandbox key only ever acts in sandbox. */
  readonly env: Env;
  /** The serial of the key that signed the request. */
  readonly serial: string;
  /** The route's operationId. */
  readonly operationId: string;
  /** The store; use `store.transaction` for multi-document changes. */
  readonly store: Store;
  /** The request id (also in `X-Request-Id` and in every problem+json). */
  readonly requestId: string;
  /** The `Idempotency-Key` of a write, or null (GET). */
  readonly idempotencyKey: string | null;
  /** Milliseconds since the epoch (the framework's clock). */
  now(): number;
  /**
   * Appends an audit entry with the app as actor; `env` and `requestId` are added to `data`.
   * Pass `tx` to commit it with the change it records.
   */
  audit(entry: Omit<AuditInput, 'actor'>, tx?: Transaction): Promise<void>;
  /** The request's logger, bound to the request id, app and operation. */
  readonly log: Logger;
}

/** The schemas a route may carry. */
export interface RouteSchemas {
  readonly params?: JSONSchema;
  readonly body?: JSONSchema;
  readonly result?: JSONSchema;
}


/** The params type of a route: path and query params together, coerced to their schema types. */
export type RouteParams<R> = R extends { readonly params: infer P extends JSONSchema } ? SchemaValue<P, Record<string, unknown>> : Record<string, unknown>;
/** The body type of a route (undefined for routes without a body schema). */
export type RouteBody<R> = R extends { readonly body: infer B extends JSONSchema } ? SchemaValue<B, unknown> : unknown;
/** The result type of a route. */
export type RouteResult<R> = R extends { readonly result: infer S extends JSONSchema } ? SchemaValue<S, unknown> : unknown;

/** The validated input of a handler. */
export interface OpenApiInput<R = OpenApiRoute> {
  /** Path params and query params, validated (and coerced from strings) against the params schema. */
  readonly params: RouteParams<R>;
  /** The JSON body, validated against the body schema; undefined when there is none. */
  readonly body: RouteBody<R>;
}

/**
 * A route handler. Throw a `LilyError` to answer with a problem: caller-fault codes are stored
 * for idempotent retries, server-fault codes are not (so the request can be retried).
 */
export type OpenApiHandler<R = OpenApiRoute> = (ctx: OpenApiContext, input: OpenApiInput<R>) => Promise<RouteResult<R>>;

/** A route that is not a capability's: registered by another part of the platform. */
export interface PlatformRoute extends RouteSchemas {
  readonly method: HttpMethod;
  /** `/open/v1/...` with `{name}` path params (each a required property of `params`). */
  readonly path: `/open/v1/${string}`;
  /** Unique across all Open API routes, lowerCamelCase. */
  readonly operationId: string;
  /** One line for logs and listings. */
  readonly summary?: string;
  /** Largest request body in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Flow-control tier (default `standard`). */
  readonly tier?: RateTier;
}

/** The type a schema describes, or `fallback` when the schema is absent or not a literal. */
export type SchemaValue<S, Fallback> = [S] extends [undefined] ? Fallback : JSONSchema extends S ? Fallback : FromSchema<S>;

/**
 * A platform route with its handler, as `openApi.route()` takes it. The handler's input and
 * result types are inferred from the schemas when they are written inline or `as const`.
 */
export type PlatformRouteSpec<
  P extends JSONSchema | undefined = JSONSchema | undefined,
  B extends JSONSchema | undefined = JSONSchema | undefined,
  S extends JSONSchema | undefined = JSONSchema | undefined,
> = Omit<PlatformRoute, 'params' | 'body' | 'result'> & {
  readonly params?: P;
  readonly body?: B;
  readonly result?: S;
  readonly handler: (
    ctx: OpenApiContext,
    input: { readonly params: SchemaValue<P, Record<string, unknown>>; readonly body: SchemaValue<B, unknown> },
  ) => Promise<SchemaValue<S, unknown>>;
};

/** A route as the framework lists it. */
export interface RouteInfo {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
  /** The capability that declares it, or null for a platform route. */
  readonly capability: string | null;
  readonly tier: RateTier;
  readonly bodyLimit: number;
  /** False while no handler is registered: the route answers UNAVAILABLE. */
  readonly handled: boolean;
}
