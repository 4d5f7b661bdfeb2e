/**
 * Merchant self-service (`/api/merchant/...`) and the ops side of admission, applications and
 * exit (`/api/ops/...`).
 */
import { Router } from 'express';
import type { Registry } from '../../capabilities/registry.ts';
import { APP_CATEGORIES, APP_ID_LENGTH, APP_ID_PATTERN } from '../../protocol/apps.ts';
import { LilyError } from '../../protocol/errors.ts';
import type { ApplicationService } from '../applications/applications.ts';
import type { AppService } from '../apps/apps.ts';
import { validateBody } from '../http/validate.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import type { Env, GrantQuota } from '../policies/gates.ts';
import type { MerchantApplication, MerchantService, MerchantStatus } from './merchants.ts';
import { ownedApp } from './owned-app.ts';

const text = (max: number, min = 1) => ({ type: 'string', minLength: min, maxLength: max }) as const;

const registerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['businessName', 'licenceNo', 'contact'],
  properties: {
    businessName: text(100, 2),
    // Unified social credit code: 18 characters, digits and upper-case letters.
    licenceNo: { type: 'string', pattern: '^[0-9A-Za-z]{18}$' },
    contact: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'phone', 'email'],
      properties: {
        name: text(50),
        phone: { type: 'string', pattern: '^\\+?[0-9][0-9 -]{5,19}$' },
        email: { type: 'string', pattern: '^[^@\\s]{1,64}@[^@\\s]{1,190}\\.[^@\\s]{2,}$', maxLength: 254 },
      },
    },
  },
} as const;

const decisionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['admit', 'reason'],
  properties: { admit: { type: 'boolean' }, reason: text(500) },
} as const;

const createAppSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'category'],
  properties: {
    appId: { type: 'string', minLength: APP_ID_LENGTH.min, maxLength: APP_ID_LENGTH.max, pattern: APP_ID_PATTERN },
    name: text(40),
    description: text(500, 0),
    category: { type: 'string', enum: APP_CATEGORIES },
    icon: text(200, 0),
  },
} as const;

const applySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['env', 'items'],
  properties: {
    env: { type: 'string', enum: ['sandbox', 'production'] },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 48,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['capability', 'reason'],
        properties: { capability: text(64, 3), reason: text(500, 4) },
      },
    },
  },
} as const;

const appDecisionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['grant', 'reason'],
  properties: {
    grant: { type: 'boolean' },
    reason: text(500),
    quota: {
      type: 'object',
      additionalProperties: false,
      properties: {
        perMinute: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        dailyAmount: { type: 'integer', minimum: 1, maximum: 100_000_000_000 },
      },
    },
  },
} as const;

const exitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: text(500) },
} as const;

/** Hooks other services provide when an app is created (e.g. sandbox credentials). */
export interface AppCreatedHook {
  (appId: string, merchantId: string): Promise<Record<string, unknown>>;
}

