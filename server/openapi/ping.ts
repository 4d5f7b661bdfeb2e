/**
 * `GET /open/v1/ping` and `POST /open/v1/ping`: routes with no effect, for merchants checking that
 * they sign requests correctly (and that their clock is close to the bank's). The POST form echoes
 * its body, so a merchant can test body signing and idempotency too.
 */
import type { PlatformRoute, PlatformRouteSpec } from './types.ts';

const pingResult = {
  type: 'object',
  additionalProperties: false,
  required: ['appId', 'env', 'time'],
  properties: {
    appId: { type: 'string', maxLength: 64, description: 'The app whose key signed the request.' },
    env: { type: 'string', enum: ['sandbox', 'production'], description: 'The environment of the signing key.' },
    time: { type: 'string', maxLength: 32, description: 'The server time, ISO 8601.' },
    echo: { type: 'object', maxProperties: 50, additionalProperties: true, description: 'The POST body, as received.' },
  },
} as const;

const getPing = {
  method: 'GET',
  path: '/open/v1/ping',
  operationId: 'ping',
  summary: 'Check a signature: answers with the signing app, its environment and the server time.',
  result: pingResult,
  tier: 'light',
} as const satisfies PlatformRoute;

const postPing = {
  method: 'POST',
  path: '/open/v1/ping',
  operationId: 'pingPost',
  summary: 'Check a signed POST: echoes the JSON body with the signing app, its environment and the server time.',
  body: { type: 'object', maxProperties: 50, additionalProperties: true, description: 'Any JSON object.' },
  result: pingResult,
  bodyLimit: 16 * 1024,
  tier: 'light',
} as const satisfies PlatformRoute;

/** The ping routes with their handlers. */
export function pingRoutes(): [
  PlatformRouteSpec<undefined, undefined, typeof pingResult>,
  PlatformRouteSpec<undefined, typeof postPing.body, typeof pingResult>,
] {
  return [
    { ...getPing, handler: async (ctx) => ({ appId: ctx.appId, env: ctx.env, time: new Date(ctx.now()).toISOString() }) },
    {
      ...postPing,
      handler: async (ctx, { body }) => ({ appId: ctx.appId, env: ctx.env, time: new Date(ctx.now()).toISOString(), echo: body }),
    },
  ];
}
