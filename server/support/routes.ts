/**
 * The human side of `base.support`: ops read the ticket queue, reply (the reply reaches the
 * user's host app live) and close tickets. Users read their own tickets.
 */
import { Router } from 'express';
import { TICKET_COLLECTION, type TicketDoc } from '../../capabilities/base/support.handler.ts';
import { LilyError } from '../../protocol/errors.ts';
import type { AuditLog } from '../audit/audit.ts';
import { validateBody } from '../http/validate.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import type { Store } from '../store/types.ts';

const replySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: { text: { type: 'string', minLength: 1, maxLength: 2000 } },
} as const;

function view(t: TicketDoc) {
  return {
    ticketId: t._id,
    appId: t.appId,
    env: t.env,
    status: t.status,
    suggested: t.suggested,
    messages: t.messages.map((m) => ({ from: m.from, text: m.text, at: m.at.toISOString() })),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** The support routes. */
export function supportRoutes(deps: {
  store: Store;
  audit: AuditLog;
  /** Pushes to a user's host app. */
  pushToUser(userId: string, event: 'support', payload: Record<string, unknown>): void;
  now?: () => number;
}): Router {
  const router = Router();
  const tickets = () => deps.store.collection<TicketDoc>(TICKET_COLLECTION);
  const ops = requirePrincipal('ops', ['admin', 'reviewer']);

  router.get('/ops/support/tickets', ops, async (req, res) => {
    const status = req.query.status === 'closed' ? 'closed' : 'open';
    const list = await tickets().find({ status }, { sort: { createdAt: 1 }, limit: 200 }).toArray();
    res.json({ tickets: list.map(view) });
  });

  router.post('/ops/support/tickets/:id/reply', ops, validateBody(replySchema), async (req, res) => {
    const at = new Date((deps.now ?? Date.now)());
    const text = (req.body as { text: string }).text;
    const ticket = await tickets().findOneAndUpdate(
      { _id: String(req.params.id), status: 'open' },
      { $push: { messages: { from: 'agent', text, at } }, $set: { updatedAt: at } },
      { returnDocument: 'after' },
    );
    if (!ticket) throw new LilyError('NOT_FOUND', 'No open ticket with that id.');
    deps.pushToUser(ticket.userId, 'support', { ticketId: ticket._id, from: 'agent', text, at: at.toISOString() });
    await deps.audit.append({ action: 'support.replied', actor: { kind: 'ops', id: principalOf(req).id }, target: { kind: 'ticket', id: ticket._id } });
    res.json({ ticket: view(ticket) });
  });

  router.post('/ops/support/tickets/:id/close', ops, async (req, res) => {
    const ticket = await tickets().findOneAndUpdate(
      { _id: String(req.params.id), status: 'open' },
      { $set: { status: 'closed', updatedAt: new Date((deps.now ?? Date.now)()) } },
      { returnDocument: 'after' },
    );
    if (!ticket) throw new LilyError('NOT_FOUND', 'No open ticket with that id.');
    await deps.audit.append({ action: 'support.closed', actor: { kind: 'ops', id: principalOf(req).id }, target: { kind: 'ticket', id: ticket._id } });
    res.json({ ticket: view(ticket) });
  });

  router.get('/me/support/tickets', requirePrincipal('user'), async (req, res) => {
    const list = await tickets().find({ userId: principalOf(req).id }, { sort: { createdAt: -1 }, limit: 50 }).toArray();
    res.json({ tickets: list.map(view) });
  });

  return router;
}
