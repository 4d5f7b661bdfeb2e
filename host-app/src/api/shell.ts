/**
 * The bank-app user's API: marketplace, consents, wallet, orders, the cashier summary and
 * support tickets.
 */
import { del, get, post, seg } from './http.ts';
import type { CashierSummary, Category, ConfirmFact, ConsentApp, ConsentSheetData, Env, MarketApp, Ticket, UserOrder, Wallet } from './types.ts';

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
};