/** The merchant and ops routes for partners, apps, applications and exit. */
export function merchantRoutes(deps: {
  merchants: MerchantService;
  apps: AppService;
  applications: ApplicationService;
  registry: Registry;
  /** Called after an app is created; its answer is merged into the response (credentials). */
  onAppCreated?: AppCreatedHook;
}): Router {
  const router = Router();
  const merchantOnly = requirePrincipal('merchant');
  const opsAny = requirePrincipal('ops', ['admin', 'reviewer']);
  const opsAdmin = requirePrincipal('ops', ['admin']);

  /** The admitted merchant of the caller that owns `appId`. */
  const ownApp = (accountId: string, appId: string) => ownedApp(deps, accountId, appId);

  // --- merchant: admission ---------------------------------------------------------------
  router.post('/merchant/register', merchantOnly, validateBody(registerSchema), async (req, res) => {
    const merchant = await deps.merchants.register(principalOf(req).id, req.body as MerchantApplication);
    res.status(201).json(publicMerchant(merchant));
  });

  router.get('/merchant/me', merchantOnly, async (req, res) => {
    const merchant = await deps.merchants.forAccount(principalOf(req).id);
    res.json({ merchant: merchant ? publicMerchant(merchant) : null });
  });

  // --- merchant: apps ------------------------------------------------------------------------
  router.post('/merchant/apps', merchantOnly, validateBody(createAppSchema), async (req, res) => {
    const p = principalOf(req);
    const merchant = await deps.merchants.requireAdmitted(p.id);
    const body = req.body as { appId?: string; name: string; description?: string; category: string; icon?: string };
    const app = await deps.apps.create({ ...body, merchantId: merchant._id }, { kind: 'merchant', id: p.id });
    const extra = deps.onAppCreated ? await deps.onAppCreated(app._id, merchant._id) : {};
    res.status(201).json({ app: publicApp(app), ...extra });
  });

  router.get('/merchant/apps', merchantOnly, async (req, res) => {
    const merchant = await deps.merchants.requireAdmitted(principalOf(req).id);
    res.json({ apps: (await deps.apps.forMerchant(merchant._id)).map(publicApp) });
  });

  router.get('/merchant/apps/:appId', merchantOnly, async (req, res) => {
    const { app } = await ownApp(principalOf(req).id, String(req.params.appId));
    res.json({ app: publicApp(app), applications: await deps.applications.forApp(app._id) });
  });

  router.post('/merchant/apps/:appId/applications', merchantOnly, validateBody(applySchema), async (req, res) => {
    const { merchant, app } = await ownApp(principalOf(req).id, String(req.params.appId));
    const body = req.body as { env: Env; items: { capability: string; reason: string }[] };
    for (const item of body.items) {
      if (!deps.registry.get(item.capability)) throw new LilyError('INVALID_PARAMS', `No capability ${item.capability}.`, { field: 'items.capability' });
    }
    const docs = await deps.applications.apply({ appId: app._id, merchantId: merchant._id, env: body.env, items: body.items });
    res.status(201).json({ applications: docs });
  });

  // --- ops: admission ------------------------------------------------------------------------
  router.get('/ops/merchants', opsAny, async (req, res) => {
    const status = typeof req.query.status === 'string' ? (req.query.status as MerchantStatus) : undefined;
    if (status && !['pending', 'admitted', 'rejected'].includes(status)) throw new LilyError('INVALID_PARAMS', 'status must be pending, admitted or rejected', { field: 'status' });
    res.json({ merchants: (await deps.merchants.list(status)).map(publicMerchant) });
  });

  router.post('/ops/merchants/:id/decision', opsAdmin, validateBody(decisionSchema), async (req, res) => {
    const merchant = await deps.merchants.decide(String(req.params.id), req.body as { admit: boolean; reason: string }, {
      kind: 'ops',
      id: principalOf(req).id,
    });
    res.json(publicMerchant(merchant));
  });

  // --- ops: capability applications ---------------------------------------------------------
  router.get('/ops/applications', opsAny, async (_req, res) => {
    res.json({ applications: await deps.applications.pending() });
  });

  router.post('/ops/applications/:id/decision', opsAdmin, validateBody(appDecisionSchema), async (req, res) => {
    const body = req.body as { grant: boolean; reason: string; quota?: GrantQuota };
    const doc = await deps.applications.decide(String(req.params.id), body, { kind: 'ops', id: principalOf(req).id });
    res.json(doc);
  });

  // --- ops: exit -------------------------------------------------------------------------------
  for (const [action, status] of [
    ['suspend', 'suspended'],
    ['resume', 'live'],
    ['delist', 'delisted'],
  ] as const) {
    router.post(`/ops/apps/:appId/${action}`, opsAdmin, validateBody(exitSchema), async (req, res) => {
      const app = await deps.apps.setStatus(String(req.params.appId), status, (req.body as { reason: string }).reason, {
        kind: 'ops',
        id: principalOf(req).id,
      });
      res.json({ app: publicApp(app) });
    });
  }

  router.get('/ops/apps', opsAny, async (_req, res) => {
    res.json({ apps: (await deps.apps.all()).map(publicApp) });
  });

  return router;
}

function publicMerchant(m: import('./merchants.ts').MerchantDoc) {
  return {
    id: m._id,
    businessName: m.businessName,
    licenceNo: m.licenceNo,
    contact: m.contact,
    status: m.status,
    submittedAt: m.submittedAt.toISOString(),
    decidedAt: m.decidedAt?.toISOString() ?? null,
    reason: m.reason,
  };
}

/** The public view of an app: no signatures or internal fields beyond what the UIs show. */
export function publicApp(app: import('../apps/apps.ts').AppDoc) {
  const release = (env: 'sandbox' | 'production') => {
    const r = app.releases[env];
    return r ? { version: r.version, releasedAt: r.releasedAt.toISOString(), packageDigest: r.record.packageDigest } : null;
  };
  return {
    appId: app._id,
    merchantId: app.merchantId,
    name: app.name,
    description: app.description,
    category: app.category,
    icon: app.icon,
    status: app.status,
    statusReason: app.statusReason,
    createdAt: app.createdAt.toISOString(),
    releases: { sandbox: release('sandbox'), production: release('production') },
    webhookUrl: app.webhookUrl ?? null,
  };
}
