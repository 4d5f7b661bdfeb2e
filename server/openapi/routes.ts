/**
 * The Open API route table: capability routes from the registry plus platform routes, matched on
 * the raw request path, with their validators compiled once.
 *
 * Params (path and query together) are validated with type coercion, because query strings are
 * text (`?limit=20` becomes the integer 20); bodies are validated without coercion.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { HttpMethod, RateTier } from '../../capabilities/define.ts';
import { fieldErrors, type RegisteredRoute } from '../../capabilities/registry.ts';
import type { JSONSchema } from '../../capabilities/schema-types.ts';
import { LilyError } from '../../protocol/errors.ts';
import type { OpenApiHandler, PlatformRoute, RouteInfo } from './types.ts';

/** The default request-body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** The largest per-route body limit accepted: 64 MiB. */
const MAX_BODY_LIMIT = 64 * 1024 * 1024;

type Segment = { literal: string } | { param: string };

/** A route in the table. */
export interface RouteEntry {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
  readonly capability: string | null;
  readonly tier: RateTier;
  readonly bodyLimit: number;
  readonly segments: readonly Segment[];
  readonly schemas: { readonly params?: JSONSchema; readonly body?: JSONSchema; readonly result?: JSONSchema };
  handler: OpenApiHandler<unknown> | undefined;
  /** Compiled on first use (capability schemas were already compiled by the registry). */
  validators?: { params?: ValidateFunction; body?: ValidateFunction; result?: ValidateFunction };
}

/** The result of matching a request path. */
export type Match =
  | { kind: 'found'; route: RouteEntry; pathParams: Record<string, string> }
  | { kind: 'wrong-method'; allow: HttpMethod[] }
  | { kind: 'none' };

const paramsAjv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true, coerceTypes: true });
const bodyAjv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
const OPERATION_ID = /^[a-z][A-Za-z0-9]*$/;

