/**
 * The mini-app manifest (`app.json`): its JSON Schema, its type, and a validator that explains
 * every bad field. Platform-neutral; the host validates again before it runs a package.
 */
import { Ajv, type ErrorObject, type JSONSchemaType } from 'ajv';
import semver from 'semver';
import { APP_ID_PATTERN } from '../../protocol/apps.ts';
import { LilyError } from '../../protocol/errors.ts';

/** One capability the mini-app asks for, with the reason shown to ops and users. */
export interface ManifestCapability {
  /** Capability id, e.g. `payment.cashier`. */
  id: string;
  /** Why the mini-app needs it (shown in review and in the consent sheet). */
  reason: string;
}

/** The manifest of a mini-app (`app.json`). */
export interface Manifest {
  /** Stable id: lower-case letters, digits, dots and dashes, e.g. `com.example.rides`. */
  appId: string;
  /** Display name. */
  name: string;
  /** Semantic version of this build. */
  version: string;
  /** Marketplace category, e.g. `ride-hailing`, `tickets`, `travel`. */
  category: string;
  /** Package asset shown as the icon, e.g. `assets/icon.png`. */
  icon: string;
  /** Page routes; the first is the home page. Each has a source file `<route>.{js,jsx,ts,tsx}`. */
  pages: string[];
  /** Capabilities the mini-app uses. */
  capabilities: ManifestCapability[];
  /** Host names the mini-app may reach with `base.request` and load images from. */
  domains: string[];
  /** Oldest host version able to run it. */
  minHostVersion: string;
  /** Optional one-line description for the marketplace. */
  description?: string;
}

/** Route of a page: `pages/<segments>`, letters, digits, `_` and `-`. */
export const PAGE_ROUTE_PATTERN = '^pages(/[A-Za-z0-9_-]{1,64}){1,4}$';
/** An asset path inside a package: `assets/…`, no `..`, no leading slash. */
export const ASSET_PATH_PATTERN = '^assets(/[A-Za-z0-9_][A-Za-z0-9._-]{0,127}){1,6}$';
// A host name, optionally with a port (`api.example.com`, `api.example.com:8443`), or `localhost`
// with a port for local development; `base.request` matches host and port exactly.
const HOST_PATTERN = '^((?=.{1,253}(:|$))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}|localhost)(:[1-9][0-9]{0,4})?$';

/** The JSON Schema of {@link Manifest}; the compiler checks it against the interface. */
export const MANIFEST_SCHEMA: JSONSchemaType<Manifest> = {
  $id: 'https://lily.example/schemas/manifest.json',
  type: 'object',
  additionalProperties: false,
  required: ['appId', 'name', 'version', 'category', 'icon', 'pages', 'capabilities', 'domains', 'minHostVersion'],
  properties: {
    appId: { type: 'string', minLength: 3, maxLength: 64, pattern: APP_ID_PATTERN },
    name: { type: 'string', minLength: 1, maxLength: 40 },
    version: { type: 'string', maxLength: 64, format: 'semver' },
    category: { type: 'string', pattern: '^[a-z][a-z0-9-]{1,31}$' },
    icon: { type: 'string', pattern: ASSET_PATH_PATTERN },
    pages: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      items: { type: 'string', pattern: PAGE_ROUTE_PATTERN },
    },
    capabilities: {
      type: 'array',
      maxItems: 48,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'reason'],
        properties: {
          id: { type: 'string', pattern: '^(payment|member|marketing|base)\\.[a-z][A-Za-z0-9]{0,39}$' },
          reason: { type: 'string', minLength: 4, maxLength: 200 },
        },
      },
    },
    domains: { type: 'array', maxItems: 20, uniqueItems: true, items: { type: 'string', pattern: HOST_PATTERN } },
    minHostVersion: { type: 'string', maxLength: 64, format: 'semver' },
    description: { type: 'string', maxLength: 200, nullable: true },
  },
};

/** What is wrong with one field: a JSON Pointer into the manifest and a sentence. */
export interface FieldError {
  field: string;
  message: string;
}

const HINTS: Record<string, string> = {
  appId: 'must be 3-64 lower-case letters, digits, dots or dashes, starting with a letter (e.g. com.example.rides)',
  version: 'must be a semantic version such as 1.2.0',
  minHostVersion: 'must be a semantic version such as 1.0.0',
  category: 'must be a lower-case word such as ride-hailing, tickets or travel',
  icon: 'must be a package asset path such as assets/icon.png',
  pages: 'must be a route such as pages/index/index',
  capabilities: 'must be a capability id such as payment.cashier',
  domains: 'must be a lower-case host name such as api.example.com, optionally with a port (api.example.com:8443, localhost:4100); no scheme or path',
};

let validator: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } = undefined as never;

function compiled(): typeof validator {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addFormat('semver', { type: 'string', validate: (v: string) => semver.valid(v) !== null });
    validator = ajv.compile(MANIFEST_SCHEMA);
  }
  return validator;
}

function describe(err: ErrorObject): FieldError {
  const top = err.instancePath.split('/')[1] ?? '';
  switch (err.keyword) {
    case 'required': {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      return { field: `${err.instancePath}/${missing}`, message: 'is required' };
    }
    case 'additionalProperties': {
      const extra = (err.params as { additionalProperty: string }).additionalProperty;
      return { field: `${err.instancePath}/${extra}`, message: `is not a manifest field (check the spelling)` };
    }
    case 'pattern':
    case 'format':
      return { field: err.instancePath, message: HINTS[top] ?? `is not in the expected format` };
    case 'uniqueItems':
      return { field: err.instancePath, message: 'must not list the same entry twice' };
    case 'type':
      return { field: err.instancePath || '/', message: `must be ${(err.params as { type: string }).type}` };
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
      return { field: err.instancePath, message: err.message ?? 'has the wrong size' };
    default:
      return { field: err.instancePath || '/', message: err.message ?? 'is invalid' };
  }
}

/**
 * Checks `data` against the manifest schema and the rules a schema cannot say (capability ids
 * listed once). Returns the manifest or throws `PACKAGE_INVALID` with `details.errors`, one
 * {@link FieldError} per bad field.
 *
 * @example
 * ```ts
 * try { validateManifest(JSON.parse(text)) }
 * catch (e) { if (e instanceof LilyError) console.log(e.details?.errors) } // [{ field: '/version', message: '…' }]
 * ```
 */
export function validateManifest(data: unknown): Manifest {
  const validate = compiled();
  const errors: FieldError[] = [];
  if (!validate(data)) {
    const seen = new Set<string>();
    for (const e of validate.errors ?? []) {
      const fe = describe(e);
      const key = `${fe.field}|${fe.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        errors.push(fe);
      }
    }
  } else {
    const m = data as Manifest;
    const ids = new Set<string>();
    m.capabilities.forEach((c, i) => {
      if (ids.has(c.id)) errors.push({ field: `/capabilities/${i}/id`, message: `lists ${c.id} twice` });
      ids.add(c.id);
    });
  }
  if (errors.length > 0) {
    const summary = errors
      .slice(0, 3)
      .map((e) => `${e.field} ${e.message}`)
      .join('; ');
    throw new LilyError('PACKAGE_INVALID', `app.json is invalid: ${summary}${errors.length > 3 ? '; …' : ''}`, { errors });
  }
  return data as Manifest;
}
