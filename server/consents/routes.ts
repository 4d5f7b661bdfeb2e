/**
 * The consent API for the host app: the consent sheet's data (from the server, never from the
 * mini-app), the user's answer, the list of consents per app, and revocation in settings.
 */
import { Router } from 'express';
import { SCOPES, scopePurpose, type ScopeId } from '../../capabilities/define.ts';
import type { ConsentSheetData } from '../../protocol/consent.ts';
import type { Registry } from '../../capabilities/registry.ts';
import { LilyError } from '../../protocol/errors.ts';
import type { AppService } from '../apps/apps.ts';
import { validateBody } from '../http/validate.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import { storedPurpose, type ConsentService } from './consents.ts';

const SCOPE_IDS = Object.keys(SCOPES);

const decideSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['appId', 'scope', 'granted'],
  properties: {
    appId: { type: 'string', minLength: 3, maxLength: 64 },
    scope: { type: 'string', enum: SCOPE_IDS },
    granted: { type: 'boolean' },
  },
} as const;

/** The consent sheet of a scope for an app: the platform's purpose plus the merchant's own reasons. */
export async function consentSheet(deps: { apps: AppService; registry: Registry }, appId: string, scope: ScopeId): Promise<ConsentSheetData> {
  const app = await deps.apps.get(appId);
  const release = app.releases.production ?? app.releases.sandbox;
  const reasons: string[] = [];
  for (const def of deps.registry.list()) {
    const scopes = [def.scope?.id, ...Object.values(def.methods).map((m) => m.scope?.id)];
    if (!scopes.includes(scope)) continue;
    const declared = release?.manifest.capabilities.find((c) => c.id === def.id);
    if (declared) reasons.push(declared.reason);
  }
  const info = SCOPES[scope];
  return { appId, appName: app.name, appIcon: app.icon, scope, title: info.title, titleZh: info.titleZh, description: info.description, purpose: scopePurpose(deps.registry.list(), scope), reasons };
}

/** The `/api/consents` routes. */
export function consentRoutes(deps: { consents: ConsentService; apps: AppService; registry: Registry }): Router {
  const router = Router();
  router.use('/consents', requirePrincipal('user'));

  router.get('/consents', async (req, res) => {
    const appId = typeof req.query.appId === 'string' ? req.query.appId : undefined;
    const list = await deps.consents.list(principalOf(req).id, appId);
    const byApp = new Map<string, { appId: string; appName: string; scopes: unknown[] }>();
    for (const c of list) {
      let entry = byApp.get(c.appId);
      if (!entry) {
        const app = await deps.apps.get(c.appId).catch(() => null);
        entry = { appId: c.appId, appName: app?.name ?? c.appId, scopes: [] };
        byApp.set(c.appId, entry);
      }
      entry.scopes.push({
        scope: c.scope,
        title: SCOPES[c.scope as ScopeId]?.title ?? c.scope,
        titleZh: SCOPES[c.scope as ScopeId]?.titleZh ?? c.scope,
        status: c.expiresAt !== null && c.expiresAt.getTime() <= Date.now() ? 'expired' : c.status,
        purpose: storedPurpose(c.purpose),
        decidedAt: c.decidedAt.toISOString(),
        expiresAt: c.expiresAt?.toISOString() ?? null,
      });
    }
    res.json({ apps: [...byApp.values()] });
  });

  router.get('/consents/sheet', async (req, res) => {
    const appId = String(req.query.appId ?? '');
    const scope = String(req.query.scope ?? '');
    if (!SCOPE_IDS.includes(scope)) throw new LilyError('INVALID_PARAMS', 'scope is not a known consent scope', { field: 'scope' });
    res.json(await consentSheet(deps, appId, scope as ScopeId));
  });

  router.post('/consents', validateBody(decideSchema), async (req, res) => {
    const { appId, scope, granted } = req.body as { appId: string; scope: ScopeId; granted: boolean };
    const sheet = await consentSheet(deps, appId, scope);
    const doc = await deps.consents.decide({ userId: principalOf(req).id, appId, scope, purpose: sheet.purpose, granted });
    res.json({ appId, scope, status: doc.status, expiresAt: doc.expiresAt?.toISOString() ?? null });
  });

  router.delete('/consents/:appId/:scope', async (req, res) => {
    const scope = String(req.params.scope);
    if (!SCOPE_IDS.includes(scope)) throw new LilyError('INVALID_PARAMS', 'scope is not a known consent scope', { field: 'scope' });
    await deps.consents.revoke(principalOf(req).id, String(req.params.appId), scope);
    res.status(204).end();
  });

  return router;
}
