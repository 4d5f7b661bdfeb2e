/**
 * The capability registry: loads definitions, checks them, compiles every validator once, and
 * answers lookups, validation and handler dispatch for the bridge, the Open API and the catalog.
 *
 * Definitions come from the explicit index (`capabilities/index.ts`), never from scanning the
 * file system, so the browser can build a registry too. Server handlers are attached by
 * `capabilities/handlers.ts`.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isErrorCode, LilyError } from '../protocol/errors.ts';
import type { CapabilityContext } from './context.ts';
import {
  CATEGORIES,
  CONFIRM_KINDS,
  RATE_TIERS,
  SCOPES,
  categoryOf,
  type AnyHandler,
  type CapabilityDefinition,
  type CapabilityHandlers,
  type Category,
  type ConfirmSheet,
  type MethodSpec,
  type OpenApiRoute,
  type ScopeRequirement,
} from './define.ts';
import { lintSchema } from './lint.ts';
import type { JSONSchema } from './schema-types.ts';

/** A definition with its types erased, as the registry holds it. */
export type AnyCapability = CapabilityDefinition<{ readonly [name: string]: MethodSpec }, readonly OpenApiRoute[]>;

/** A handler the registry can call: params already validated. */
export type BoundHandler = (ctx: CapabilityContext, params: unknown) => Promise<unknown>;

/** A method as registered: its definition, effective scope and confirm sheet, and validators. */
export interface RegisteredMethod {
  readonly capability: AnyCapability;
  readonly name: string;
  readonly spec: MethodSpec;
  /** The scope the consent gate checks (method override, else the capability's), or null. */
  readonly scope: ScopeRequirement | null;
  /** The confirm sheet the host shows (method override, else the capability's), or null. */
  readonly confirm: ConfirmSheet | null;
  readonly validateParams: ValidateFunction;
  readonly validateResult: ValidateFunction;
}

/** One Open API route with the capability that owns it. */
export interface RegisteredRoute {
  readonly capability: AnyCapability;
  readonly route: OpenApiRoute;
}

/** A field-level validation problem, as `INVALID_PARAMS` details carry it. */
export interface FieldError {
  /** JSON Pointer of the field (`/items/0/name`; `''` for the params object itself). */
  readonly path: string;
  /** The field as people write it (`items[0].name`). */
  readonly field: string;
  readonly message: string;
}

/**
 * Lookups, validation and dispatch over a checked set of definitions. Immutable once built.
 */
export interface Registry {
  /** The definition with that id, or undefined. */
  get(id: string): AnyCapability | undefined;
  /** A registered method, or undefined. */
  method(id: string, name: string): RegisteredMethod | undefined;
  /** The capability id and method a flat alias (`lily.requestPayment`) stands for. */
  resolveAlias(methodName: string): { readonly id: string; readonly method: string } | undefined;
  /** Throws `INVALID_PARAMS` naming each bad field, or `UNKNOWN_CAPABILITY`. */
  validateParams(id: string, method: string, params: unknown): void;
  /** Throws `INTERNAL` when a handler answered outside its result schema. */
  validateResult(id: string, method: string, result: unknown): void;
  /** The server handler, the `UNAVAILABLE` placeholder, or throws `UNKNOWN_CAPABILITY`. */
  handlerFor(id: string, method: string): BoundHandler;
  /** True when a real handler (not the placeholder) is attached. */
  hasHandler(id: string, method: string): boolean;
  /** Validates params, runs the handler, checks the result against its schema. */
  invoke(ctx: CapabilityContext, id: string, method: string, params: unknown): Promise<unknown>;
  /** Every capability, in index order. */
  list(): readonly AnyCapability[];
  /** Capabilities grouped by category, categories in catalog order. */
  byCategory(): Readonly<Record<Category, readonly AnyCapability[]>>;
  /** Every Open API route. */
  routes(): readonly RegisteredRoute[];
}

/** Options of {@link createRegistry}. */
export interface RegistryOptions {
  /** Server handlers to attach (see `capabilities/handlers.ts`). */
  readonly handlers?: readonly CapabilityHandlers[];
}

const ID = /^(payment|member|marketing|base)\.[a-z][A-Za-z0-9]*$/;
const NAME = /^[a-z][A-Za-z0-9]*$/;

