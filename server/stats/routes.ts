/**
 * The merchant portal's stats of one app, from the server's own records:
 *
 * - `GET /api/merchant/apps/:appId/stats?env&from&to` → per CST day: bridge calls and errors (see
 *   `calls.ts`), payments and amounts paid and refunded (the orders), and the app's custom events
 *   (`marketing.analytics`); totals per capability and per error code.
 * - `GET /api/merchant/apps/:appId/funnel?env&from&to&steps=a,b,c&windowHours=24` → the users who
 *   went through the reported events in order (the same funnel as the Open API's `queryFunnel`).
 *
 * Only the admitted merchant that owns the app may read them (NOT_FOUND otherwise, so app ids
 * cannot be probed). Days default to the last seven; a range is at most 92 days.
 */
import { Router } from 'express';
import { LilyError } from '../../protocol/errors.ts';
import type { AppService } from '../apps/apps.ts';
import { queryEnv } from '../http/query.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import type { Marketing } from '../marketing/marketing.ts';
import type { MerchantService } from '../merchants/merchants.ts';
import { ownedApp } from '../merchants/owned-app.ts';
import { C, cstDay, cstDayRange } from '../payments/common.ts';
import type { OrderDoc } from '../payments/orders.ts';
import type { Store } from '../store/types.ts';
import type { CallStats } from './calls.ts';

/** Longest range, in days after `from`. */
export const MAX_STATS_DAYS = 92;
const DAY_MS = 86_400_000;
const EVENT = /^[a-z][a-z0-9_]{0,39}$/;

/** What the routes need. */
export interface StatsRoutesDeps {
  store: Store;
  apps: AppService;
  merchants: MerchantService;
  marketing: Marketing;
  calls: CallStats;
  now?: () => number;
}

/** The CST days of `from..to` (inclusive), checked: INVALID_PARAMS naming the bad parameter. */
function dayRange(fromParam: unknown, toParam: unknown, now: number): { from: string; to: string; days: string[]; start: number; end: number } {
  const to = toParam === undefined ? cstDay(now) : String(toParam);
  const b = cstDayRange(to);
  if (!b) throw new LilyError('INVALID_PARAMS', 'to must be a date, YYYY-MM-DD.', { field: 'to' });
  const from = fromParam === undefined ? cstDay(b.start - 6 * DAY_MS) : String(fromParam);
  const a = cstDayRange(from);
  if (!a) throw new LilyError('INVALID_PARAMS', 'from must be a date, YYYY-MM-DD.', { field: 'from' });
  if (b.start < a.start) throw new LilyError('INVALID_PARAMS', 'to is before from.', { field: 'to' });
  if ((b.start - a.start) / DAY_MS > MAX_STATS_DAYS) throw new LilyError('INVALID_PARAMS', `At most ${MAX_STATS_DAYS} days after from.`, { field: 'to' });
  const days: string[] = [];
  for (let t = a.start; t < b.end; t += DAY_MS) days.push(cstDay(t));
  return { from, to, days, start: a.start, end: b.end };
}

/**
 * The stats routes, relative to the authenticated `/api` router.
 *
 * @example
 * ```ts
 * api.use(statsRoutes({ store, apps, merchants, marketing, calls }));
 * ```
 */
