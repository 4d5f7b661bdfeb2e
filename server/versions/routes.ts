/**
 * Version routes: merchants upload packages, name sandbox testers, release approved versions
 * (full or grayscale) and roll back; ops read the review queue with each version's automated
 * report and capability diff, approve or reject; hosts report crashes for automatic rollback.
 */
import express, { Router } from 'express';
import { LilyError } from '../../protocol/errors.ts';
import { MAX_PACKAGE_FILE_BYTES } from '../../runtime/package/format.ts';
import type { AppService } from '../apps/apps.ts';
import { validateBody } from '../http/validate.ts';
import type { Identity } from '../identity/identity.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import type { LaunchTokens } from '../launch/tokens.ts';
import type { MerchantService } from '../merchants/merchants.ts';
import { ownedApp } from '../merchants/owned-app.ts';
import type { VersionDoc, VersionService } from './versions.ts';

/** The path of the package upload, which takes a body larger than the global JSON limit. */
export const UPLOAD_PATH = /^\/api\/merchant\/apps\/[^/]+\/versions$/;

const releaseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { type: 'string', minLength: 5, maxLength: 64 },
    percent: { type: 'integer', minimum: 1, maximum: 100 },
  },
} as const;

const reasonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

const decisionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['approve', 'reason'],
  properties: { approve: { type: 'boolean' }, reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

const testersSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['usernames'],
  properties: { usernames: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 3, maxLength: 32 } } },
} as const;

const reportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['launchToken', 'kind'],
  properties: {
    launchToken: { type: 'string', minLength: 1, maxLength: 1024 },
    kind: { type: 'string', enum: ['crash', 'limit', 'error'] },
    code: { type: 'string', maxLength: 40 },
  },
} as const;

/** A version as the portals show it. */
export function publicVersion(v: VersionDoc) {
  return {
    id: v._id,
    appId: v.appId,
    version: v.version,
    status: v.status,
    packageDigest: v.packageDigest,
    size: v.size,
    uploadedAt: v.uploadedAt.toISOString(),
    manifest: v.manifest,
    report: v.report,
    decision: v.decision ? { by: v.decision.by, reason: v.decision.reason, at: v.decision.at.toISOString() } : null,
  };
}

/** The version routes. */
export function versionRoutes(deps: {
  versions: VersionService;
  apps: AppService;
  merchants: MerchantService;
  identity: Identity;
  tokens: LaunchTokens;
}): Router {
  const router = Router();
  const merchantOnly = requirePrincipal('merchant');
  const reviewer = requirePrincipal('ops', ['reviewer', 'admin']);
  const admin = requirePrincipal('ops', ['admin']);

  const ownApp = async (accountId: string, appId: string) => (await ownedApp(deps, accountId, appId)).app;

  router.post(
    '/merchant/apps/:appId/versions',
    merchantOnly,
    express.raw({ type: () => true, limit: MAX_PACKAGE_FILE_BYTES }),
    async (req, res) => {
      const p = principalOf(req);
      const app = await ownApp(p.id, String(req.params.appId));
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new LilyError('PACKAGE_INVALID', 'Send the package file (from `lily pack`) as the request body.');
      const version = await deps.versions.upload(app._id, new Uint8Array(req.body), { kind: 'merchant', id: p.id });
      res.status(201).json({ version: publicVersion(version) });
    },
  );

  router.get('/merchant/apps/:appId/versions', merchantOnly, async (req, res) => {
    const app = await ownApp(principalOf(req).id, String(req.params.appId));
    res.json({ versions: (await deps.versions.list(app._id)).map(publicVersion) });
  });

  router.put('/merchant/apps/:appId/testers', merchantOnly, validateBody(testersSchema), async (req, res) => {
    const p = principalOf(req);
    const app = await ownApp(p.id, String(req.params.appId));
    const ids: string[] = [];
    for (const username of (req.body as { usernames: string[] }).usernames) {
      const user = await deps.identity.findAccount('user', username);
      if (!user) throw new LilyError('INVALID_PARAMS', `No bank-app user ${username}.`, { field: 'usernames' });
      ids.push(user._id);
    }
    await deps.apps.setTesters(app._id, ids, { kind: 'merchant', id: p.id });
    res.json({ appId: app._id, testers: (req.body as { usernames: string[] }).usernames });
  });

  router.post('/merchant/apps/:appId/releases', merchantOnly, validateBody(releaseSchema), async (req, res) => {
    const p = principalOf(req);
    const app = await ownApp(p.id, String(req.params.appId));
    const body = req.body as { version: string; percent?: number };
    const updated = await deps.versions.releaseProduction(app._id, body.version, body.percent ?? 100, { kind: 'merchant', id: p.id });
    res.json({
      appId: app._id,
      production: updated.releases.production?.version ?? null,
      rollout: updated.rollout ? { version: updated.rollout.release.version, percent: updated.rollout.percent } : null,
    });
  });

  router.post('/merchant/apps/:appId/rollback', merchantOnly, validateBody(reasonSchema), async (req, res) => {
    const p = principalOf(req);
    const app = await ownApp(p.id, String(req.params.appId));
    const updated = await deps.versions.rollback(app._id, (req.body as { reason: string }).reason, { kind: 'merchant', id: p.id });
    res.json({ appId: app._id, production: updated.releases.production?.version ?? null, rollout: null });
  });

  router.get('/ops/reviews', reviewer, async (_req, res) => {
    res.json({ versions: (await deps.versions.pending()).map(publicVersion) });
  });

  router.get('/ops/versions/:id', reviewer, async (req, res) => {
    res.json({ version: publicVersion(await deps.versions.get(String(req.params.id))) });
  });

  router.post('/ops/versions/:id/decision', reviewer, validateBody(decisionSchema), async (req, res) => {
    const doc = await deps.versions.decide(String(req.params.id), req.body as { approve: boolean; reason: string }, {
      kind: 'ops',
      id: principalOf(req).id,
    });
    res.json({ version: publicVersion(doc) });
  });

  router.post('/ops/apps/:appId/rollback', admin, validateBody(reasonSchema), async (req, res) => {
    const updated = await deps.versions.rollback(String(req.params.appId), (req.body as { reason: string }).reason, {
      kind: 'ops',
      id: principalOf(req).id,
    });
    res.json({ appId: updated._id, production: updated.releases.production?.version ?? null });
  });

  // The host reports a crash, a limit breach or an uncaught guest error of the running version.
  router.post('/launch/report', requirePrincipal('user'), validateBody(reportSchema), async (req, res) => {
    const claims = deps.tokens.verify((req.body as { launchToken: string }).launchToken);
    if (claims.u !== principalOf(req).id) throw new LilyError('LAUNCH_TOKEN_INVALID');
    const { rolledBack } = await deps.versions.report(claims.a, claims.v, 'failure');
    res.json({ recorded: true, rolledBack });
  });

  return router;
}
