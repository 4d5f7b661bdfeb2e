/**
 * Webhook delivery from the outbox, as digital envelopes signed by the bank.
 *
 * Body: `{id, eventType, createdAt, resource: {algorithm: 'SM4-GCM', encryptedKey, nonce,
 * associatedData, ciphertext}}`. The resource JSON is encrypted with a fresh random SM4 key
 * (GCM, 12-byte nonce, the notification id as associated data; `ciphertext` is base64 of the
 * ciphertext followed by the 16-byte tag); the key is encrypted to the merchant's SM2 public key
 * (C1C3C2, hex as sm-crypto writes it). Headers `Lily-Serial`, `Lily-Timestamp`, `Lily-Nonce` and
 * `Lily-Signature` (SM2 by the bank, DER, base64) over `TIMESTAMP\nNONCE\nBODY\n`.
 *
 * Retries: after each failed attempt the next is due 15 s, 15 s, 30 s, 3 min, 10 min, 20 min,
 * 30 min later, then hourly, until 24 h after the event; then the notification is `failed`. Every
 * attempt is persisted on the notification, so retries survive restarts.
 *
 * `deliverOutbox` is meant to be called periodically by a worker (it is not started anywhere yet).
 */
import {
  fromBase64,
  fromHex,
  fromUtf8,
  randomBytes,
  sm2Decrypt,
  sm2Encrypt,
  sm2Sign,
  sm2Verify,
  sm4GcmDecrypt,
  sm4GcmEncrypt,
  toBase64,
  toHex,
  utf8,
} from '../../runtime/crypto/sm.ts';
import type { BankKeys } from '../keys.ts';
import type { Store } from '../store/types.ts';
import { C, ensurePaymentIndexes, type Env } from './common.ts';
import type { DeliveryAttempt, OutboxDoc } from './outbox.ts';

/** Delays before each retry, after the first failed attempt; then hourly. */
export const RETRY_DELAYS_MS = [15_000, 15_000, 30_000, 180_000, 600_000, 1_200_000, 1_800_000] as const;
/** Retries stop this long after the event. */
export const RETRY_WINDOW_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

/** The delay before the next attempt, given how many attempts were made. */
export function retryDelay(attemptsMade: number): number {
  return RETRY_DELAYS_MS[attemptsMade - 1] ?? HOUR_MS;
}

/** The encrypted resource of a webhook body. */
export interface EnvelopedResource {
  algorithm: 'SM4-GCM';
  /** The SM4 key encrypted to the merchant's SM2 public key (C1C3C2, hex). */
  encryptedKey: string;
  /** 12-byte GCM nonce, base64. */
  nonce: string;
  /** GCM associated data (the notification id). */
  associatedData: string;
  /** base64(ciphertext ‖ 16-byte tag). */
  ciphertext: string;
}

/** A webhook body. */
export interface WebhookBody {
  id: string;
  eventType: string;
  createdAt: number;
  resource: EnvelopedResource;
}

/** Seals a notification's resource into a webhook body for the merchant's public key. */
export function sealEnvelope(doc: Pick<OutboxDoc, '_id' | 'eventType' | 'createdAt' | 'resource'>, merchantPublicKey: string): WebhookBody {
  const key = randomBytes(16);
  const nonce = randomBytes(12);
  const aad = utf8(doc._id);
  const { ciphertext, tag } = sm4GcmEncrypt(utf8(JSON.stringify(doc.resource)), key, nonce, aad);
  const sealed = new Uint8Array(ciphertext.length + tag.length);
  sealed.set(ciphertext);
  sealed.set(tag, ciphertext.length);
  return {
    id: doc._id,
    eventType: doc.eventType,
    createdAt: doc.createdAt,
    resource: {
      algorithm: 'SM4-GCM',
      encryptedKey: sm2Encrypt(key, merchantPublicKey),
      nonce: toBase64(nonce),
      associatedData: doc._id,
      ciphertext: toBase64(sealed),
    },
  };
}

/** Opens a webhook body with the merchant's SM2 private key (what a merchant server does). */
export function openEnvelope(body: WebhookBody, merchantPrivateKey: string): Record<string, unknown> {
  const key = sm2Decrypt(body.resource.encryptedKey, merchantPrivateKey);
  const sealed = fromBase64(body.resource.ciphertext);
  const plain = sm4GcmDecrypt(sealed.subarray(0, sealed.length - 16), key, fromBase64(body.resource.nonce), sealed.subarray(sealed.length - 16), utf8(body.resource.associatedData));
  return JSON.parse(fromUtf8(plain)) as Record<string, unknown>;
}

/** The bank's signature headers for a webhook body. */
export function signWebhook(bodyText: string, bank: BankKeys, timestampSeconds: number, nonce = toHex(randomBytes(16))): Record<string, string> {
  const signature = sm2Sign(`${timestampSeconds}\n${nonce}\n${bodyText}\n`, bank.privateKey, bank.publicKey);
  return {
    'Content-Type': 'application/json',
    'Lily-Serial': bank.serial,
    'Lily-Timestamp': String(timestampSeconds),
    'Lily-Nonce': nonce,
    'Lily-Signature': toBase64(fromHex(signature)),
  };
}

