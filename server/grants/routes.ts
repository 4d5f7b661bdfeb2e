/**
 * The grants API for ops: per app and environment, the capabilities the manifest requests beside
 * those granted; grant (with an optional quota) and revoke, each audited. Admins only.
 */
import { Router } from 'express';
import type { Registry } from '../../capabilities/registry.ts';
import { LilyError } from '../../protocol/errors.ts';
import type { AppService } from '../apps/apps.ts';
import { validateBody } from '../http/validate.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import type { Env } from '../policies/gates.ts';
import type { GrantService } from './grants.ts';

const grantSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['env', 'capability'],
  properties: {
    env: { type: 'string', enum: ['sandbox', 'production'] },
    capability: { type: 'string', minLength: 3, maxLength: 64 },
    quota: {
      type: 'object',
      additionalProperties: false,
      properties: {
        perMinute: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        dailyAmount: { type: 'integer', minimum: 1, maximum: 100_000_000_000 },
      },
    },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;

const revokeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['env', 'capability', 'reason'],
  properties: {
    env: { type: 'string', enum: ['sandbox', 'production'] },
    capability: { type: 'string', minLength: 3, maxLength: 64 },
    reason: { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;

/** The `/api/ops/apps/:appId/grants` routes. */
export function grantRoutes(deps: { grants: GrantService; apps: AppService; registry: Registry }): Router {
  const router = Router();

  router.get('/ops/apps/:appId/grants', requirePrincipal('ops', ['admin', 'reviewer']), async (req, res) => {
    const appId = String(req.params.appId);
    const app = await deps.apps.get(appId);
    const out: Record<string, unknown> = {};
    for (const env of ['sandbox', 'production'] as const) {
      const requested = app.releases[env]?.manifest.capabilities ?? [];
      const grants = await deps.grants.list(appId, env);
      const ids = new Set([...requested.map((c) => c.id), ...grants.map((g) => g.capability)]);
      out[env] = [...ids].sort().map((id) => {
        const g = grants.find((x) => x.capability === id);
        return {
          capability: id,
          requested: requested.some((c) => c.id === id),
          reason: requested.find((c) => c.id === id)?.reason ?? null,
          status: g?.status ?? 'not-granted',
          quota: g?.quota ?? null,
          decidedAt: (g?.revokedAt ?? g?.grantedAt)?.toISOString() ?? null,
        };
      });
    }
    res.json({ appId, ...out });
  });

  router.post('/ops/apps/:appId/grants', requirePrincipal('ops', ['admin']), validateBody(grantSchema), async (req, res) => {
    const appId = String(req.params.appId);
    const body = req.body as { env: Env; capability: string; quota?: { perMinute?: number; dailyAmount?: number }; reason?: string };
    if (!deps.registry.get(body.capability)) throw new LilyError('INVALID_PARAMS', `No capability ${body.capability}.`, { field: 'capability' });
    await deps.apps.get(appId);
    const p = principalOf(req);
    const grant = await deps.grants.grant({ appId, ...body }, { kind: 'ops', id: p.id });
    res.json({ appId, env: grant.env, capability: grant.capability, status: grant.status, quota: grant.quota });
  });

  router.post('/ops/apps/:appId/grants/revoke', requirePrincipal('ops', ['admin']), validateBody(revokeSchema), async (req, res) => {
    const appId = String(req.params.appId);
    const body = req.body as { env: Env; capability: string; reason: string };
    const p = principalOf(req);
    const grant = await deps.grants.revoke({ appId, ...body }, { kind: 'ops', id: p.id });
    res.json({ appId, env: grant.env, capability: grant.capability, status: grant.status });
  });

  return router;
}
