/**
 * The socket.io contract between the host app and the server's `/bridge` namespace.
 * Requests are acks with timeouts (`socket.timeout(ms).emitWithAck`); every ack is a
 * `Response<T>`, so a failure is always `{error: {code, message}}`.
 */
import type { Response } from './errors.ts';

/** The namespace the bridge lives on. */
export const BRIDGE_NAMESPACE = '/bridge';

/** How long the host waits for a server-backed call before answering the guest TIMEOUT. */
export const BRIDGE_CALL_TIMEOUT_MS = 15_000;

/** Largest params payload of one bridge call, in bytes of JSON. */
export const BRIDGE_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** A guest call as the host forwards it. The app and instance come from the launch token only. */
export interface BridgeCallRequest {
  launchToken: string;
  capability: string;
  method: string;
  params: Record<string, unknown>;
  /** The guest's call id, echoed for correlation in logs. */
  callId: string;
  /** True when the host saw a user tap start this call (required for `userGesture` methods). */
  userGesture?: boolean;
  /**
   * What the user decided in a host sheet (cashier, confirm, top-up), set by the host only, never
   * by the mini-app: the guest's params travel separately in `params`.
   */
  host?: HostInput;
}

/** The host's sheet answers that ride beside a guest call. */
export interface HostInput {
  confirmed?: boolean;
  /** The payment PIN typed in the host's own sheet. */
  pin?: string;
  cardId?: string;
  installmentTerm?: number;
  couponId?: string;
  amount?: number;
  scannedCode?: string;
  /** The item picked in a host sheet (address, invoice title, share channel). */
  pickedId?: string;
  /** Items accepted in a host sheet (subscribe-message templates). */
  pickedIds?: string[];
  /** A one-time code typed in the host's verification sheet. */
  otp?: string;
}

/** Attaching an open mini-app instance to this socket so server pushes reach it. */
export interface AttachRequest {
  launchToken: string;
}

/** Pushed when ops grant or revoke a capability of an app. */
export interface GrantChangedEvent {
  appId: string;
  env: 'sandbox' | 'production';
  capability: string;
  status: 'granted' | 'revoked';
}

/** Pushed when an app is suspended, resumed or delisted. */
export interface AppStatusEvent {
  appId: string;
  status: 'draft' | 'live' | 'suspended' | 'delisted';
  reason: string | null;
}

/** Pushed when the user's consent changes (e.g. revoked in settings on another device). */
export interface ConsentChangedEvent {
  appId: string;
  scope: string;
  status: 'granted' | 'refused' | 'revoked';
}

/** A message delivered to the user's inbox. */
export interface InboxMessageEvent {
  messageId: string;
  appId: string | null;
  title: string;
  body: string;
  at: string;
}

/** A support conversation event (FAQ answer or an agent's reply). */
export interface SupportEvent {
  ticketId: string;
  from: 'assistant' | 'agent' | 'user';
  text: string;
  at: string;
}

/** Events the host sends to the server. */
export interface ClientToServerEvents {
  'instance:attach': (req: AttachRequest, ack: (res: Response<{ appId: string; instanceId: string }>) => void) => void;
  'instance:detach': (req: AttachRequest, ack: (res: Response<{ ok: true }>) => void) => void;
  call: (req: BridgeCallRequest, ack: (res: Response<unknown>) => void) => void;
}

/** Events the server pushes to the host. */
export interface ServerToClientEvents {
  'grant:changed': (event: GrantChangedEvent) => void;
  'app:status': (event: AppStatusEvent) => void;
  'consent:changed': (event: ConsentChangedEvent) => void;
  message: (event: InboxMessageEvent) => void;
  support: (event: SupportEvent) => void;
}

/** Per-socket data the server keeps. */
export interface BridgeSocketData {
  userId: string;
  sessionId: string;
}

/** The namespace of the ops console (support queue now, the live dashboard later). */
export const OPS_NAMESPACE = '/ops';

/** A support ticket that needs a person. */
export interface SupportTicketEvent {
  ticketId: string;
  appId: string;
  env: string;
  text: string;
  queuePosition: number;
}

/** One second of the live dashboard's series. */
export interface DashboardPoint {
  /** Start of the second, ms since the epoch. */
  t: number;
  calls: number;
  errors: number;
  /** Latency percentiles of that second's calls, ms (null when there were none). */
  p50: number | null;
  p99: number | null;
  payments: number;
}

/** The live dashboard, pushed to every ops console once a second. */
export interface DashboardEvent {
  at: number;
  /** Seconds the aggregates cover. */
  windowSeconds: number;
  /** Bridge calls per second over the window, in total and per capability. */
  callsPerSecond: number;
  byCapability: { capability: string; callsPerSecond: number; errorRate: number; p50: number | null; p99: number | null }[];
  /** Latency percentiles over the window, ms (null when there were no calls). */
  p50: number | null;
  p99: number | null;
  /** Share of calls that failed over the window, 0 to 1. */
  errorRate: number;
  /** Mini-app sessions connected to the bridge now. */
  openSessions: number;
  /** Successful payments over the window, and per minute. */
  payments: { count: number; perMinute: number };
  /** The last `windowSeconds` seconds, oldest first. */
  series: DashboardPoint[];
}

/** Events the server pushes to the ops console. */
export interface OpsServerToClientEvents {
  'support:ticket': (event: SupportTicketEvent) => void;
  dashboard: (event: DashboardEvent) => void;
}
