/**
 * The ops console's API: partner admission, version reviews, capability applications, grants and
 * quotas, suspend/resume/delist, audit log and chain check, support tickets.
 */
import { get, post, seg } from './http.ts';
import type { AppView, AuditEntry, AuditVerification, CapabilityApplication, Env, GrantRow, Merchant, Ticket, VersionView } from './types.ts';

/** Quota on a grant. */
export interface Quota {
  perMinute?: number;
  dailyAmount?: number;
}

/** The ops API. */
export const opsApi = {
  merchants: (status?: Merchant['status']) => get<{ merchants: Merchant[] }>(`/api/ops/merchants${status ? `?status=${status}` : ''}`).then((r) => r.merchants),
  decideMerchant: (id: string, admit: boolean, reason: string) => post<Merchant>(`/api/ops/merchants/${seg(id)}/decision`, { admit, reason }),

  reviews: () => get<{ versions: VersionView[] }>('/api/ops/reviews').then((r) => r.versions),
  version: (id: string) => get<{ version: VersionView }>(`/api/ops/versions/${seg(id)}`).then((r) => r.version),
  decideVersion: (id: string, approve: boolean, reason: string) => post<{ version: VersionView }>(`/api/ops/versions/${seg(id)}/decision`, { approve, reason }).then((r) => r.version),

  applications: () => get<{ applications: CapabilityApplication[] }>('/api/ops/applications').then((r) => r.applications),
  decideApplication: (id: string, grant: boolean, reason: string, quota?: Quota) =>
    post<CapabilityApplication>(`/api/ops/applications/${seg(id)}/decision`, { grant, reason, ...(quota && Object.keys(quota).length ? { quota } : {}) }),

  apps: () => get<{ apps: AppView[] }>('/api/ops/apps').then((r) => r.apps),
  grants: (appId: string) => get<{ appId: string; sandbox: GrantRow[]; production: GrantRow[] }>(`/api/ops/apps/${seg(appId)}/grants`),
  grant: (appId: string, env: Env, capability: string, quota?: Quota, reason?: string) =>
    post(`/api/ops/apps/${seg(appId)}/grants`, { env, capability, ...(quota && Object.keys(quota).length ? { quota } : {}), ...(reason ? { reason } : {}) }),
  revoke: (appId: string, env: Env, capability: string, reason: string) => post(`/api/ops/apps/${seg(appId)}/grants/revoke`, { env, capability, reason }),
  setStatus: (appId: string, action: 'suspend' | 'resume' | 'delist', reason: string) =>
    post<{ app: AppView }>(`/api/ops/apps/${seg(appId)}/${action}`, { reason }).then((r) => r.app),
  rollback: (appId: string, reason: string) => post(`/api/ops/apps/${seg(appId)}/rollback`, { reason }),

  audit: (filter: { targetId?: string; action?: string; beforeSeq?: number; limit?: number } = {}) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') qs.set(k, String(v));
    const s = qs.toString();
    return get<{ entries: AuditEntry[] }>(`/api/ops/audit${s ? `?${s}` : ''}`).then((r) => r.entries);
  },
  verifyAudit: () => get<AuditVerification>('/api/ops/audit/verify'),

  tickets: (status: 'open' | 'closed' = 'open') => get<{ tickets: Ticket[] }>(`/api/ops/support/tickets?status=${status}`).then((r) => r.tickets),
  reply: (ticketId: string, text: string) => post<{ ticket: Ticket }>(`/api/ops/support/tickets/${seg(ticketId)}/reply`, { text }).then((r) => r.ticket),
  closeTicket: (ticketId: string) => post<{ ticket: Ticket }>(`/api/ops/support/tickets/${seg(ticketId)}/close`).then((r) => r.ticket),
};
