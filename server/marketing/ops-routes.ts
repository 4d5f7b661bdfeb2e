/**
 * The ops side of marketing and membership reviews: home-page placements, merchant card
 * templates, lucky draws and message templates wait for an ops decision in production; bank
 * campaigns are created and paused by ops. Users read the live placements for the home page.
 */
import { Router } from 'express';
import { LilyError } from '../../protocol/errors.ts';
import type { AuditLog } from '../audit/audit.ts';
import { validateBody } from '../http/validate.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import type { Members } from '../members/index.ts';
import type { Store } from '../store/types.ts';
import { MK } from './common.ts';
import type { Marketing } from './marketing.ts';

const decisionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['approve'],
  properties: { approve: { type: 'boolean' }, note: { type: 'string', maxLength: 500 } },
} as const;

const statusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { type: 'string', enum: ['active', 'paused'] } },
} as const;

/** The ops marketing routes and the users' home-page placements. */
export function marketingOpsRoutes(deps: { store: Store; marketing: Marketing; members: Members; audit: AuditLog; now?: () => number }): Router {
  const router = Router();
  const ops = requirePrincipal('ops', ['admin', 'reviewer']);
  const admin = requirePrincipal('ops', ['admin']);
  const now = () => (deps.now ?? Date.now)();
  const actor = (req: Parameters<typeof principalOf>[0]) => ({ kind: 'ops' as const, id: principalOf(req).id });

  router.get('/ops/marketing/placements', ops, async (req, res) => {
    const status = typeof req.query.status === 'string' ? req.query.status : 'pending_review';
    const list = await deps.store.collection(MK.placements).find({ status }, { sort: { createdAt: 1 }, limit: 200 }).toArray();
    res.json({ placements: list });
  });

  router.post('/ops/marketing/placements/:id/decision', admin, validateBody(decisionSchema), async (req, res) => {
    const body = req.body as { approve: boolean; note?: string };
    const result = await deps.marketing.placements.decide(deps.store, { placementId: String(req.params.id), approve: body.approve, by: principalOf(req).id, ...(body.note ? { note: body.note } : {}), at: now() });
    await deps.audit.append({ action: body.approve ? 'placement.approved' : 'placement.rejected', actor: actor(req), target: { kind: 'placement', id: String(req.params.id) }, ...(body.note ? { reason: body.note } : {}) });
    res.json(result ?? { placementId: String(req.params.id), status: body.approve ? 'approved' : 'rejected' });
  });

  const reviews: Record<string, (id: string, approve: boolean, note: string | undefined) => Promise<unknown>> = {
    cards: (id, approve, note) => deps.members.cards.reviewTemplate(deps.store, { templateId: id, approve, ...(note ? { note } : {}), at: now() }),
    draws: (id, approve) => deps.marketing.draws.review(deps.store, { activityId: id, approve }),
    messages: (id, approve) => deps.marketing.messages.reviewTemplate(deps.store, { templateId: id, approve }),
  };
  router.post('/ops/marketing/:kind/:id/decision', admin, validateBody(decisionSchema), async (req, res) => {
    const review = reviews[String(req.params.kind)];
    if (!review) throw new LilyError('ROUTE_NOT_FOUND', 'Reviews exist for cards, draws and messages.');
    const body = req.body as { approve: boolean; note?: string };
    await review(String(req.params.id), body.approve, body.note);
    await deps.audit.append({
      action: `${String(req.params.kind)}.${body.approve ? 'approved' : 'rejected'}`,
      actor: actor(req),
      target: { kind: String(req.params.kind), id: String(req.params.id) },
      ...(body.note ? { reason: body.note } : {}),
    });
    res.json({ id: String(req.params.id), approved: body.approve });
  });

  router.get('/ops/marketing/campaigns', ops, async (_req, res) => {
    res.json({ campaigns: await deps.store.collection(MK.campaigns).find({}, { sort: { createdAt: -1 }, limit: 200 }).toArray() });
  });

  router.post('/ops/marketing/campaigns/:id/status', admin, validateBody(statusSchema), async (req, res) => {
    const status = (req.body as { status: 'active' | 'paused' }).status;
    await deps.marketing.campaigns.setStatus(deps.store, String(req.params.id), status);
    await deps.audit.append({ action: 'campaign.status', actor: actor(req), target: { kind: 'campaign', id: String(req.params.id) }, data: { status } });
    res.json({ campaignId: String(req.params.id), status });
  });

  router.get('/marketplace/placements', async (req, res) => {
    const slot = typeof req.query.slot === 'string' ? req.query.slot : 'home_banner';
    res.json({ placements: await deps.marketing.placements.live(deps.store, 'production', slot as never, now()) });
  });

  return router;
}
