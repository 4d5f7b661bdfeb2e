/**
 * The shapes the server's `/api` routes answer, as the host app reads them. Wire contracts shared
 * with the runtime (bridge calls, socket events, errors) come from `protocol/` instead.
 */
import type { Bilingual } from '../../../protocol/text.ts';
import type { Address, InvoiceTitle, SavedEntry } from '../../../protocol/entries.ts';

/** Sandbox or production. */
export type Env = 'sandbox' | 'production';

/** Who is logged in. */
export interface Principal {
  kind: 'user' | 'merchant' | 'ops';
  id: string;
  username: string;
  displayName: string;
  roles: string[];
}

/** A marketplace category. */
export interface Category {
  id: string;
  title: string;
  titleZh: string;
}

/** A live app in the marketplace. */
export interface MarketApp {
  appId: string;
  name: string;
  description: string;
  category: string;
  icon: string;
  version: string | null;
}

/** One consent of the user. */
export interface ConsentScope {
  scope: string;
  title: string;
  titleZh: string;
  status: 'granted' | 'refused' | 'revoked' | 'expired';
  /** The purpose the user was shown when deciding. */
  purpose: Bilingual;
  decidedAt: string;
  expiresAt: string | null;
}

/** The user's consents for one app. */
export interface ConsentApp {
  appId: string;
  appName: string;
  scopes: ConsentScope[];
}

/** The consent sheet's data, from the server (never from the mini-app). */
export type { ConsentSheetData } from '../../../protocol/consent.ts';

/** A linked card, masked. */
export interface Card {
  cardId: string;
  bankName: string;
  cardType: 'debit' | 'credit';
  last4: string;
  maskedNumber: string;
}

/** An installment quote. */
export interface InstallmentPlan {
  periods: 3 | 6 | 12 | 24;
  firstPeriodAmount: number;
  perPeriodAmount: number;
  feeTotalAmount: number;
  feeRateBps: number;
  interestFree: boolean;
  tag: 'none' | 'popular' | 'interestFree';
}

/** The user's wallet and cards. */
export interface Wallet {
  env: Env;
  balance: number;
  currency: 'CNY';
  cards: Card[];
}

/** One of the user's orders, across apps. */
export interface UserOrder {
  orderId: string;
  appId: string;
  appName: string;
  description: string;
  amount: number;
  paidAmount: number;
  discountAmount: number;
  refundedAmount: number;
  status: string;
  payMethod: 'balance' | 'card' | null;
  installments: number | null;
  env: Env;
  createdAt: number;
  paidAt: number | null;
}

/** What the cashier sheet shows before the user confirms. */
export interface CashierSummary {
  orderId: string;
  appId: string;
  appName: string;
  merchantName: string;
  description: string;
  amount: number;
  expiresAt: number;
  env: Env;
  balance: number;
  cards: Card[];
  installmentPlans: InstallmentPlan[];
  installmentMinAmount: number;
  /** The user's coupons usable for this order, best first (none when the bank offers none). */
  coupons?: UsableCoupon[];
  /** The largest bank campaign that applies when no coupon is used (they do not stack), or null. */
  campaign?: { campaignId: string; title: string; type: 'instant' | 'threshold' | 'random'; discountAmount: number } | null;
}

/** A coupon the cashier may apply. */
export interface UsableCoupon {
  couponId: string;
  title: string;
  discountAmount: number;
  thresholdAmount: number;
  validUntil: number;
}

/** A message in the user's inbox: from the server's history, or pushed live. */
export interface InboxMessage {
  messageId: string;
  appId: string | null;
  /** The app's name (history only; pushes carry the id). */
  appName?: string;
  title: string;
  body: string;
  /** The page of the app the message opens, e.g. `pages/order/index?id=1`. */
  page?: string | null;
  at: string;
  read?: boolean;
}

/** One page of the inbox history, newest first. */
export interface MessagePage {
  messages: (InboxMessage & { appId: string; appName: string; read: boolean })[];
  /** Unread messages in the whole inbox. */
  unread: number;
  nextCursor: string | null;
}