export function statsRoutes(deps: StatsRoutesDeps): Router {
  const router = Router();
  const merchantOnly = requirePrincipal('merchant');
  const now = () => (deps.now ?? Date.now)();

  router.get('/merchant/apps/:appId/stats', merchantOnly, async (req, res) => {
    const { app } = await ownedApp(deps, principalOf(req).id, String(req.params.appId));
    const env = queryEnv(req.query.env);
    const range = dayRange(req.query.from, req.query.to, now());
    const scope = { store: deps.store, env, appId: app._id, now };
    const [calls, orders, events] = await Promise.all([
      deps.calls.daily(env, app._id, range.from, range.to),
      deps.store
        .collection<OrderDoc>(C.orders)
        .find({ env, appId: app._id, paidAt: { $gte: range.start, $lt: range.end } }, { projection: { paidAt: 1, paidAmount: 1, refundedAmount: 1 }, limit: 200_000 })
        .toArray(),
      deps.marketing.analytics.stats(scope, { from: range.from, to: range.to }),
    ]);

    const byDay = new Map(range.days.map((date) => [date, { date, calls: 0, errors: 0, payments: 0, paidAmount: 0, refundedAmount: 0 }]));
    const byCapability = new Map<string, { capability: string; calls: number; errors: number; totalMs: number }>();
    const byCode = new Map<string, number>();
    for (const c of calls) {
      const d = byDay.get(c.day);
      if (d) {
        d.calls += c.calls;
        d.errors += c.errors;
      }
      const cap = byCapability.get(c.capability) ?? { capability: c.capability, calls: 0, errors: 0, totalMs: 0 };
      cap.calls += c.calls;
      cap.errors += c.errors;
      cap.totalMs += c.totalMs;
      byCapability.set(c.capability, cap);
      for (const [code, n] of Object.entries(c.codes ?? {})) byCode.set(code, (byCode.get(code) ?? 0) + n);
    }
    for (const o of orders) {
      const d = o.paidAt === null ? undefined : byDay.get(cstDay(o.paidAt));
      if (!d) continue;
      d.payments++;
      d.paidAmount += o.paidAmount;
      d.refundedAmount += o.refundedAmount;
    }
    const byEvent = new Map<string, { event: string; count: number; users: number }>();
    for (const s of events.series) {
      const e = byEvent.get(s.event) ?? { event: s.event, count: 0, users: 0 };
      e.count += s.count;
      e.users += s.users;
      byEvent.set(s.event, e);
    }
    const days = [...byDay.values()];
    const sum = (k: 'calls' | 'errors' | 'payments' | 'paidAmount' | 'refundedAmount') => days.reduce((s, d) => s + d[k], 0);
    const totals = { calls: sum('calls'), errors: sum('errors'), payments: sum('payments'), paidAmount: sum('paidAmount'), refundedAmount: sum('refundedAmount') };
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      appId: app._id,
      env,
      from: range.from,
      to: range.to,
      days,
      totals: { ...totals, errorRate: totals.calls === 0 ? 0 : totals.errors / totals.calls },
      capabilities: [...byCapability.values()]
        .sort((a, b) => b.calls - a.calls)
        .map(({ totalMs, ...c }) => ({ ...c, avgMs: c.calls === 0 ? 0 : Math.round((totalMs / c.calls) * 10) / 10 })),
      errorCodes: [...byCode.entries()].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
      events: [...byEvent.values()].sort((a, b) => b.count - a.count),
      eventSeries: events.series,
    });
  });

  router.get('/merchant/apps/:appId/funnel', merchantOnly, async (req, res) => {
    const { app } = await ownedApp(deps, principalOf(req).id, String(req.params.appId));
    const env = queryEnv(req.query.env);
    const range = dayRange(req.query.from, req.query.to, now());
    const steps = typeof req.query.steps === 'string' ? req.query.steps.split(',').map((s) => s.trim()) : [];
    if (steps.length < 2 || steps.length > 8 || !steps.every((s) => EVENT.test(s))) {
      throw new LilyError('INVALID_PARAMS', 'steps must list 2 to 8 event names (lower_snake_case), separated by commas.', { field: 'steps' });
    }
    let windowHours = 24;
    if (req.query.windowHours !== undefined) {
      windowHours = /^\d{1,3}$/.test(String(req.query.windowHours)) ? Number(req.query.windowHours) : NaN;
      if (!(windowHours >= 1 && windowHours <= 720)) throw new LilyError('INVALID_PARAMS', 'windowHours must be an integer from 1 to 720.', { field: 'windowHours' });
    }
    const out = await deps.marketing.analytics.funnel({ store: deps.store, env, appId: app._id, now }, { steps, from: range.from, to: range.to, windowHours });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ appId: app._id, env, from: range.from, to: range.to, windowHours, ...out });
  });

  return router;
}
