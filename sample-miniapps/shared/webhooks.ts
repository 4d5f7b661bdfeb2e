/**
 * The bank's webhooks as the sample merchants receive them: verified over the exact bytes
 * received (the bank's SM2 signature), opened (the SM4 envelope, with the private key of the
 * world it was meant for), recorded once per event id (the bank retries until acknowledged), then
 * handed on. Shared by the sample back ends; a merchant of its own would write the same few lines
 * around `openWebhookWithKeys` of `lily-open-client`.
 */
import express, { type RequestHandler } from 'express';
import { LilyWebhookError, openWebhookWithKeys, type OpenedWebhook } from '../../open-client/webhooks.ts';

/** The two worlds a sample back end holds keys for. */
export type SampleEnv = 'sandbox' | 'production';

/** A webhook as received: opened and verified, or refused with the reason. */
export interface ReceivedWebhook {
  receivedAt: number;
  verified: boolean;
  env: SampleEnv | null;
  event: OpenedWebhook | null;
  reason: string | null;
}

/**
 * The handlers of `POST /lily/webhook` (a text body parser first: mount before any JSON parser).
 *
 * @example
 * ```ts
 * app.post('/lily/webhook', ...webhookReceiver({ credentials, bankPublicKey, received: state.webhooks, onEvent, log }));
 * ```
 */
export function webhookReceiver(input: {
  credentials: Partial<Record<SampleEnv, { privateKey: string }>>;
  bankPublicKey: string;
  /** Every webhook received, refused ones included. */
  received: ReceivedWebhook[];
  /** Called once per verified event. */
  onEvent: (record: ReceivedWebhook & { env: SampleEnv; event: OpenedWebhook }) => void;
  log: (message: string, data?: Record<string, unknown>) => void;
}): RequestHandler[] {
  const receive: RequestHandler = (req, res) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const record: ReceivedWebhook = { receivedAt: Date.now(), verified: false, env: null, event: null, reason: null };
    try {
      const privateKeys = { production: input.credentials.production?.privateKey, sandbox: input.credentials.sandbox?.privateKey };
      const opened = openWebhookWithKeys({ headers: req.headers, body, privateKeys, bankPublicKey: input.bankPublicKey });
      Object.assign(record, { verified: true, env: opened.key, event: opened.event });
    } catch (err) {
      record.reason = err instanceof LilyWebhookError ? err.reason : 'format';
    }
    if (!record.verified || !record.env || !record.event) {
      input.received.push(record);
      input.log('webhook refused', { reason: record.reason });
      res.status(400).json({ code: 'WEBHOOK_REFUSED', reason: record.reason });
      return;
    }
    const id = record.event.id;
    if (!input.received.some((w) => w.verified && w.event?.id === id)) {
      input.received.push(record);
      input.onEvent({ ...record, env: record.env, event: record.event });
    }
    res.status(204).end();
  };
  return [express.text({ type: '*/*', limit: '256kb' }), receive];
}