/** One movement of bank points. */
export interface PointsMovement {
  transactionId: string;
  appId: string | null;
  appName: string | null;
  kind: 'earn' | 'deduct' | 'redeem' | 'reward' | 'expire';
  points: number;
  /** Signed change. */
  delta: number;
  /** Balance after it. */
  balance: number;
  reason: string;
  at: number;
}

/** The user's points and a page of their history. */
export interface PointsPage {
  env: Env;
  balance: number;
  expiringPoints: number;
  expiringAt: number | null;
  history: PointsMovement[];
  nextCursor: string | null;
}

/** How the "me" page groups coupons. */
export type CouponGroup = 'available' | 'used' | 'expired';

/** One of the user's coupons. */
export interface UserCoupon {
  couponId: string;
  stockId: string;
  appId: string;
  appName: string;
  title: string;
  discountAmount: number;
  thresholdAmount: number;
  validFrom: number;
  validUntil: number;
  status: 'available' | 'locked' | 'used' | 'expired';
  orderId: string | null;
  issuedAt: number;
}

/** A page of the user's coupons, with how many each group holds. */
export interface CouponPage {
  env: Env;
  coupons: UserCoupon[];
  counts: Record<CouponGroup, number>;
  nextCursor: string | null;
}

/** A home-page placement an ops reviewer approved. */
export interface Placement {
  placementId: string;
  appId: string;
  appName: string;
  appIcon: string;
  slot: 'home_banner' | 'home_grid';
  title: string;
  imageUrl: string;
  /** The page it opens, e.g. `pages/index/index?from=banner`. */
  path: string;
}

/** A bank campaign running now. */
export interface Campaign {
  campaignId: string;
  kind: 'discount' | 'cashback';
  title: string;
  type: 'instant' | 'threshold' | 'random';
  discountAmount: number;
  thresholdAmount: number;
  cashbackRateBps: number | null;
  payMethods: ('balance' | 'debit' | 'credit')[];
  perUserDaily: number;
  validUntil: number;
  /** The apps it applies in, or null for every app. */
  apps: { appId: string; appName: string }[] | null;
}

/** What the home page promotes. */
/** A saved address (the host's picker shares the one the user taps). */
export type AddressEntry = SavedEntry<Address>;

/** A saved invoice title (company fields are empty for personal titles). */
export type InvoiceTitleEntry = SavedEntry<InvoiceTitle>;

export interface Promotions {
  placements: Placement[];
  campaigns: Campaign[];
}

/** A merchant (partner) as the portals show it. */
export interface Merchant {
  id: string;
  businessName: string;
  licenceNo: string;
  contact: { name: string; phone: string; email: string };
  status: 'pending' | 'admitted' | 'rejected';
  submittedAt: string;
  decidedAt: string | null;
  reason: string | null;
}

/** A release in one environment. */
export interface ReleaseView {
  version: string;
  releasedAt: string;
  packageDigest: string;
}

/** An app as the portals show it. */
export interface AppView {
  appId: string;
  merchantId: string;
  name: string;
  description: string;
  category: string;
  icon: string;
  status: 'draft' | 'live' | 'suspended' | 'delisted';
  statusReason: string | null;
  createdAt: string;
  releases: { sandbox: ReleaseView | null; production: ReleaseView | null };
  /** Where webhooks go when an order names no URL. */
  webhookUrl?: string | null;
}

/** One day of an app's stats. */
export interface StatsDay {
  date: string;
  calls: number;
  errors: number;
  payments: number;
  paidAmount: number;
  refundedAmount: number;
}

/** An app's stats over a range of days (merchant portal). */
export interface AppStats {
  appId: string;
  env: Env;
  from: string;
  to: string;
  days: StatsDay[];
  totals: Omit<StatsDay, 'date'> & { errorRate: number };
  capabilities: { capability: string; calls: number; errors: number; avgMs: number }[];
  errorCodes: { code: string; count: number }[];
  events: { event: string; count: number; users: number }[];
  eventSeries: { date: string; event: string; count: number; users: number }[];
}

