/**
 * Routes the bank-app shell needs beside the bridge: the user's wallet and cards, the user's
 * orders across mini-apps, and what the host cashier sheet shows before the user confirms (the
 * order as the server has it, never as the mini-app describes it).
 *
 * - `GET  /api/me/wallet?env=production|sandbox` → `{ env, balance, currency, cards }`
 * - `GET  /api/me/orders?limit=20&env=production` → `{ orders }` (newest first, with app names)
 * - `POST /api/me/cashier` `{ launchToken, prepayId } | { launchToken, code }` → the cashier summary,
 *   with the user's coupons usable for this order (best first) and the largest bank campaign that
 *   would apply without a coupon, when marketing is wired
 * - `POST /api/me/confirm-facts` `{ launchToken, capability, params }` → what a confirm sheet shows
 *   that the server knows (the merchant; a hold's amount, purpose and expiry; the titles of the
 *   message templates a subscription asks for)
 *
 * The user's points, coupons, inbox and home-page promotions are in `me.ts`.
 */
import { Router } from 'express';
import { LilyError } from '../../protocol/errors.ts';
import type { AppService } from '../apps/apps.ts';
import { MK } from '../marketing/common.ts';
import type { Marketing } from '../marketing/marketing.ts';
import type { TemplateDoc } from '../marketing/messages.ts';
import { validateBody } from '../http/validate.ts';
import { principalOf, requirePrincipal } from '../identity/middleware.ts';
import type { LaunchTokens } from '../launch/tokens.ts';
import type { MerchantService } from '../merchants/merchants.ts';
import { C } from '../payments/common.ts';
import { INSTALLMENT_MIN_AMOUNT } from '../payments/installments.ts';
import type { HoldDoc } from '../payments/holds.ts';
import type { OrderDoc } from '../payments/orders.ts';
import type { Payments } from '../payments/payments.ts';
import type { Env } from '../policies/gates.ts';
import type { Store } from '../store/types.ts';

const cashierSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['launchToken'],
  properties: {
    launchToken: { type: 'string', minLength: 1, maxLength: 1024 },
    prepayId: { type: 'string', minLength: 4, maxLength: 64 },
    code: { type: 'string', minLength: 4, maxLength: 512 },
  },
} as const;

const factsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['launchToken', 'capability'],
  properties: {
    launchToken: { type: 'string', minLength: 1, maxLength: 1024 },
    capability: { type: 'string', minLength: 3, maxLength: 64 },
    params: { type: 'object' },
  },
} as const;

/** A fact a confirm sheet shows, resolved by the server. */
export interface ConfirmFact {
  key: string;
  value: string | number;
  kind: 'text' | 'money' | 'time';
}

function envOf(value: unknown): Env {
  if (value === undefined || value === 'production') return 'production';
  if (value === 'sandbox') return 'sandbox';
  throw new LilyError('INVALID_PARAMS', 'env must be sandbox or production.', { field: 'env' });
}

/** What the routes need. */
export interface HostApiDeps {
  store: Store;
  payments: Payments;
  tokens: LaunchTokens;
  apps: AppService;
  merchants: MerchantService;
  /** Coupons and bank campaigns for the cashier sheet; without it the cashier offers none. */
  marketing?: Pick<Marketing, 'redemptions' | 'campaigns'>;
  now?: () => number;
}

/**
 * The host API routes, relative to the authenticated `/api` router.
 *
 * @example
 * ```ts
 * api.use(hostApiRoutes({ store, payments, tokens, apps, merchants }));
 * ```
 */
