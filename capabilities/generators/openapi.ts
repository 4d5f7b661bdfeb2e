/**
 * The OpenAPI 3.1 document (`generated/openapi.json`) of every Open API route: signing scheme,
 * Idempotency-Key on POSTs, RFC 9457 problem+json errors with Lily's stable codes, request ids
 * and rate-limit headers.
 */
import { ERRORS, ERROR_CODES, type ErrorCode } from '../../protocol/errors.ts';
import { OPEN_API_BODY_ERRORS, OPEN_API_COMMON_ERRORS, RATE_TIERS, type OpenApiRoute } from '../define.ts';
import type { AnyCapability, Registry } from '../registry.ts';
import type { JSONSchema } from '../schema-types.ts';
import { GENERATED_COMMENT } from './catalog.ts';

const INFO_DESCRIPTION = `The Open API lets a merchant's own servers work with Lily: create orders and refunds, manage
holds, agreements, points, coupons and messages, and read statements.

## Signing

Every request is signed with the app's SM2 private key (SM3 digest, user id \`1234567812345678\`,
DER-encoded signature, base64) over

\`\`\`
METHOD\\nPATH[?QUERY]\\nTIMESTAMP\\nNONCE\\nBODY\\n
\`\`\`

and sent as \`Authorization: LILY-SM2-SM3 app_id="…",serial_no="…",timestamp="…",nonce="…",signature="…"\`.
The timestamp (Unix seconds) must be within 300 s of the server clock and each nonce is accepted
once per app. Responses are signed by the bank in the same way (\`Lily-Serial\`, \`Lily-Timestamp\`,
\`Lily-Nonce\`, \`Lily-Signature\` over \`TIMESTAMP\\nNONCE\\nBODY\\n\`): verify them.

## Idempotency

Every POST carries an \`Idempotency-Key\` (1–64 visible characters). The same key with the same
body returns the stored answer; with another body it answers \`IDEMPOTENCY_CONFLICT\`. Keys are
kept for 24 hours. Routes marked \`x-lily-idempotent: true\` are also idempotent by their
business number (e.g. \`outTradeNo\`).

## Errors

Errors are \`application/problem+json\` (RFC 9457) with a stable \`code\`, the \`requestId\` and,
for invalid params, \`details.errors[]\` naming each field. Branch on \`code\`, never on text.

## Limits

Each app has a per-minute budget per rate tier (${Object.entries(RATE_TIERS)
  .map(([tier, l]) => `${tier}: ${l.openApiPerMinute}`)
  .join(', ')}); every response carries \`RateLimit-Limit\`, \`RateLimit-Remaining\` and
\`RateLimit-Reset\`, and a 429 carries \`Retry-After\`.

## Environments

Sandbox and production are separate: credentials, funds and data never mix.`;

const header = (description: string, schema: JSONSchema) => ({ description, schema });

function problemResponse(codes: readonly ErrorCode[]) {
  return {
    description: codes.map((c) => `\`${c}\`: ${ERRORS[c].message}`).join('\n\n'),
    headers: { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } },
    content: {
      'application/problem+json': {
        schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'object', properties: { code: { enum: [...codes] } } }] },
      },
    },
  };
}

/** Error responses shared between operations, by their status and code set. */
class ErrorResponses {
  readonly components: Record<string, unknown> = {};
  private readonly names = new Map<string, string>();
  private readonly perStatus = new Map<number, number>();

  ref(status: number, codes: readonly ErrorCode[]): { $ref: string } {
    const key = `${status}:${codes.join(',')}`;
    let name = this.names.get(key);
    if (!name) {
      const n = (this.perStatus.get(status) ?? 0) + 1;
      this.perStatus.set(status, n);
      name = `Problem${status}${n === 1 ? '' : `_${n}`}`;
      this.names.set(key, name);
      const res = problemResponse(codes);
      if (status === 429) Object.assign(res.headers, { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } });
      this.components[name] = res;
    }
    return { $ref: `#/components/responses/${name}` };
  }
}

function operation(cap: AnyCapability, route: OpenApiRoute, errors: ErrorResponses) {
  const pathParams = new Set([...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!));
  const required = new Set(route.params?.required ?? []);
  const parameters: unknown[] = Object.entries(route.params?.properties ?? {}).map(([name, schema]) => ({
    name,
    in: pathParams.has(name) ? 'path' : 'query',
    required: pathParams.has(name) || required.has(name),
    description: schema.description,
    schema,
  }));
  if (route.method === 'POST') parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
  parameters.push({ $ref: '#/components/parameters/RequestId' });

  const codes = new Set<ErrorCode>([...OPEN_API_COMMON_ERRORS, ...route.errors]);
  if (route.body) {
    for (const c of OPEN_API_BODY_ERRORS) if (route.method === 'POST' || !c.startsWith('IDEMPOTENCY_')) codes.add(c);
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ERROR_CODES) {
    if (!codes.has(code)) continue;
    const status = ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {
    '200': {
      description: 'OK',
      headers: {
        'X-Request-Id': { $ref: '#/components/headers/RequestId' },
        'RateLimit-Limit': { $ref: '#/components/headers/RateLimitLimit' },
        'RateLimit-Remaining': { $ref: '#/components/headers/RateLimitRemaining' },
        'RateLimit-Reset': { $ref: '#/components/headers/RateLimitReset' },
        'Lily-Serial': { $ref: '#/components/headers/LilySerial' },
        'Lily-Timestamp': { $ref: '#/components/headers/LilyTimestamp' },
        'Lily-Nonce': { $ref: '#/components/headers/LilyNonce' },
        'Lily-Signature': { $ref: '#/components/headers/LilySignature' },
      },
      content: { 'application/json': { schema: route.result } },
    },
  };
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) responses[String(status)] = errors.ref(status, byStatus.get(status)!);

  const op: Record<string, unknown> = {
    operationId: route.operationId,
    summary: route.summary,
    description: [
      route.description,
      `Capability \`${cap.id}\` (${cap.titleZh}); rate tier \`${cap.rateTier}\`.`,
      route.idempotent ? 'Idempotent: repeating the call has no further effect.' : 'Not idempotent by itself: retry only with the same Idempotency-Key.',
    ]
      .filter(Boolean)
      .join('\n\n'),
    tags: [cap.id],
    parameters,
  };
  if (route.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: route.body } } };
  op['responses'] = responses;
  op['x-lily-capability'] = cap.id;
  op['x-lily-idempotent'] = route.idempotent;
  op['x-lily-rate-tier'] = cap.rateTier;
  return op;
}