function parsePath(path: string): Segment[] {
  if (!path.startsWith('/open/v1/')) throw new Error(`Open API paths start with /open/v1/: ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((seg) => {
      const m = /^\{([A-Za-z][A-Za-z0-9_]*)\}$/.exec(seg);
      if (m) return { param: m[1]! };
      if (seg === '' || /[{}]/.test(seg)) throw new Error(`Bad Open API path segment "${seg}" in ${path}`);
      return { literal: seg };
    });
}

function shapeOf(segments: readonly Segment[]): string {
  return segments.map((s) => ('literal' in s ? s.literal : '{}')).join('/');
}

/** Turns ajv errors into an INVALID_PARAMS error naming each field. */
function invalidParams(what: string, operationId: string, validate: ValidateFunction): LilyError {
  const errors = fieldErrors(validate.errors);
  const text = errors.map((e) => `${e.field} ${e.message}`).join('; ');
  return new LilyError('INVALID_PARAMS', `Invalid ${what} for ${operationId}: ${text}.`, { errors });
}

/**
 * The table.
 *
 * @example
 * ```ts
 * const table = new RouteTable(registry.routes());
 * table.setHandler('queryOrder', handler);
 * const match = table.match('GET', '/open/v1/payments/orders/ord_123456');
 * ```
 */
export class RouteTable {
  private readonly byOperation = new Map<string, RouteEntry>();
  private readonly entries: RouteEntry[] = [];

  constructor(capabilityRoutes: readonly RegisteredRoute[]) {
    for (const { capability, route } of capabilityRoutes) {
      this.add({
        method: route.method,
        path: route.path,
        operationId: route.operationId,
        capability: capability.id,
        tier: capability.rateTier,
        bodyLimit: DEFAULT_BODY_LIMIT,
        segments: parsePath(route.path),
        schemas: { params: route.params, body: route.body, result: route.result },
        handler: undefined,
      });
    }
  }

  /** Adds a platform route (compiling its schemas now, so a bad schema fails at start-up). */
  addPlatformRoute(route: PlatformRoute, handler: OpenApiHandler<unknown>): RouteEntry {
    if (!OPERATION_ID.test(route.operationId)) throw new Error(`operationId must be lowerCamelCase: ${route.operationId}`);
    const bodyLimit = route.bodyLimit ?? DEFAULT_BODY_LIMIT;
    if (!Number.isInteger(bodyLimit) || bodyLimit < 0 || bodyLimit > MAX_BODY_LIMIT) {
      throw new Error(`${route.operationId}: bodyLimit must be an integer number of bytes up to ${MAX_BODY_LIMIT}`);
    }
    if ((route.method === 'GET' || route.method === 'DELETE') && route.body) throw new Error(`${route.operationId}: ${route.method} takes no body`);
    const segments = parsePath(route.path);
    for (const s of segments) {
      if ('param' in s && (!route.params?.properties?.[s.param] || !route.params.required?.includes(s.param))) {
        throw new Error(`${route.operationId}: path param "${s.param}" must be a required property of params`);
      }
    }
    const entry = this.add({
      method: route.method,
      path: route.path,
      operationId: route.operationId,
      capability: null,
      tier: route.tier ?? 'standard',
      bodyLimit,
      segments,
      schemas: { params: route.params, body: route.body, result: route.result },
      handler,
    });
    this.validators(entry);
    return entry;
  }

  /** Attaches the handler of a declared route. */
  setHandler(operationId: string, handler: OpenApiHandler<unknown>): RouteEntry {
    const entry = this.byOperation.get(operationId);
    if (!entry) throw new Error(`No Open API route with operationId "${operationId}"`);
    if (entry.handler) throw new Error(`The Open API route "${operationId}" already has a handler`);
    entry.handler = handler;
    return entry;
  }

  /** The route with that operationId. */
  get(operationId: string): RouteEntry | undefined {
    return this.byOperation.get(operationId);
  }

  /** Every route. */
  list(): RouteInfo[] {
    return this.entries.map((e) => ({
      method: e.method,
      path: e.path,
      operationId: e.operationId,
      capability: e.capability,
      tier: e.tier,
      bodyLimit: e.bodyLimit,
      handled: e.handler !== undefined,
    }));
  }

  /**
   * Matches a raw (still percent-encoded) path. When a literal segment and a `{param}` both fit,
   * the route with more literal segments wins.
   */
  match(method: string, rawPath: string): Match {
    const parts = rawPath.slice(1).split('/');
    const allow: HttpMethod[] = [];
    let best: { route: RouteEntry; pathParams: Record<string, string>; literals: number } | undefined;
    for (const entry of this.entries) {
      if (entry.segments.length !== parts.length) continue;
      const pathParams: Record<string, string> = {};
      let ok = true;
      let literals = 0;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = entry.segments[i]!;
        const part = parts[i]!;
        if ('literal' in seg) {
          ok = seg.literal === part;
          literals++;
        } else if (part === '') ok = false;
        else pathParams[seg.param] = part;
      }
      if (!ok) continue;
      if (entry.method !== method) {
        if (!allow.includes(entry.method)) allow.push(entry.method);
      } else if (!best || literals > best.literals) {
        best = { route: entry, pathParams, literals };
      }
    }
    if (!best) return allow.length > 0 ? { kind: 'wrong-method', allow } : { kind: 'none' };
    for (const [k, v] of Object.entries(best.pathParams)) {
      try {
        best.pathParams[k] = decodeURIComponent(v);
      } catch {
        throw new LilyError('INVALID_PARAMS', `The path parameter ${k} is not valid percent-encoding.`, { field: k });
      }
    }
    return { kind: 'found', route: best.route, pathParams: best.pathParams };
  }

  /**
   * Validates and coerces the params (path and query) of a request.
   *
   * @throws {LilyError} INVALID_PARAMS naming each bad field.
   */
  parseParams(entry: RouteEntry, pathParams: Record<string, string>, query: URLSearchParams): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    for (const [k, v] of query) {
      if (Object.prototype.hasOwnProperty.call(params, k)) {
        throw new LilyError('INVALID_PARAMS', `The query parameter ${k} is repeated; send it once.`, { field: k });
      }
      params[k] = v;
    }
    for (const [k, v] of Object.entries(pathParams)) params[k] = v;
    const validate = this.validators(entry).params;
    if (!validate) {
      if (Object.keys(params).length > 0) throw new LilyError('INVALID_PARAMS', `${entry.operationId} takes no query parameters.`);
      return params;
    }
    if (!validate(params)) throw invalidParams('params', entry.operationId, validate);
    return params;
  }

  /**
   * Validates a parsed JSON body (undefined when the request had none).
   *
   * @throws {LilyError} INVALID_PARAMS naming each bad field.
   */
  parseBody(entry: RouteEntry, body: unknown): unknown {
    const validate = this.validators(entry).body;
    if (!validate) {
      const empty = body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
      if (!empty) throw new LilyError('INVALID_PARAMS', `${entry.operationId} takes no request body.`);
      return undefined;
    }
    if (body === undefined) throw new LilyError('INVALID_PARAMS', `${entry.operationId} needs a JSON request body.`);
    if (!validate(body)) throw invalidParams('body', entry.operationId, validate);
    return body;
  }

  /** Checks a handler's result; returns the field errors when it is outside the result schema. */
  checkResult(entry: RouteEntry, result: unknown): ReturnType<typeof fieldErrors> | null {
    const validate = this.validators(entry).result;
    if (!validate || validate(result)) return null;
    return fieldErrors(validate.errors);
  }

  private validators(entry: RouteEntry): NonNullable<RouteEntry['validators']> {
    if (!entry.validators) {
      const where = `${entry.operationId}`;
      const compile = (ajv: Ajv, schema: JSONSchema | undefined, what: string): ValidateFunction | undefined => {
        if (!schema) return undefined;
        try {
          return ajv.compile(schema);
        } catch (err) {
          throw new Error(`${where} ${what} schema: ${(err as Error).message}`);
        }
      };
      entry.validators = {
        params: compile(paramsAjv, entry.schemas.params, 'params'),
        body: compile(bodyAjv, entry.schemas.body, 'body'),
        result: compile(bodyAjv, entry.schemas.result, 'result'),
      };
    }
    return entry.validators;
  }

  private add(entry: RouteEntry): RouteEntry {
    if (this.byOperation.has(entry.operationId)) throw new Error(`Duplicate Open API operationId "${entry.operationId}"`);
    const shape = shapeOf(entry.segments);
    for (const other of this.entries) {
      if (other.method === entry.method && shapeOf(other.segments) === shape) {
        throw new Error(`Open API route ${entry.method} ${entry.path} clashes with ${other.operationId} (${other.path})`);
      }
    }
    this.byOperation.set(entry.operationId, entry);
    this.entries.push(entry);
    return entry;
  }
}