export function hostApiRoutes(deps: HostApiDeps): Router {
  const router = Router();
  const user = requirePrincipal('user');
  const now = deps.now ?? Date.now;
  const names = new Map<string, string>();
  const appName = async (appId: string): Promise<string> => {
    let name = names.get(appId);
    if (name === undefined) {
      name = (await deps.apps.get(appId).catch(() => null))?.name ?? appId;
      if (names.size > 1000) names.clear();
      names.set(appId, name);
    }
    return name;
  };

  router.get('/me/wallet', user, async (req, res) => {
    const env = envOf(req.query.env);
    const userId = principalOf(req).id;
    const { balance, currency } = await deps.payments.getBalance({ store: deps.store, env, userId });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ env, balance, currency, cards: await deps.payments.listCards(deps.store, userId) });
  });

  router.get('/me/orders', user, async (req, res) => {
    const env = req.query.env === undefined ? undefined : envOf(req.query.env);
    const limit = Math.min(Math.max(Number(req.query.limit ?? 20) || 20, 1), 100);
    const orders = await deps.store
      .collection<OrderDoc>(C.orders)
      .find({ userId: principalOf(req).id, ...(env ? { env } : {}) }, { sort: { createdAt: -1 }, limit })
      .toArray();
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      orders: await Promise.all(
        orders.map(async (o) => ({
          orderId: o._id,
          appId: o.appId,
          appName: await appName(o.appId),
          description: o.description,
          amount: o.amount,
          paidAmount: o.paidAmount,
          discountAmount: o.discountAmount,
          refundedAmount: o.refundedAmount,
          status: o.status,
          payMethod: o.payMethod,
          installments: o.installments,
          env: o.env,
          createdAt: o.createdAt,
          paidAt: o.paidAt,
        })),
      ),
    });
  });

  router.post('/me/cashier', user, validateBody(cashierSchema), async (req, res) => {
    const body = req.body as { launchToken: string; prepayId?: string; code?: string };
    const userId = principalOf(req).id;
    const claims = deps.tokens.verify(body.launchToken);
    if (claims.u !== userId) throw new LilyError('LAUNCH_TOKEN_INVALID');
    if (!body.prepayId === !body.code) throw new LilyError('INVALID_PARAMS', 'Send either prepayId or code.', { field: 'prepayId' });
    const scope = { store: deps.store, env: claims.e, appId: claims.a, userId, openId: deps.tokens.openId(userId, claims.a), now };
    const summary = await deps.payments.cashierSummary(scope, body.prepayId ? { prepayId: body.prepayId } : { code: body.code! });
    const app = await deps.apps.get(claims.a).catch(() => null);
    const merchant = app ? await deps.merchants.get(app.merchantId).catch(() => null) : null;
    const { balance } = await deps.payments.getBalance({ store: deps.store, env: claims.e, userId });
    const coupons = deps.marketing ? await deps.marketing.redemptions.usableCoupons(deps.store, { env: claims.e, appId: claims.a, userId, amount: summary.amount, at: now() }) : [];
    // A coupon and a campaign do not stack: the sheet compares them for the user.
    const campaign = deps.marketing ? ((await deps.marketing.campaigns.listDiscounts({ store: deps.store, env: claims.e, appId: claims.a, now }, { amount: summary.amount }))[0] ?? null) : null;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      ...summary,
      coupons: coupons.slice(0, 20),
      campaign: campaign && { campaignId: campaign.campaignId, title: campaign.title, type: campaign.type, discountAmount: Math.min(campaign.discountAmount, summary.amount - 1) },
      appName: app?.name ?? claims.a,
      merchantName: merchant?.businessName ?? app?.name ?? claims.a,
      env: claims.e,
      balance,
      cards: await deps.payments.listCards(deps.store, userId),
      installmentPlans: deps.payments.installmentPlans(summary.amount),
      installmentMinAmount: INSTALLMENT_MIN_AMOUNT,
    });
  });

  router.post('/me/confirm-facts', user, validateBody(factsSchema), async (req, res) => {
    const body = req.body as { launchToken: string; capability: string; params?: Record<string, unknown> };
    const userId = principalOf(req).id;
    const claims = deps.tokens.verify(body.launchToken);
    if (claims.u !== userId) throw new LilyError('LAUNCH_TOKEN_INVALID');
    const app = await deps.apps.get(claims.a).catch(() => null);
    const merchant = app ? await deps.merchants.get(app.merchantId).catch(() => null) : null;
    const facts: ConfirmFact[] = [{ key: 'merchant.name', value: merchant?.businessName ?? app?.name ?? claims.a, kind: 'text' }];
    const holdId = body.params?.holdId;
    if (body.capability === 'payment.deposit' && typeof holdId === 'string') {
      const hold = await deps.store.collection<HoldDoc>(C.holds).findOne({ _id: holdId, env: claims.e, appId: claims.a });
      if (!hold || hold.openId !== deps.tokens.openId(userId, claims.a)) throw new LilyError('NOT_FOUND', 'No such hold.');
      facts.push({ key: 'hold.amount', value: hold.amount, kind: 'money' }, { key: 'hold.description', value: hold.description, kind: 'text' }, { key: 'hold.expiresAt', value: hold.expiresAt, kind: 'time' });
    }
    const templateIds = body.params?.templateIds;
    if (body.capability === 'marketing.subscribe' && Array.isArray(templateIds) && templateIds.length > 0 && templateIds.length <= 3 && templateIds.every((t) => typeof t === 'string')) {
      // The sheet names the messages by the titles the bank approved, not by the mini-app's word.
      const found = await deps.store.collection<TemplateDoc>(MK.templates).find({ _id: { $in: templateIds }, appId: claims.a, status: 'approved' }).toArray();
      if (found.length !== new Set(templateIds).size) throw new LilyError('NOT_FOUND', 'Unknown or unapproved message template.');
      facts.push({ key: 'templates', value: templateIds.map((id) => found.find((t) => t._id === id)!.title).join('、'), kind: 'text' });
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ facts });
  });

  return router;
}
