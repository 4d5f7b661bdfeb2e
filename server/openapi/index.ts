/**
 * The Open API framework: import from here.
 *
 * @example
 * ```ts
 * import { createOpenApi } from './openapi/index.ts';
 * const openApi = createOpenApi({ store, credentials, apps, audit, bankKeys, registry, log, limiter });
 * await openApi.init();
 * app.use('/open/v1', openApi.router); // before express.json()
 * ```
 */
export { createOpenApi, type OpenApi, type OpenApiDeps, type OpenApiOptions } from './openapi.ts';
export { AUTH_SCHEME, canonicalRequest, parseAuthorization, signResponse, type AuthorizationFields, type ResponseSignature } from './signing.ts';
export { requestFingerprint } from './idempotency.ts';
export { DEFAULT_BODY_LIMIT } from './routes.ts';
export type {
  OpenApiContext,
  OpenApiHandler,
  OpenApiInput,
  PlatformRoute,
  PlatformRouteSpec,
  RouteBody,
  RouteInfo,
  RouteParams,
  RouteResult,
  SchemaValue,
} from './types.ts';