/** A conversion funnel through reported events. */
export interface Funnel {
  appId: string;
  env: Env;
  from: string;
  to: string;
  windowHours: number;
  steps: { event: string; users: number; conversion: number }[];
}

/** One delivery attempt of a webhook. */
export interface DeliveryAttempt {
  at: number;
  httpStatus: number | null;
  error: string | null;
  ms: number;
}

/** A webhook notification and its delivery log. */
export interface WebhookNotification {
  id: string;
  eventType: string;
  resourceId: string;
  status: 'pending' | 'delivered' | 'acknowledged' | 'failed';
  attempts: DeliveryAttempt[];
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  acknowledgedAt: string | null;
}

/** Sandbox credentials shown once, when an app is created. */
export interface SandboxCredentials {
  appId: string;
  env: Env;
  serialNo: string;
  publicKey: string;
  privateKey: string;
  bank: { publicKey: string; serial: string };
}

/** A capability application. */
export interface CapabilityApplication {
  _id: string;
  appId: string;
  merchantId: string;
  env: Env;
  capability: string;
  reason: string;
  status: 'pending' | 'granted' | 'refused';
  submittedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionReason: string | null;
  quota: { perMinute?: number; dailyAmount?: number } | null;
}

/** One check of the automated review. */
export interface ReviewCheck {
  id: string;
  ok: boolean;
  message: string;
  severity: 'error' | 'warning';
}

/** The automated review report of a version. */
export interface ReviewReport {
  passed: boolean;
  checkedAt: string;
  checks: ReviewCheck[];
  size: { packageBytes: number; scriptBytes: number };
  declared: string[];
  used: { scanned: string[]; called: string[] };
  undeclared: string[];
  unused: string[];
  diff: {
    base: string | null;
    addedCapabilities: string[];
    removedCapabilities: string[];
    addedDomains: string[];
    removedDomains: string[];
    addedScopes: string[];
  };
  smoke: { ok: boolean; ms: number; pagesRendered: number; nodes: number; error: { code: string; message: string } | null };
}

/** A version of an app. */
export interface VersionView {
  id: string;
  appId: string;
  version: string;
  status: 'pending_review' | 'approved' | 'rejected';
  packageDigest: string;
  size: number;
  uploadedAt: string;
  manifest: { name?: string; version: string; capabilities: { id: string; reason: string }[]; domains: string[]; [key: string]: unknown };
  report: ReviewReport;
  decision: { by: unknown; reason: string; at: string } | null;
}

/** An Open API key. */
export interface Credential {
  appId: string;
  env: Env;
  serial: string;
  publicKey: string;
  status: 'active' | 'retiring' | 'revoked';
  source: string;
  createdAt: string;
  retiresAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  usable: boolean;
}

/** One row of an app's grants in one environment. */
export interface GrantRow {
  capability: string;
  requested: boolean;
  reason: string | null;
  status: 'granted' | 'revoked' | 'not-granted';
  quota: { perMinute?: number; dailyAmount?: number } | null;
  decidedAt: string | null;
}

/** An audit entry. */
export interface AuditEntry {
  seq: number;
  at: string;
  action: string;
  actor: { kind: string; id: string };
  target: { kind: string; id: string } | null;
  reason: string | null;
  data: Record<string, unknown> | null;
  hash: string;
  prevHash: string;
}

/** The audit chain check. */
export type AuditVerification = { ok: true; entries: number; headHash: string } | { ok: false; entries: number; brokenAtSeq: number; problem: string };

/** A support ticket. */
export interface Ticket {
  ticketId: string;
  appId: string;
  env: string;
  status: 'open' | 'closed';
  suggested: unknown;
  messages: { from: string; text: string; at: string }[];
  createdAt: string;
  updatedAt: string;
}

/** A fact a confirm sheet shows, resolved by the server (`POST /api/me/confirm-facts`). */
export interface ConfirmFact {
  key: string;
  value: string | number;
  kind: 'text' | 'money' | 'time';
}
