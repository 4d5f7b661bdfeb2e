/**
 * The merchant portal's API: admission, apps, capability applications, versions (upload, report,
 * testers, release, rollback), Open API credentials, an app's stats and funnels, and its webhook
 * delivery log with resend.
 */
import { get, post, put, request, seg } from './http.ts';
import type { AppStats, AppView, CapabilityApplication, Credential, Env, Funnel, Merchant, SandboxCredentials, VersionView, WebhookNotification } from './types.ts';

/** What registration asks for. */
export interface MerchantRegistration {
  businessName: string;
  licenceNo: string;
  contact: { name: string; phone: string; email: string };
}

/** A new app. */
export interface NewApp {
  appId?: string;
  name: string;
  description?: string;
  category: string;
}

/** Keys answered by generate and rotate (the private key is shown once). */
export interface IssuedKey {
  credential: Credential;
  privateKey?: string;
  retiring?: Credential | null;
  bank: { publicKey: string; serial: string; userId: string };
}

/** The merchant API. */
export const merchantApi = {
  me: () => get<{ merchant: Merchant | null }>('/api/merchant/me').then((r) => r.merchant),
  register: (body: MerchantRegistration) => post<Merchant>('/api/merchant/register', body),

  apps: () => get<{ apps: AppView[] }>('/api/merchant/apps').then((r) => r.apps),
  createApp: (body: NewApp) => post<{ app: AppView; sandboxCredentials?: SandboxCredentials }>('/api/merchant/apps', body),
  app: (appId: string) => get<{ app: AppView; applications: CapabilityApplication[] }>(`/api/merchant/apps/${seg(appId)}`),
  apply: (appId: string, env: Env, items: { capability: string; reason: string }[]) =>
    post<{ applications: CapabilityApplication[] }>(`/api/merchant/apps/${seg(appId)}/applications`, { env, items }),

  versions: (appId: string) => get<{ versions: VersionView[] }>(`/api/merchant/apps/${seg(appId)}/versions`).then((r) => r.versions),
  /** Uploads a `.lilypkg` file exactly as `lily pack` wrote it. */
  upload: (appId: string, bytes: ArrayBuffer | Blob) =>
    request<{ version: VersionView }>('POST', `/api/merchant/apps/${seg(appId)}/versions`, undefined, {
      raw: bytes,
      contentType: 'application/vnd.lily.package+json',
    }).then((r) => r.version),
  setTesters: (appId: string, usernames: string[]) => put<{ appId: string; testers: string[] }>(`/api/merchant/apps/${seg(appId)}/testers`, { usernames }),
  release: (appId: string, version: string, percent: number) =>
    post<{ appId: string; production: string | null; rollout: { version: string; percent: number } | null }>(`/api/merchant/apps/${seg(appId)}/releases`, { version, percent }),
  rollback: (appId: string, reason: string) => post<{ appId: string; production: string | null }>(`/api/merchant/apps/${seg(appId)}/rollback`, { reason }),

  credentials: (appId: string) => get<{ credentials: Credential[] }>(`/api/merchant/apps/${seg(appId)}/credentials`).then((r) => r.credentials),
  generateKey: (appId: string, env: Env) => post<IssuedKey>(`/api/merchant/apps/${seg(appId)}/credentials/${env}/generate`),
  rotateKey: (appId: string, env: Env, overlapSeconds?: number) =>
    post<IssuedKey>(`/api/merchant/apps/${seg(appId)}/credentials/${env}/rotate`, overlapSeconds === undefined ? {} : { overlapSeconds }),
  revokeKey: (appId: string, env: Env, serial: string, reason: string) =>
    post<{ credential: Credential }>(`/api/merchant/apps/${seg(appId)}/credentials/${env}/${seg(serial)}/revoke`, { reason }),

  /** Calls, errors, payments and events per day (`from`/`to` are CST days, `YYYY-MM-DD`). */
  stats: (appId: string, env: Env, range: { from?: string; to?: string } = {}) => {
    const qs = new URLSearchParams({ env, ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) });
    return get<AppStats>(`/api/merchant/apps/${seg(appId)}/stats?${qs}`);
  },
  funnel: (appId: string, env: Env, steps: string[], range: { from?: string; to?: string; windowHours?: number } = {}) => {
    const qs = new URLSearchParams({ env, steps: steps.join(',') });
    if (range.from) qs.set('from', range.from);
    if (range.to) qs.set('to', range.to);
    if (range.windowHours) qs.set('windowHours', String(range.windowHours));
    return get<Funnel>(`/api/merchant/apps/${seg(appId)}/funnel?${qs}`);
  },

  notifications: (appId: string, env: Env) => get<{ notifications: WebhookNotification[] }>(`/api/merchant/apps/${seg(appId)}/notifications?env=${env}`).then((r) => r.notifications),
  resendNotification: (appId: string, env: Env, id: string) => post<{ id: string; status: 'pending' }>(`/api/merchant/apps/${seg(appId)}/notifications/${seg(id)}/resend?env=${env}`),
  setWebhookUrl: (appId: string, url: string | null) => put<{ appId: string; webhookUrl: string | null }>(`/api/merchant/apps/${seg(appId)}/webhook`, { url }),
};
