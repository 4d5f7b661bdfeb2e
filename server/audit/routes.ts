/**
 * The audit log for ops: read entries (filter by target and action, page by seq) and verify the
 * whole hash chain.
 */
import { Router } from 'express';
import { requirePrincipal } from '../identity/middleware.ts';
import type { AuditLog } from './audit.ts';

/** `GET /api/ops/audit` and `GET /api/ops/audit/verify`. */
export function auditRoutes(deps: { audit: AuditLog }): Router {
  const router = Router();
  const ops = requirePrincipal('ops', ['admin', 'reviewer']);
  router.get('/ops/audit', ops, async (req, res) => {
    const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 100 ? v : undefined);
    const limit = Number(req.query.limit ?? 100);
    const beforeSeq = Number(req.query.beforeSeq ?? 0);
    const entries = await deps.audit.list({
      ...(str(req.query.targetId) ? { targetId: str(req.query.targetId)! } : {}),
      ...(str(req.query.action) ? { action: str(req.query.action)! } : {}),
      limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, 500) : 100,
      ...(Number.isInteger(beforeSeq) && beforeSeq > 0 ? { beforeSeq } : {}),
    });
    res.json({
      entries: entries.map((e) => ({
        seq: e.seq,
        at: e.at.toISOString(),
        action: e.action,
        actor: e.actor,
        target: e.target,
        reason: e.reason,
        data: e.data,
        hash: e.hash,
        prevHash: e.prevHash,
      })),
    });
  });
  router.get('/ops/audit/verify', ops, async (_req, res) => {
    res.json(await deps.audit.verify());
  });
  return router;
}
