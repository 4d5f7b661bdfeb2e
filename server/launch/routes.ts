/**
 * `POST /api/launch`: opens a mini-app for the logged-in user. Answers where the signed package
 * is, the bank-signed release record, the grant snapshot, the user's consents for the app, the
 * user's open id for the app, and a short-lived launch token bound to user + app + instance.
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { LilyError } from '../../protocol/errors.ts';
import { releaseForUser, type AppService } from '../apps/apps.ts';
import type { ConsentService } from '../consents/consents.ts';
import type { GrantService } from '../grants/grants.ts';
import { validateBody } from '../http/validate.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import type { BankKeys } from '../keys.ts';
import type { Env } from '../policies/gates.ts';
import { LAUNCH_TOKEN_TTL_MS, type LaunchTokens } from './tokens.ts';

const launchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['appId'],
  properties: {
    appId: { type: 'string', minLength: 3, maxLength: 64 },
    env: { type: 'string', enum: ['sandbox', 'production'] },
  },
} as const;

const refreshSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['launchToken'],
  properties: { launchToken: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;

/** Decides whether a user may open an app in an environment (trial versions, grayscale). */
export type LaunchPolicy = (input: { userId: string; appId: string; env: Env }) => Promise<void>;

/** The launch routes. */
export function launchRoutes(deps: {
  apps: AppService;
  grants: GrantService;
  consents: ConsentService;
  tokens: LaunchTokens;
  bankKeys: BankKeys;
  /** Extra checks before a launch; default allows everyone. */
  policy?: LaunchPolicy;
  /** Told of every launch (release health). */
  onLaunch?: (launch: { appId: string; env: Env; version: string; userId: string }) => Promise<void>;
  now?: () => number;
}): Router {
  const router = Router();
  const now = deps.now ?? Date.now;

  router.post('/launch', requirePrincipal('user'), validateBody(launchSchema), async (req, res) => {
    const { appId, env = 'production' } = req.body as { appId: string; env?: Env };
    const userId = principalOf(req).id;
    const appDoc = await deps.apps.get(appId).catch(() => null);
    if (appDoc?.status === 'suspended') throw new LilyError('APP_SUSPENDED');
    const release = appDoc && appDoc.status === 'live' ? releaseForUser(appDoc, env, userId) : null;
    if (!appDoc || !release) throw new LilyError('APP_NOT_LIVE');
    // The sandbox trial is for the testers the merchant names.
    if (env === 'sandbox' && !(appDoc.testers ?? []).includes(userId)) {
      throw new LilyError('APP_NOT_LIVE', 'This trial version is only for the testers the developer named.');
    }
    await deps.policy?.({ userId, appId, env });
    const instanceId = `i_${randomBytes(12).toString('base64url')}`;
    const expiresAt = now() + LAUNCH_TOKEN_TTL_MS;
    const consents: Record<string, { status: string; expiresAt: string | null }> = {};
    for (const c of await deps.consents.list(userId, appId)) {
      consents[c.scope] = { status: c.status, expiresAt: c.expiresAt?.toISOString() ?? null };
    }
    await deps.onLaunch?.({ appId, env, version: release.version, userId });
    res.json({
      instanceId,
      appId,
      env,
      version: release.version,
      trial: env === 'sandbox',
      app: { name: appDoc.name, icon: appDoc.icon, category: appDoc.category },
      openId: deps.tokens.openId(userId, appId),
      launchToken: deps.tokens.sign({ u: userId, a: appId, i: instanceId, e: env, v: release.version, x: expiresAt }),
      expiresAt: new Date(expiresAt).toISOString(),
      package: { url: `/api/packages/${release.record.packageDigest}`, digest: release.record.packageDigest },
      release: { record: release.record, signature: release.signature },
      bank: { serial: deps.bankKeys.serial, publicKey: deps.bankKeys.publicKey },
      manifest: release.manifest,
      grants: await deps.grants.snapshot(appId, env),
      consents,
    });
  });

  router.post('/launch/refresh', requirePrincipal('user'), validateBody(refreshSchema), async (req, res) => {
    const claims = deps.tokens.verify((req.body as { launchToken: string }).launchToken);
    if (claims.u !== principalOf(req).id) throw new LilyError('LAUNCH_TOKEN_INVALID');
    const app = await deps.apps.facts(claims.a, claims.e, claims.v);
    if (app.status === 'suspended') throw new LilyError('APP_SUSPENDED');
    if (app.status !== 'live' || app.release === null) throw new LilyError('LAUNCH_TOKEN_INVALID');
    const expiresAt = now() + LAUNCH_TOKEN_TTL_MS;
    res.json({ launchToken: deps.tokens.sign({ ...claims, x: expiresAt }), expiresAt: new Date(expiresAt).toISOString() });
  });

  // Packages are content-addressed and signed; anyone logged in may fetch them, the host verifies.
  router.get('/packages/:digest', requirePrincipal('user'), async (req, res) => {
    const digest = String(req.params.digest);
    if (!/^[0-9a-f]{64}$/.test(digest)) throw new LilyError('NOT_FOUND', 'No such package.');
    const bytes = await deps.apps.loadPackage(digest);
    res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
    res.type('application/json').send(Buffer.from(bytes));
  });

  return router;
}
