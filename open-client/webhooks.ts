/**
 * Webhooks for merchant servers: verify the bank's signature (`Lily-Signature` over
 * `TIMESTAMP\nNONCE\nBODY\n`, ±300 s) and open the digital envelope (the SM4-GCM key is
 * SM2-encrypted to the app's public key; only the app's private key opens it).
 */
import { fromBase64, fromUtf8, sm2Decrypt, sm4GcmDecrypt, utf8 } from '../runtime/crypto/sm.ts';
import { verifyBankSignature } from './index.ts';

/** A webhook body as the bank POSTs it. */
export interface WebhookEnvelope {
  id: string;
  eventType: string;
  createdAt: number;
  resource: { algorithm: 'SM4-GCM'; encryptedKey: string; nonce: string; associatedData: string; ciphertext: string };
}

/** An opened webhook: the event and its decrypted resource. */
export interface OpenedWebhook {
  id: string;
  eventType: string;
  createdAt: number;
  resource: Record<string, unknown>;
}

/** Why a webhook was refused. */
export class LilyWebhookError extends Error {
  constructor(
    readonly reason: 'signature' | 'stale' | 'envelope' | 'format',
    message: string,
  ) {
    super(message);
    this.name = 'LilyWebhookError';
  }
}

/**
 * Verifies and opens a webhook. Answer the bank with a 2xx only after this succeeded and the
 * event was stored; the bank retries otherwise (about 24 h). The event `id` is stable across
 * retries: use it to process each event once.
 *
 * @example
 * ```ts
 * app.post('/lily/webhook', express.text({ type: '*\/*' }), (req, res) => {
 *   const event = openWebhook({ headers: req.headers, body: req.body, privateKey, bankPublicKey });
 *   if (event.eventType === 'payment.succeeded') markPaid(event.resource.outTradeNo);
 *   res.status(204).end();
 * });
 * ```
 */
export function openWebhook(input: {
  headers: Record<string, string | string[] | undefined>;
  /** The exact body text as received. */
  body: string;
  /** The app's SM2 private key (the key pair whose public key the bank holds). */
  privateKey: string;
  bankPublicKey: string;
  nowMs?: number;
}): OpenedWebhook {
  const header = (name: string): string | undefined => {
    const v = input.headers[name] ?? input.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const timestamp = header('Lily-Timestamp');
  const nonce = header('Lily-Nonce');
  const signature = header('Lily-Signature');
  if (!timestamp || !nonce || !signature || !/^\d{1,12}$/.test(timestamp)) throw new LilyWebhookError('format', 'The webhook has no bank signature headers.');
  if (Math.abs((input.nowMs ?? Date.now()) / 1000 - Number(timestamp)) > 300) throw new LilyWebhookError('stale', 'The webhook timestamp is more than 300 s away.');
  if (!verifyBankSignature(input.bankPublicKey, signature, timestamp, nonce, input.body)) {
    throw new LilyWebhookError('signature', 'The webhook is not signed by the bank.');
  }
  let body: WebhookEnvelope;
  try {
    body = JSON.parse(input.body) as WebhookEnvelope;
  } catch {
    throw new LilyWebhookError('format', 'The webhook body is not JSON.');
  }
  try {
    const key = sm2Decrypt(body.resource.encryptedKey, input.privateKey);
    const sealed = fromBase64(body.resource.ciphertext);
    const plain = sm4GcmDecrypt(
      sealed.subarray(0, sealed.length - 16),
      key,
      fromBase64(body.resource.nonce),
      sealed.subarray(sealed.length - 16),
      utf8(body.resource.associatedData),
    );
    if (body.resource.associatedData !== body.id) throw new Error('envelope bound to another event');
    return { id: body.id, eventType: body.eventType, createdAt: body.createdAt, resource: JSON.parse(fromUtf8(plain)) as Record<string, unknown> };
  } catch {
    throw new LilyWebhookError('envelope', 'The webhook envelope cannot be opened with this key.');
  }
}

/**
 * {@link openWebhook} for a server that holds several app keys (sandbox and production, or a key
 * and its rotated successor): tries each in turn and answers which one opened it. A bad signature,
 * a stale timestamp or a malformed body fails for every key, so it is reported at once.
 *
 * @example
 * ```ts
 * const { key: env, event } = openWebhookWithKeys({
 *   headers: req.headers, body: req.body, bankPublicKey,
 *   privateKeys: { sandbox: sandboxKey, production: productionKey },
 * });
 * ```
 */
export function openWebhookWithKeys<K extends string>(input: {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Private keys by name; missing ones are skipped. */
  privateKeys: Partial<Record<K, string>>;
  bankPublicKey: string;
  nowMs?: number;
}): { key: K; event: OpenedWebhook } {
  let last: LilyWebhookError = new LilyWebhookError('envelope', 'No key to open the webhook with.');
  for (const [key, privateKey] of Object.entries(input.privateKeys) as [K, string | undefined][]) {
    if (!privateKey) continue;
    try {
      return { key, event: openWebhook({ headers: input.headers, body: input.body, privateKey, bankPublicKey: input.bankPublicKey, ...(input.nowMs === undefined ? {} : { nowMs: input.nowMs }) }) };
    } catch (err) {
      if (!(err instanceof LilyWebhookError) || err.reason !== 'envelope') throw err;
      last = err;
    }
  }
  throw last;
}
