/**
 * The webhook outbox. Every money event writes one notification document here IN THE SAME
 * transaction as the state change it reports, so a committed payment always has its notification
 * and a rolled-back one never does. Delivery (`webhooks.ts`) and the merchant's catch-up API
 * (`listNotifications`, `acknowledgeNotification`) read and update these documents.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { Doc, Transaction } from '../store/types.ts';
import { C, decodeCursor, encodeCursor, ensurePaymentIndexes, publicId, type Env, type Scope } from './common.ts';

/** The events a notification can report (the `eventType` enum of `payment.notify`). */
export type NotificationEventType =
  | 'payment.succeeded'
  | 'refund.succeeded'
  | 'refund.failed'
  | 'hold.authorized'
  | 'hold.captured'
  | 'hold.released'
  | 'agreement.signed'
  | 'agreement.terminated'
  | 'escrow.released'
  | 'message.delivered';

/** Delivery state: pending (retrying), delivered (2xx), acknowledged (by the merchant), failed (gave up). */
export type NotificationStatus = 'pending' | 'delivered' | 'acknowledged' | 'failed';

/** One delivery attempt, kept on the notification. */
export interface DeliveryAttempt {
  /** When it started, ms. */
  at: number;
  /** The HTTP status the endpoint answered, or null when none (network error, timeout). */
  httpStatus: number | null;
  /** Short reason for a failure (`timeout`, `ECONNREFUSED`, `HTTP 500`), or null on success. */
  error: string | null;
  /** How long it took, ms. */
  ms: number;
}

/**
 * A notification in the `outbox` collection.
 *
 * - `_id` (`ntf_…`) is also the `id` of the webhook body, so merchants can de-duplicate.
 * - `resource` is the JSON view of the order, refund, hold, agreement or escrow at the moment of
 *   the event, exactly as the Open API returns it; delivery encrypts it into the envelope.
 * - `notifyUrl` is the order's or hold's own URL; null means the app's configured webhook URL.
 * - `nextAttemptAt` is when delivery is next due (null once delivered, acknowledged or failed);
 *   `leaseUntil` stops two delivery workers from sending the same notification at once.
 */
export interface OutboxDoc extends Doc {
  env: Env;
  appId: string;
  eventType: NotificationEventType;
  resourceId: string;
  resource: Record<string, unknown>;
  notifyUrl: string | null;
  status: NotificationStatus;
  attempts: number;
  attemptLog: DeliveryAttempt[];
  createdAt: number;
  nextAttemptAt: number | null;
  leaseUntil: number | null;
  deliveredAt: number | null;
  acknowledgedAt: number | null;
}

/** What {@link enqueue} needs. */
export interface OutboxEvent {
  env: Env;
  appId: string;
  eventType: NotificationEventType;
  resourceId: string;
  resource: Record<string, unknown>;
  notifyUrl?: string | null;
  at: number;
}

/**
 * Writes a notification inside the caller's transaction; it is due for delivery at once.
 *
 * @example
 * ```ts
 * await store.transaction(async (tx) => {
 *   // … the state change …
 *   await enqueue(tx, { env, appId, eventType: 'payment.succeeded', resourceId: orderId, resource: orderView(order), at: now });
 * });
 * ```
 */
export async function enqueue(tx: Transaction, event: OutboxEvent): Promise<OutboxDoc> {
  const doc: OutboxDoc = {
    _id: publicId('ntf'),
    env: event.env,
    appId: event.appId,
    eventType: event.eventType,
    resourceId: event.resourceId,
    resource: event.resource,
    notifyUrl: event.notifyUrl ?? null,
    status: 'pending',
    attempts: 0,
    attemptLog: [],
    createdAt: event.at,
    nextAttemptAt: event.at,
    leaseUntil: null,
    deliveredAt: null,
    acknowledgedAt: null,
  };
  await tx.collection<OutboxDoc>(C.outbox).insertOne(doc);
  return doc;
}

/** A notification as the Open API shows it. */
export function notificationView(doc: OutboxDoc) {
  return {
    notificationId: doc._id,
    eventType: doc.eventType,
    resourceId: doc.resourceId,
    status: doc.status,
    attempts: Math.min(doc.attempts, 100),
    createdAt: doc.createdAt,
    nextAttemptAt: doc.nextAttemptAt,
  };
}

/** Notifications of the app, oldest first: `unacknowledged` (default), `failed` or `all`. */
export async function listNotifications(
  scope: Scope,
  input: { status?: 'unacknowledged' | 'failed' | 'all'; limit?: number; cursor?: string },
): Promise<{ notifications: ReturnType<typeof notificationView>[]; nextCursor: string | null }> {
  await ensurePaymentIndexes(scope.store);
  const limit = Math.min(Math.max(input.limit ?? 20, 1), 100);
  const filter: Record<string, unknown> = { env: scope.env, appId: scope.appId };
  const status = input.status ?? 'unacknowledged';
  if (status === 'unacknowledged') filter.status = { $ne: 'acknowledged' };
  else if (status === 'failed') filter.status = 'failed';
  if (input.cursor !== undefined) {
    const c = decodeCursor(input.cursor);
    filter.$or = [{ createdAt: { $gt: c.at } }, { createdAt: c.at, _id: { $gt: c.id } }];
  }
  const docs = await scope.store
    .collection<OutboxDoc>(C.outbox)
    .find(filter, { sort: { createdAt: 1, _id: 1 }, limit: limit + 1 })
    .toArray();
  const page = docs.slice(0, limit);
  const last = page[page.length - 1];
  return {
    notifications: page.map(notificationView),
    nextCursor: docs.length > limit && last ? encodeCursor(last.createdAt, last._id) : null,
  };
}

/** Marks a notification acknowledged (idempotent: the first acknowledgement time is kept). */
export async function acknowledgeNotification(
  scope: Scope,
  input: { notificationId: string },
): Promise<{ notificationId: string; acknowledgedAt: number }> {
  await ensurePaymentIndexes(scope.store);
  const col = scope.store.collection<OutboxDoc>(C.outbox);
  const now = scope.now();
  await col.updateOne(
    { _id: input.notificationId, env: scope.env, appId: scope.appId, acknowledgedAt: null },
    { $set: { status: 'acknowledged', acknowledgedAt: now, nextAttemptAt: null, leaseUntil: null } },
  );
  const doc = await col.findOne({ _id: input.notificationId, env: scope.env, appId: scope.appId });
  if (!doc || doc.acknowledgedAt === null) throw new LilyError('NOT_FOUND', 'No such notification.');
  return { notificationId: doc._id, acknowledgedAt: doc.acknowledgedAt };
}
