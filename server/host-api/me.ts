/**
 * The bank-app user's rewards, inbox and home-page promotions, beside the wallet and orders of
 * `routes.ts` (a router of its own, so the host API's dependencies stay as they are):
 *
 * - `GET  /api/me/points?env&limit&cursor` → `{ env, balance, expiringPoints, expiringAt, history, nextCursor }`
 * - `GET  /api/me/coupons?env&status=available|used|expired&limit&cursor` → `{ env, coupons, counts, nextCursor }`
 * - `GET  /api/me/messages?limit&cursor` → `{ messages, unread, nextCursor }` (newest first)
 * - `POST /api/me/messages/:id/read` → `{ messageId, read: true }`; `POST /api/me/messages/read-all` → `{ marked }`
 * - `GET  /api/me/addresses`, `GET /api/me/invoice-titles` → `{ entries }` (the host's pickers for
 *   `member.address.chooseAddress` and `member.invoice.chooseInvoiceTitle` list them; only the
 *   entry the user picks reaches a mini-app)
 * - `GET  /api/me/promotions` → `{ placements, campaigns }` (production, live apps only)
 * - `POST /api/me/promotions/:placementId/events` `{ kind: 'impression' | 'click' }` → 204 (counted
 *   once per user, placement and day)
 *
 * Every route needs a bank-app user and reads only that user's data; lists are newest first with
 * opaque cursors, and bad paging parameters answer INVALID_PARAMS naming the parameter.
 */
import { Router } from 'express';
import type { AppService } from '../apps/apps.ts';
import { validateBody } from '../http/validate.ts';
import { queryCursor, queryEnum, queryEnv, queryLimit } from '../http/query.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import { COUPON_GROUPS } from '../marketing/coupons.ts';
import { cstDay } from '../payments/common.ts';
import type { Marketing } from '../marketing/marketing.ts';
import type { Members } from '../members/members.ts';
import type { Store } from '../store/types.ts';

/** The slots the home page shows. */
const HOME_SLOTS = ['home_banner', 'home_grid'] as const;

const eventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: { kind: { type: 'string', enum: ['impression', 'click'] } },
} as const;

/** What the routes need. */
export interface MeRoutesDeps {
  store: Store;
  members: Members;
  marketing: Marketing;
  apps: AppService;
  now?: () => number;
}

/**
 * The "me" and home-page routes, relative to the authenticated `/api` router.
 *
 * @example
 * ```ts
 * api.use(meRoutes({ store, members, marketing, apps }));
 * ```
 */