/** Verifies a webhook's signature and timestamp (±300 s), as a merchant server should. */
export function verifyWebhook(headers: Record<string, string | undefined>, bodyText: string, bankPublicKey: string, nowMs = Date.now()): boolean {
  const ts = headers['Lily-Timestamp'] ?? headers['lily-timestamp'];
  const nonce = headers['Lily-Nonce'] ?? headers['lily-nonce'];
  const sig = headers['Lily-Signature'] ?? headers['lily-signature'];
  if (!ts || !nonce || !sig || !/^\d{1,12}$/.test(ts) || Math.abs(nowMs / 1000 - Number(ts)) > 300) return false;
  let sigHex: string;
  try {
    sigHex = toHex(fromBase64(sig));
  } catch {
    return false;
  }
  return sm2Verify(`${ts}\n${nonce}\n${bodyText}\n`, sigHex, bankPublicKey);
}

/** Where an app's webhooks go and the key they are sealed to. */
export interface WebhookEndpoint {
  /** The app's webhook URL (an order's own notifyUrl takes precedence), or null when unset. */
  url: string | null;
  /** The merchant's SM2 public key for this environment. */
  publicKey: string;
}

/** What {@link deliverOutbox} needs. */
export interface DeliveryDeps {
  store: Store;
  bank: BankKeys;
  /** The endpoint of an app in an environment, or null when it has none. */
  endpoint(appId: string, env: Env): Promise<WebhookEndpoint | null>;
  /** Defaults to the global fetch. The caller is responsible for refusing private addresses. */
  fetch?: typeof fetch;
  now?: () => number;
  /** Per attempt (default 5 s). */
  timeoutMs?: number;
}

/** What one delivery round did. */
export interface DeliveryReport {
  attempted: number;
  delivered: number;
  failed: number;
}

const LEASE_MS = 60_000;
const MAX_LOG = 50;

/**
 * Delivers due notifications once: each is leased (so concurrent workers never send it twice at
 * once), sealed, signed, POSTed, and its attempt recorded with the next due time.
 */
export async function deliverOutbox(deps: DeliveryDeps, options: { limit?: number } = {}): Promise<DeliveryReport> {
  await ensurePaymentIndexes(deps.store);
  const now = deps.now ?? Date.now;
  const doFetch = deps.fetch ?? fetch;
  const col = deps.store.collection<OutboxDoc>(C.outbox);
  const report: DeliveryReport = { attempted: 0, delivered: 0, failed: 0 };
  const due = await col.find({ status: 'pending', nextAttemptAt: { $lte: now() } }, { sort: { nextAttemptAt: 1 }, limit: options.limit ?? 100 }).toArray();
  for (const candidate of due) {
    const t = now();
    const doc = await col.findOneAndUpdate(
      { _id: candidate._id, status: 'pending', $or: [{ leaseUntil: null }, { leaseUntil: { $lt: t } }] },
      { $set: { leaseUntil: t + LEASE_MS } },
      { returnDocument: 'after' },
    );
    if (!doc) continue;
    report.attempted++;
    const started = now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const endpoint = await deps.endpoint(doc.appId, doc.env);
      const url = doc.notifyUrl ?? endpoint?.url ?? null;
      if (!endpoint || !url) {
        error = 'no webhook endpoint configured';
      } else {
        const body = JSON.stringify(sealEnvelope(doc, endpoint.publicKey));
        const res = await doFetch(url, {
          method: 'POST',
          headers: signWebhook(body, deps.bank, Math.floor(now() / 1000)),
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(deps.timeoutMs ?? 5_000),
        });
        httpStatus = res.status;
        await res.body?.cancel().catch(() => undefined);
        if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
      }
    } catch (err) {
      error = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : ((err as { cause?: { code?: string } }).cause?.code ?? 'network error');
    }
    const finished = now();
    const attempt: DeliveryAttempt = { at: started, httpStatus, error, ms: finished - started };
    const attemptsMade = doc.attempts + 1;
    let set: Partial<OutboxDoc>;
    if (error === null) {
      set = { status: 'delivered', deliveredAt: finished, nextAttemptAt: null, leaseUntil: null };
      report.delivered++;
    } else {
      const next = finished + retryDelay(attemptsMade);
      if (next > doc.createdAt + RETRY_WINDOW_MS) {
        set = { status: 'failed', nextAttemptAt: null, leaseUntil: null };
        report.failed++;
      } else {
        set = { nextAttemptAt: next, leaseUntil: null };
      }
    }
    const log = [...doc.attemptLog, attempt].slice(-MAX_LOG);
    const res = await col.updateOne({ _id: doc._id, status: 'pending' }, { $set: { ...set, attemptLog: log }, $inc: { attempts: 1 } });
    if (res.matchedCount === 0) {
      // Acknowledged meanwhile: keep the record of the attempt, not the state change.
      await col.updateOne({ _id: doc._id }, { $set: { attemptLog: log, leaseUntil: null }, $inc: { attempts: 1 } });
    }
  }
  return report;
}

/**
 * Makes a notification due again at once (the merchant's "resend"). A failed one gets one more
 * attempt (its 24-hour window has passed, so it fails again unless that attempt succeeds).
 */
export async function resendNotification(store: Store, scope: { env: Env; appId: string; now: number }, notificationId: string): Promise<boolean> {
  const res = await store
    .collection<OutboxDoc>(C.outbox)
    .updateOne(
      { _id: notificationId, env: scope.env, appId: scope.appId, status: { $in: ['pending', 'failed', 'delivered'] } },
      { $set: { status: 'pending', nextAttemptAt: scope.now, leaseUntil: null } },
    );
  return res.matchedCount === 1;
}
