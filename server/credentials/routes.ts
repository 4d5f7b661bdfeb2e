/**
 * Merchant-portal routes for an app's Open API keys: list, generate, upload, rotate, revoke.
 *
 * Who may manage which app's keys (an admitted merchant owning the app; production keys only after
 * the first approved release; ops) is decided by the `authorize` hook the server wires in, so this
 * router holds no identity or ownership logic of its own. Mount it on the authenticated JSON API.
 */
import { Router, type Request } from 'express';
import { LilyError } from '../../protocol/errors.ts';
import type { AuditActor } from '../audit/audit.ts';
import { compileBody } from '../http/validate.ts';
import type { BankKeys } from '../keys.ts';
import type { Env } from '../policies/gates.ts';
import { MAX_OVERLAP_SECONDS, type CredentialService } from './credentials.ts';

/** What a caller wants to do with an app's keys. */
export type CredentialAction = 'list' | 'generate' | 'upload' | 'rotate' | 'revoke';

/** What the routes need. */
export interface CredentialRoutesDeps {
  credentials: CredentialService;
  /**
   * Resolves with the audit actor when the caller may do `action` on the app's keys in `env`
   * (null for listing both environments); throws a LilyError (FORBIDDEN, NOT_FOUND) otherwise.
   */
  authorize(req: Request, appId: string, env: Env | null, action: CredentialAction): Promise<AuditActor>;
  /** Returned with new keys, so the merchant can configure response verification at once. */
  bankKeys: Pick<BankKeys, 'publicKey' | 'serial'>;
}

const publicKeySchema = { type: 'string', minLength: 128, maxLength: 130, pattern: '^[0-9a-fA-F]+$' } as const;
const parseUpload = compileBody<{ publicKey: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['publicKey'],
  properties: { publicKey: publicKeySchema },
});
const parseRotate = compileBody<{ publicKey?: string; overlapSeconds?: number }>({
  type: 'object',
  additionalProperties: false,
  properties: { publicKey: publicKeySchema, overlapSeconds: { type: 'integer', minimum: 0, maximum: MAX_OVERLAP_SECONDS } },
});
const parseRevoke = compileBody<{ reason: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
});

function envOf(value: unknown): Env {
  if (value === 'sandbox' || value === 'production') return value;
  throw new LilyError('INVALID_PARAMS', 'env must be sandbox or production.', { field: 'env' });
}

/**
 * The routes, relative to where they are mounted (the `/api` router):
 *
 * - `GET  /merchant/apps/:appId/credentials[?env=sandbox|production]` → `{ credentials: Credential[] }`
 * - `POST /merchant/apps/:appId/credentials/:env/generate` → `{ credential, privateKey, bank }` (private key shown once)
 * - `POST /merchant/apps/:appId/credentials/:env/upload` `{ publicKey }` → `{ credential, bank }`
 * - `POST /merchant/apps/:appId/credentials/:env/rotate` `{ publicKey?, overlapSeconds? }` → `{ credential, privateKey?, retiring, bank }`
 * - `POST /merchant/apps/:appId/credentials/:env/:serial/revoke` `{ reason }` → `{ credential }`
 *
 * @example
 * ```ts
 * api.use(credentialRoutes({ credentials, bankKeys, authorize: async (req, appId, env, action) => {
 *   const { merchant } = await ownApp(principalOf(req).id, appId);
 *   return { kind: 'merchant', id: merchant._id };
 * } }));
 * ```
 */
export function credentialRoutes(deps: CredentialRoutesDeps): Router {
  const router = Router();
  const bank = { publicKey: deps.bankKeys.publicKey, serial: deps.bankKeys.serial, userId: '1234567812345678' };
  const base = '/merchant/apps/:appId/credentials';

  router.get(base, async (req, res) => {
    const env = req.query.env === undefined ? null : envOf(req.query.env);
    await deps.authorize(req, String(req.params.appId), env, 'list');
    res.json({ credentials: await deps.credentials.list(String(req.params.appId), env ?? undefined) });
  });

  router.post(`${base}/:env/generate`, async (req, res) => {
    const env = envOf(req.params.env);
    const actor = await deps.authorize(req, String(req.params.appId), env, 'generate');
    const { credential, privateKey } = await deps.credentials.generate(String(req.params.appId), env, actor);
    res.status(201).setHeader('Cache-Control', 'no-store').json({ credential, privateKey, bank });
  });

  router.post(`${base}/:env/upload`, async (req, res) => {
    const env = envOf(req.params.env);
    const body = parseUpload(req.body ?? {});
    const actor = await deps.authorize(req, String(req.params.appId), env, 'upload');
    res.status(201).json({ credential: await deps.credentials.upload(String(req.params.appId), env, body.publicKey, actor), bank });
  });

  router.post(`${base}/:env/rotate`, async (req, res) => {
    const env = envOf(req.params.env);
    const body = parseRotate(req.body ?? {});
    const actor = await deps.authorize(req, String(req.params.appId), env, 'rotate');
    const rotated = await deps.credentials.rotate(String(req.params.appId), env, body, actor);
    res.status(201).setHeader('Cache-Control', 'no-store').json({ ...rotated, bank });
  });

  router.post(`${base}/:env/:serial/revoke`, async (req, res) => {
    const env = envOf(req.params.env);
    const body = parseRevoke(req.body ?? {});
    const actor = await deps.authorize(req, String(req.params.appId), env, 'revoke');
    res.json({ credential: await deps.credentials.revoke(String(req.params.appId), env, String(req.params.serial), body.reason, actor) });
  });

  return router;
}