export function meRoutes(deps: MeRoutesDeps): Router {
  const router = Router();
  const user = requirePrincipal('user');
  const now = () => (deps.now ?? Date.now)();
  // App names and status change rarely: remember them for a minute.
  const names = new Map<string, { name: string; icon: string; live: boolean; at: number }>();
  const appInfo = async (appId: string, fresh = false) => {
    let info = names.get(appId);
    if (fresh || info === undefined || info.at < Date.now() - 60_000) {
      const app = await deps.apps.get(appId).catch(() => null);
      info = { name: app?.name ?? appId, icon: app?.icon ?? '', live: app?.status === 'live' && app.releases.production !== undefined, at: Date.now() };
      if (names.size > 1000) names.clear();
      names.set(appId, info);
    }
    return info;
  };
  const noStore = (res: { setHeader(k: string, v: string): unknown }) => res.setHeader('Cache-Control', 'no-store');

  router.get('/me/points', user, async (req, res) => {
    const env = queryEnv(req.query.env);
    const page = { limit: queryLimit(req.query.limit), cursor: queryCursor(req.query.cursor) };
    const userId = principalOf(req).id;
    const [view, { history, nextCursor }] = await Promise.all([
      deps.members.points.view(deps.store, env, userId, now()),
      deps.members.points.history(deps.store, env, userId, page),
    ]);
    noStore(res);
    res.json({
      env,
      ...view,
      history: await Promise.all(history.map(async (t) => ({ ...t, appName: t.appId ? (await appInfo(t.appId)).name : null }))),
      nextCursor,
    });
  });

  router.get('/me/coupons', user, async (req, res) => {
    const env = queryEnv(req.query.env);
    const group = queryEnum(req.query.status, COUPON_GROUPS, 'status');
    const input = { limit: queryLimit(req.query.limit, 50), cursor: queryCursor(req.query.cursor), ...(group ? { group } : {}) };
    const out = await deps.marketing.coupons.listForUser(deps.store, env, principalOf(req).id, input, now());
    noStore(res);
    res.json({ env, ...out, coupons: await Promise.all(out.coupons.map(async (c) => ({ ...c, appName: (await appInfo(c.appId)).name }))) });
  });

  router.get('/me/addresses', user, async (req, res) => {
    noStore(res);
    res.json({ entries: await deps.members.addresses.list(deps.store, principalOf(req).id) });
  });

  router.get('/me/invoice-titles', user, async (req, res) => {
    noStore(res);
    res.json({ entries: await deps.members.invoiceTitles.list(deps.store, principalOf(req).id) });
  });

  router.get('/me/messages', user, async (req, res) => {
    const page = { limit: queryLimit(req.query.limit), cursor: queryCursor(req.query.cursor) };
    const userId = principalOf(req).id;
    const [{ messages, nextCursor }, unread] = await Promise.all([deps.marketing.messages.inbox(deps.store, userId, page), deps.marketing.messages.unreadCount(deps.store, userId)]);
    noStore(res);
    res.json({
      messages: await Promise.all(
        messages.map(async (m) => ({
          messageId: m._id,
          appId: m.appId,
          appName: (await appInfo(m.appId)).name,
          env: m.env,
          title: m.title,
          body: m.body,
          page: m.page,
          at: new Date(m.createdAt).toISOString(),
          read: m.readAt !== null,
        })),
      ),
      unread,
      nextCursor,
    });
  });

  router.post('/me/messages/read-all', user, async (req, res) => {
    res.json({ marked: await deps.marketing.messages.markAllRead(deps.store, principalOf(req).id, now()) });
  });

  router.post('/me/messages/:id/read', user, async (req, res) => {
    const messageId = String(req.params.id);
    await deps.marketing.messages.markRead(deps.store, principalOf(req).id, messageId, now());
    res.json({ messageId, read: true });
  });

  router.get('/me/promotions', user, async (_req, res) => {
    const at = now();
    const placements = [];
    for (const slot of HOME_SLOTS) {
      for (const p of await deps.marketing.placements.live(deps.store, 'production', slot, at)) {
        // Read afresh: a suspended app's promotion leaves the home page at once.
        const app = await appInfo(p.appId, true);
        if (app.live) placements.push({ ...p, slot, appName: app.name, appIcon: app.icon });
      }
    }
    const campaigns = [];
    for (const { appIds, ...c } of await deps.marketing.campaigns.listRunning(deps.store, 'production', at)) {
      const apps = appIds === null ? null : (await Promise.all(appIds.map(async (appId) => ({ appId, ...(await appInfo(appId, true)) })))).filter((a) => a.live).map((a) => ({ appId: a.appId, appName: a.name }));
      // A campaign limited to apps that are all offline has nothing to link to.
      if (apps === null || apps.length > 0) campaigns.push({ ...c, apps });
    }
    noStore(res);
    res.json({ placements, campaigns });
  });

  // One impression and one click per user, placement and CST day count, so a script cannot
  // inflate a merchant's numbers (per process; a shared store would hold these across processes).
  const counted = new Set<string>();
  router.post('/me/promotions/:id/events', user, validateBody(eventSchema), async (req, res) => {
    const kind = (req.body as { kind: 'impression' | 'click' }).kind;
    const placementId = String(req.params.id);
    const key = `${principalOf(req).id}|${placementId}|${kind}|${cstDay(now())}`;
    if (!counted.has(key)) {
      if (counted.size > 200_000) counted.clear();
      counted.add(key);
      await deps.marketing.placements.record(deps.store, placementId, kind);
    }
    res.status(204).end();
  });

  return router;
}