/** Turns an ajv error list into field errors. */
export function fieldErrors(errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors ?? []) {
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path += `/${String(e.params['missingProperty'])}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path += `/${String(e.params['additionalProperty'])}`;
      message = 'is not an allowed field';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const field = path === '' ? 'params' : path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc === '' ? seg : `${acc}.${seg}`), '');
    if (!out.some((o) => o.path === path && o.message === message)) out.push({ path, field, message });
  }
  return out.slice(0, 20);
}

/**
 * Builds a registry. Throws one `Error` listing every problem when a definition is invalid:
 * duplicate ids, method names or operation ids, schemas that break the house rules or ajv's
 * strict mode, unknown error codes, scopes or sheets, examples that do not validate.
 *
 * @example
 * ```ts
 * const registry = createRegistry(capabilities, { handlers: createServerHandlers() });
 * registry.validateParams('base.storage', 'setStorage', { key: 'k', data: 1 });
 * ```
 */
export function createRegistry(defs: readonly AnyCapability[], options: RegistryOptions = {}): Registry {
  const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
  const problems: string[] = [];
  const byId = new Map<string, AnyCapability>();
  const methods = new Map<string, RegisteredMethod>();
  const aliases = new Map<string, { id: string; method: string }>();
  const handlers = new Map<string, BoundHandler>();
  const operationIds = new Set<string>();
  const routeKeys = new Set<string>();
  const routes: RegisteredRoute[] = [];

  const compile = (schema: JSONSchema, where: string): ValidateFunction => {
    problems.push(...lintSchema(schema, where));
    try {
      return ajv.compile(schema);
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
      return ajv.compile({});
    }
  };
  const checkScope = (scope: ScopeRequirement | null | undefined, where: string): void => {
    if (!scope) return;
    if (!(scope.id in SCOPES)) problems.push(`${where}: unknown scope "${scope.id}"`);
    if (!scope.purpose?.zh?.trim() || !scope.purpose?.en?.trim()) problems.push(`${where}: scope needs a purpose in Chinese and English`);
  };
  const checkConfirm = (confirm: ConfirmSheet | null | undefined, where: string): void => {
    if (!confirm) return;
    if (!(confirm.kind in CONFIRM_KINDS)) problems.push(`${where}: unknown confirm sheet "${confirm.kind}"`);
    if (!Array.isArray(confirm.shows) || confirm.shows.length === 0) problems.push(`${where}: confirm sheet must list what it shows`);
  };
  const checkErrors = (codes: readonly string[], where: string): void => {
    for (const code of codes) if (!isErrorCode(code)) problems.push(`${where}: unknown error code "${code}"`);
    if (new Set(codes).size !== codes.length) problems.push(`${where}: duplicate error codes`);
  };

  const attach = (def: AnyCapability, handlerMap: Readonly<Record<string, AnyHandler>>): void => {
    for (const [name, fn] of Object.entries(handlerMap)) {
      const key = `${def.id}#${name}`;
      if (!(name in (def.methods ?? {}))) problems.push(`${def.id}.${name}: handler for an unknown method`);
      else if (def.side !== 'server') problems.push(`${def.id}.${name}: host-side capabilities take no server handler`);
      else if (handlers.has(key)) problems.push(`${def.id}.${name}: handler attached twice`);
      else handlers.set(key, fn as unknown as BoundHandler);
    }
  };

  for (const def of defs) {
    const at = String(def.id);
    if (!ID.test(at)) problems.push(`${at}: id must be "<payment|member|marketing|base>.<lowerCamelName>"`);
    if (byId.has(at)) {
      problems.push(`${at}: duplicate capability id`);
      continue;
    }
    byId.set(at, def);
    for (const key of ['title', 'titleZh', 'description', 'docs'] as const) {
      if (typeof def[key] !== 'string' || def[key].trim() === '') problems.push(`${at}: ${key} is required`);
    }
    if (def.side !== 'host' && def.side !== 'server') problems.push(`${at}: side must be host or server`);
    if (!(def.rateTier in RATE_TIERS)) problems.push(`${at}: unknown rate tier "${def.rateTier}"`);
    checkScope(def.scope, at);
    checkConfirm(def.confirm, at);
    const names = Object.keys(def.methods ?? {});
    if (names.length === 0 && (def.openApi ?? []).length === 0) problems.push(`${at}: needs at least one method or Open API route`);

    for (const name of names) {
      const spec = def.methods[name]!;
      const where = `${at}.${name}`;
      if (!NAME.test(name)) problems.push(`${where}: method names are lowerCamelCase`);
      const other = aliases.get(name);
      if (other) problems.push(`${where}: duplicate method name (also ${other.id}.${name}); flat aliases must be unique`);
      else aliases.set(name, { id: at, method: name });
      if (!spec.summary?.trim()) problems.push(`${where}: summary is required`);
      if (spec.params?.type !== 'object') problems.push(`${where}: params must be an object schema`);
      checkErrors(spec.errors ?? [], where);
      checkScope(spec.scope, where);
      checkConfirm(spec.confirm, where);
      if (spec.emits) problems.push(...lintSchema(spec.emits, `${where} emits`));
      const validateParams = compile(spec.params, `${where} params`);
      const validateResult = compile(spec.result, `${where} result`);
      if (!spec.examples?.length) problems.push(`${where}: needs at least one example`);
      for (const [i, ex] of (spec.examples ?? []).entries()) {
        if (!ex.title?.trim()) problems.push(`${where} example ${i}: title is required`);
        if (!validateParams(ex.params)) problems.push(`${where} example "${ex.title}": params ${ajv.errorsText(validateParams.errors)}`);
        if (!validateResult(ex.result)) problems.push(`${where} example "${ex.title}": result ${ajv.errorsText(validateResult.errors)}`);
      }
      methods.set(`${at}#${name}`, {
        capability: def,
        name,
        spec,
        scope: spec.scope === undefined ? (def.scope ?? null) : spec.scope,
        confirm: spec.confirm === undefined ? (def.confirm ?? null) : spec.confirm,
        validateParams,
        validateResult,
      });
    }

    for (const route of def.openApi ?? []) {
      const where = `${at} ${route.method} ${route.path}`;
      routes.push({ capability: def, route });
      if (!['GET', 'POST', 'PUT', 'DELETE'].includes(route.method)) problems.push(`${where}: unsupported HTTP method`);
      if (!route.path.startsWith('/open/v1/')) problems.push(`${where}: paths start with /open/v1/`);
      if (!NAME.test(route.operationId)) problems.push(`${where}: operationId must be lowerCamelCase`);
      if (operationIds.has(route.operationId)) problems.push(`${where}: duplicate operationId "${route.operationId}"`);
      operationIds.add(route.operationId);
      const key = `${route.method} ${route.path.replace(/\{[^}]+\}/g, '{}')}`;
      if (routeKeys.has(key)) problems.push(`${where}: duplicate route`);
      routeKeys.add(key);
      if (!route.summary?.trim()) problems.push(`${where}: summary is required`);
      if (typeof route.idempotent !== 'boolean') problems.push(`${where}: idempotent must be true or false`);
      checkErrors(route.errors ?? [], where);
      for (const m of route.path.matchAll(/\{([^}]+)\}/g)) {
        const p = m[1]!;
        if (!route.params?.properties?.[p] || !route.params.required?.includes(p)) {
          problems.push(`${where}: path param "${p}" must be a required property of params`);
        }
      }
      if (route.params) {
        if (route.params.type !== 'object') problems.push(`${where}: params must be an object schema`);
        compile(route.params, `${where} params`);
      }
      if (route.body) {
        if (route.method === 'GET' || route.method === 'DELETE') problems.push(`${where}: ${route.method} takes no body`);
        if (route.body.type !== 'object') problems.push(`${where}: body must be an object schema`);
        compile(route.body, `${where} body`);
      }
      compile(route.result, `${where} result`);
    }

    if (def.handlers) attach(def, def.handlers as Readonly<Record<string, AnyHandler>>);
  }

  for (const set of options.handlers ?? []) {
    const def = byId.get(set.id);
    if (def) attach(def, set.handlers);
    else problems.push(`${set.id}: handlers for an unknown capability`);
  }

  if (problems.length > 0) throw new Error(`Invalid capability definitions:\n - ${problems.join('\n - ')}`);

  const list = [...byId.values()];
  const grouped = Object.fromEntries(CATEGORIES.map((c) => [c.id, list.filter((d) => categoryOf(d.id) === c.id)])) as Record<
    Category,
    AnyCapability[]
  >;

  const mustFind = (id: string, name: string): RegisteredMethod => {
    const m = methods.get(`${id}#${name}`);
    if (!m) throw new LilyError('UNKNOWN_CAPABILITY', `No method ${name} in capability ${id}.`);
    return m;
  };
  const placeholder = (side: 'host' | 'server'): BoundHandler => async () => {
    throw new LilyError(
      'UNAVAILABLE',
      side === 'server' ? 'This capability is not available yet.' : 'This capability is answered by the host app, not the server.',
    );
  };

  const registry: Registry = {
    get: (id) => byId.get(id),
    method: (id, name) => methods.get(`${id}#${name}`),
    resolveAlias: (name) => aliases.get(name),
    validateParams(id, name, params) {
      const m = mustFind(id, name);
      if (m.validateParams(params)) return;
      const errors = fieldErrors(m.validateParams.errors);
      const text = errors.map((e) => `${e.field} ${e.message}`).join('; ');
      throw new LilyError('INVALID_PARAMS', `Invalid params for ${id}.${name}: ${text}.`, { errors });
    },
    validateResult(id, name, result) {
      const m = mustFind(id, name);
      if (m.validateResult(result)) return;
      throw new LilyError('INTERNAL', `Handler of ${id}.${name} answered outside its result schema.`, {
        errors: fieldErrors(m.validateResult.errors),
      });
    },
    handlerFor(id, name) {
      const m = mustFind(id, name);
      return handlers.get(`${id}#${name}`) ?? placeholder(m.capability.side);
    },
    hasHandler: (id, name) => handlers.has(`${id}#${name}`),
    async invoke(ctx, id, name, params) {
      registry.validateParams(id, name, params);
      const result = await registry.handlerFor(id, name)(ctx, params);
      registry.validateResult(id, name, result);
      return result;
    },
    list: () => list,
    byCategory: () => grouped,
    routes: () => routes,
  };
  return registry;
}