/** Builds the OpenAPI 3.1 document as a plain JSON value. */
export function buildOpenApi(registry: Registry): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags: { name: string; description: string }[] = [];
  const errors = new ErrorResponses();
  for (const cap of registry.list()) {
    if (cap.openApi.length === 0) continue;
    tags.push({ name: cap.id, description: `${cap.title} (${cap.titleZh}): ${cap.description}` });
    for (const route of cap.openApi) {
      (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(cap, route, errors);
    }
  }
  const sortedPaths = Object.fromEntries(Object.keys(paths).sort().map((p) => [p, paths[p]]));
  return {
    'x-generated': GENERATED_COMMENT,
    openapi: '3.1.0',
    info: { title: 'Lily Open API', version: '1.0.0', description: INFO_DESCRIPTION },
    servers: [
      { url: 'https://open.lily.example', description: 'Production' },
      { url: 'https://sandbox.open.lily.example', description: 'Sandbox' },
    ],
    security: [{ LilySm2Sm3: [] }],
    tags,
    paths: sortedPaths,
    components: {
      securitySchemes: {
        LilySm2Sm3: {
          type: 'http',
          scheme: 'LILY-SM2-SM3',
          description:
            'SM2 signature with SM3 digest over `METHOD\\nPATH[?QUERY]\\nTIMESTAMP\\nNONCE\\nBODY\\n`, sent as ' +
            '`Authorization: LILY-SM2-SM3 app_id="…",serial_no="…",timestamp="…",nonce="…",signature="…"`. ' +
            'Timestamp within ±300 s; nonce unique per app; signature DER, base64; SM2 user id 1234567812345678.',
        },
      },
      responses: errors.components,
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: true,
          description: 'Unique per logical request; the same key and body return the stored answer for 24 hours.',
          schema: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[\\x21-\\x7e]{1,64}$' },
        },
        RequestId: {
          name: 'X-Request-Id',
          in: 'header',
          required: false,
          description: 'Your id for this request (echoed back); one is generated when absent.',
          schema: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9._-]{1,64}$' },
        },
      },
      headers: {
        RequestId: header('The request id; quote it to support.', { type: 'string', maxLength: 64 }),
        RateLimitLimit: header("Requests allowed per window for this app and the route's rate tier.", { type: 'integer', minimum: 0 }),
        RateLimitRemaining: header('Requests left in the current window.', { type: 'integer', minimum: 0 }),
        RateLimitReset: header('Seconds until the window resets.', { type: 'integer', minimum: 0 }),
        RetryAfter: header('Seconds to wait before retrying.', { type: 'integer', minimum: 0 }),
        LilySerial: header("Serial number of the bank's signing certificate.", { type: 'string', maxLength: 64 }),
        LilyTimestamp: header('Unix seconds when the bank signed the response.', { type: 'string', pattern: '^[0-9]{10}$' }),
        LilyNonce: header('Random nonce of the response signature.', { type: 'string', maxLength: 64 }),
        LilySignature: header('SM2 signature (DER, base64) over `TIMESTAMP\\nNONCE\\nBODY\\n`.', { type: 'string', maxLength: 200 }),
      },
      schemas: {
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details with a stable Lily error code.',
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: {
            type: { type: 'string', description: 'URI of the problem type.', maxLength: 200 },
            title: { type: 'string', description: 'The catalogue text of the code.', maxLength: 200 },
            status: { type: 'integer', description: 'HTTP status.', minimum: 400, maximum: 599 },
            detail: { type: 'string', description: 'What went wrong in this request.', maxLength: 2000 },
            code: { type: 'string', enum: [...ERROR_CODES], description: 'Stable error code; branch on it.' },
            requestId: { type: 'string', description: 'The request id.', maxLength: 64 },
            instance: { type: 'string', description: 'The request path.', maxLength: 512 },
            details: {
              type: 'object',
              description: 'Machine-readable facts, e.g. `errors: [{path, field, message}]` for INVALID_PARAMS.',
              additionalProperties: true,
            },
          },
        },
      },
    },
  };
}
