/**
 * The developer catalog: `GET /api/catalog` (generated from the capability registry), the OpenAPI
 * document and the SDK typings. The host container also reads method lists, scopes and confirm
 * sheets from it.
 */
import type { Bilingual } from '../../../protocol/text.ts';
import { get, getText } from './http.ts';

/** A JSON Schema as the catalog carries it. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: (string | number | boolean | null)[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  additionalProperties?: boolean | JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  $ref?: string;
  [key: string]: unknown;
}

/** A scope requirement. */
export interface CatalogScope {
  id: string;
  purpose: Bilingual;
}

/** A confirm sheet declaration. */
export interface CatalogConfirm {
  kind: string;
  shows: string[];
}

/** A guest method. */
export interface CatalogMethod {
  name: string;
  call: string;
  alias: string | null;
  summary: string;
  description: string | null;
  scope: CatalogScope | null;
  confirm: CatalogConfirm | null;
  userGesture: boolean;
  params: JsonSchema;
  result: JsonSchema;
  emits: JsonSchema | null;
  errors: string[];
  examples: { title: string; params: unknown; result: unknown }[];
}

/** An Open API route of a capability. */
export interface CatalogRoute {
  operationId: string;
  method: string;
  path: string;
  summary: string;
  description: string | null;
  idempotent: boolean;
  params: JsonSchema | null;
  body: JsonSchema | null;
  result: JsonSchema;
  errors: string[];
}

/** A capability. */
export interface CatalogCapability {
  id: string;
  category: string;
  name: string;
  title: string;
  titleZh: string;
  description: string;
  side: 'host' | 'server';
  rateTier: string;
  scope: CatalogScope | null;
  confirm: CatalogConfirm | null;
  methods: CatalogMethod[];
  openApi: CatalogRoute[];
  docs: string;
}

/** The whole catalog. */
export interface Catalog {
  version: number;
  counts: { capabilities: number; methods: number; openApiRoutes: number; byCategory: Record<string, number> };
  categories: { id: string; title: string; titleZh: string; description: string; capabilities: string[] }[];
  capabilities: CatalogCapability[];
  scopes: Record<string, { title: string; titleZh: string; description: Bilingual }>;
  confirmSheets: Record<string, string>;
  rateTiers: Record<string, { perMinute: number; burst: number; openApiPerMinute: number; description: string }>;
  commonErrors: { guest: string[]; guestWithScope: string[]; openApi: string[]; [key: string]: string[] };
  errors: Record<string, { status: number; fault: string; message: string }>;
}

/** An OpenAPI 3.1 operation, as much as the reference page reads. */
export interface OpenApiOperation {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: ({ name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema } | { $ref: string })[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> } | { $ref: string }>;
  [key: string]: unknown;
}

/** The OpenAPI document. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string; description?: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: Record<string, Record<string, unknown>>;
}

/** Where the downloads live. */
export const CATALOG_DOWNLOADS = {
  sdk: '/api/catalog/lily.d.ts',
  openapi: '/api/catalog/openapi.json',
  catalog: '/api/catalog',
} as const;

/** The catalog API. */
export const catalogApi = {
  catalog: () => get<Catalog>('/api/catalog'),
  openapi: () => get<OpenApiDocument>('/api/catalog/openapi.json'),
  sdk: () => getText('/api/catalog/lily.d.ts'),
};
