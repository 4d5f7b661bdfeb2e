/**
 * The typed message protocol between the page (the host container) and the Web Worker that runs
 * the mini-app runtime. Every message names the instance it is about; the worker hosts several
 * instances in one QuickJS module.
 *
 * Structured clone carries everything: view trees, bridge calls and answers are plain JSON, and
 * asset bytes travel as transferred `ArrayBuffer`s.
 */
import type { BridgeAnswer, BridgeCall, CapabilityDescriptor } from '../../../protocol/bridge.ts';
import type { ErrorPayload } from '../../../protocol/errors.ts';
import type { EventOutcome, HostEvent, LogEntry, NavigateRequest, PageInfo } from '../../../runtime/instance.ts';
import type { ReleaseRecord } from '../../../runtime/package/release.ts';
import type { ViewNode } from '../../../runtime/view/tree.ts';

/** Opens one instance. */
export interface OpenMessage {
  type: 'open';
  instanceId: string;
  /** The package as downloaded (JSON text). Omitted when the worker already holds it (see `digest`). */
  packageText?: string;
  /** Content digest of the package (the cache key). */
  digest: string;
  release: { record: ReleaseRecord; signature: string };
  bankPublicKey: string | string[];
  capabilities: CapabilityDescriptor[];
  launch: { path?: string; query: Record<string, string>; scene: string };
}

/** Messages from the page to the worker. */
export type PageToWorker =
  | OpenMessage
  | { type: 'event'; instanceId: string; seq: number; event: HostEvent }
  | { type: 'answer'; instanceId: string; callId: number; answer: BridgeAnswer }
  /** Answers a `base.navigate` call by moving the page stack inside the worker. */
  | { type: 'navigate-answer'; instanceId: string; callId: number; request: NavigateRequest }
  /** The host's own back button. */
  | { type: 'back'; instanceId: string; seq: number }
  /** An event the host started (a network change) for the guest's listeners of `capability.method`. */
  | { type: 'host-event'; instanceId: string; capability: string; method: string; payload: unknown }
  | { type: 'show' | 'hide' | 'close'; instanceId: string }
  /** Does the worker still hold a verified package? (cheap reopen) */
  | { type: 'ping'; seq: number };

/** An asset of the package, for the renderer's images. */
export interface AssetBytes {
  path: string;
  bytes: ArrayBuffer;
}

/** Messages from the worker to the page. */
export type WorkerToPage =
  | { type: 'opened'; instanceId: string; appId: string; pages: PageInfo[]; assets: AssetBytes[]; cached: boolean; ms: number }
  | { type: 'open-failed'; instanceId: string; error: ErrorPayload; needsPackage?: boolean }
  | { type: 'render'; instanceId: string; pageId: number; route: string; tree: ViewNode }
  | { type: 'pages'; instanceId: string; pages: PageInfo[] }
  | { type: 'log'; instanceId: string; entry: LogEntry }
  | { type: 'stopped'; instanceId: string; reason: ErrorPayload }
  | { type: 'call'; instanceId: string; call: BridgeCall }
  | { type: 'event-done'; instanceId: string; seq: number; outcome: EventOutcome }
  | { type: 'back-done'; instanceId: string; seq: number; ok: boolean; error?: ErrorPayload }
  | { type: 'pong'; seq: number; cached: string[] };

/** True when `value` looks like a message of this protocol (the worker's guard on input). */
export function isPageMessage(value: unknown): value is PageToWorker {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
