/**
 * Webhooks in the merchant portal: set the app's webhook URL per environment, read the delivery
 * log (every attempt with its HTTP status or error), and resend a notification.
 */
import { Router } from 'express';
import { LilyError } from '../../protocol/errors.ts';
import type { AppService } from '../apps/apps.ts';
import { validateBody } from '../http/validate.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import type { MerchantService } from '../merchants/merchants.ts';
import { ownedApp } from '../merchants/owned-app.ts';
import { resendNotification, type OutboxDoc } from '../payments/index.ts';
import { C } from '../payments/common.ts';
import type { Env } from '../policies/gates.ts';
import type { Store } from '../store/types.ts';

const urlSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: { url: { type: ['string', 'null'], maxLength: 500 } },
} as const;

function parseEnv(value: unknown): Env {
  if (value === 'sandbox' || value === 'production') return value;
  throw new LilyError('INVALID_PARAMS', 'env must be sandbox or production', { field: 'env' });
}

/** The webhook routes of the merchant portal. */
export function webhookRoutes(deps: { store: Store; apps: AppService; merchants: MerchantService; now?: () => number }): Router {
  const router = Router();
  const merchantOnly = requirePrincipal('merchant');

  const ownApp = async (accountId: string, appId: string) => (await ownedApp(deps, accountId, appId)).app;

  router.put('/merchant/apps/:appId/webhook', merchantOnly, validateBody(urlSchema), async (req, res) => {
    const app = await ownApp(principalOf(req).id, String(req.params.appId));
    const url = (req.body as { url: string | null }).url;
    if (url !== null) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new LilyError('INVALID_PARAMS', 'url must be an absolute http(s) URL', { field: 'url' });
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new LilyError('INVALID_PARAMS', 'url must be http(s)', { field: 'url' });
    }
    await deps.apps.setWebhookUrl(app._id, url, { kind: 'merchant', id: principalOf(req).id });
    res.json({ appId: app._id, webhookUrl: url });
  });

  router.get('/merchant/apps/:appId/notifications', merchantOnly, async (req, res) => {
    const app = await ownApp(principalOf(req).id, String(req.params.appId));
    const env = parseEnv(req.query.env ?? 'sandbox');
    const list = await deps.store
      .collection<OutboxDoc>(C.outbox)
      .find({ appId: app._id, env }, { sort: { createdAt: -1 }, limit: 100 })
      .toArray();
    res.json({
      notifications: list.map((n) => ({
        id: n._id,
        eventType: n.eventType,
        resourceId: n.resourceId,
        status: n.status,
        attempts: n.attemptLog.map((a) => ({ ...a })),
        createdAt: new Date(n.createdAt).toISOString(),
        nextAttemptAt: n.nextAttemptAt ? new Date(n.nextAttemptAt).toISOString() : null,
        deliveredAt: n.deliveredAt ? new Date(n.deliveredAt).toISOString() : null,
        acknowledgedAt: n.acknowledgedAt ? new Date(n.acknowledgedAt).toISOString() : null,
      })),
    });
  });

  router.post('/merchant/apps/:appId/notifications/:id/resend', merchantOnly, async (req, res) => {
    const app = await ownApp(principalOf(req).id, String(req.params.appId));
    const env = parseEnv(req.query.env ?? 'sandbox');
    const ok = await resendNotification(deps.store, { env, appId: app._id, now: (deps.now ?? Date.now)() }, String(req.params.id));
    if (!ok) throw new LilyError('NOT_FOUND', 'No such notification, or it was already acknowledged.');
    res.json({ id: String(req.params.id), status: 'pending' });
  });

  return router;
}
