/**
 * The bank-app user's API: marketplace, consents, wallet, orders, points, coupons, the inbox
 * history, home-page promotions, the cashier summary and support tickets.
 */
import { del, get, post, seg } from './http.ts';
import type {
  CashierSummary,
  Category,
  ConfirmFact,
  ConsentApp,
  ConsentSheetData,
  CouponGroup,
  CouponPage,
  Env,
  MarketApp,
  MessagePage,
  PointsPage,
  Promotions,
  AddressEntry,
  InvoiceTitleEntry,
  Ticket,
  UserOrder,
  Wallet,
} from './types.ts';

/** `?a=1&b=2` of the defined values, or ''. */
function query(params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) qs.set(k, String(v));
  const s = qs.toString();
  return s ? `?${s}` : '';
}

/** The shell API. */
export const shellApi = {
  categories: () => get<{ categories: Category[] }>('/api/marketplace/categories').then((r) => r.categories),
  apps: (filter: { category?: string; q?: string } = {}) => {
    const qs = new URLSearchParams();
    if (filter.category) qs.set('category', filter.category);
    if (filter.q) qs.set('q', filter.q);
    const s = qs.toString();
    return get<{ apps: MarketApp[] }>(`/api/marketplace/apps${s ? `?${s}` : ''}`).then((r) => r.apps);
  },

  consents: (appId?: string) => get<{ apps: ConsentApp[] }>(`/api/consents${appId ? `?appId=${seg(appId)}` : ''}`).then((r) => r.apps),
  consentSheet: (appId: string, scope: string) => get<ConsentSheetData>(`/api/consents/sheet?appId=${seg(appId)}&scope=${seg(scope)}`),
  decideConsent: (appId: string, scope: string, granted: boolean) =>
    post<{ appId: string; scope: string; status: string; expiresAt: string | null }>('/api/consents', { appId, scope, granted }),
  revokeConsent: (appId: string, scope: string) => del<void>(`/api/consents/${seg(appId)}/${seg(scope)}`),

  wallet: (env: Env = 'production') => get<Wallet>(`/api/me/wallet?env=${env}`),
  orders: (limit = 20) => get<{ orders: UserOrder[] }>(`/api/me/orders?limit=${limit}`).then((r) => r.orders),
  cashier: (launchToken: string, target: { prepayId: string } | { code: string }) => post<CashierSummary>('/api/me/cashier', { launchToken, ...target }),

  confirmFacts: (launchToken: string, capability: string, params: Record<string, unknown>) =>
    post<{ facts: ConfirmFact[] }>('/api/me/confirm-facts', { launchToken, capability, params }).then((r) => r.facts),

  tickets: () => get<{ tickets: Ticket[] }>('/api/me/support/tickets').then((r) => r.tickets),

  points: (options: { env?: Env; cursor?: string; limit?: number } = {}) => get<PointsPage>(`/api/me/points${query(options)}`),
  coupons: (options: { env?: Env; status?: CouponGroup; cursor?: string; limit?: number } = {}) => get<CouponPage>(`/api/me/coupons${query(options)}`),

  messages: (options: { cursor?: string; limit?: number } = {}) => get<MessagePage>(`/api/me/messages${query(options)}`),
  markMessageRead: (messageId: string) => post<{ messageId: string; read: true }>(`/api/me/messages/${seg(messageId)}/read`),
  markAllMessagesRead: () => post<{ marked: number }>('/api/me/messages/read-all'),

  promotions: () => get<Promotions>('/api/me/promotions'),
  /** The user's saved addresses, for the host's address picker. */
  addresses: () => get<{ entries: AddressEntry[] }>('/api/me/addresses').then((r) => r.entries),
  /** The user's saved invoice titles, for the host's invoice-title picker. */
  invoiceTitles: () => get<{ entries: InvoiceTitleEntry[] }>('/api/me/invoice-titles').then((r) => r.entries),
  promotionEvent: (placementId: string, kind: 'impression' | 'click') => post<void>(`/api/me/promotions/${seg(placementId)}/events`, { kind }),
};
