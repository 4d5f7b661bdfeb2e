/**
 * Your back end: what runs on your own server. It talks to the bank only through the signed Open
 * API (`lily-open-client`) and keeps its orders in memory (a sample, not a database):
 *
 * - `POST /orders` `{code}`: exchanges the mini-app's login code for the user's openId
 *   (code2Session) and creates a prepay order for the item at the price set here, never by the
 *   mini-app; the mini-app then pays it with `lily.payment.cashier.requestPayment({ prepayId })`.
 * - `GET /orders/:orderId`: the order as the bank sees it now.
 * - `POST /lily/webhook`: the bank's signed, encrypted notifications (`payment.succeeded`, …).
 *
 * Run it with `npx tsx server/backend.ts`; it listens where `config.ts` says.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LilyOpenApiError, LilyWebhookError, openWebhook } from 'lily-open-client';
import { BACKEND } from '../config.ts';
import { openApi } from './lily.ts';

const { lily, credentials } = openApi();
const app = JSON.parse(readFileSync(new URL('../app.json', import.meta.url), 'utf8')) as { name: string };

/** What this shop sells, in fen. */
const ITEM = { description: `${app.name}: sample item`, amount: 100 };

interface Order {
  orderId: string;
  outTradeNo: string;
  openId: string;
  /** The last webhook event for it, if any. */
  notified: string | null;
}
const orders = new Map<string, Order>();
/** Ids of the webhook events already handled. */
const handled = new Set<string>();

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage, limit = 256 * 1024): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > limit) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', 'The body is too large.');
  }
  return body;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function createOrder(code: unknown) {
  if (typeof code !== 'string') throw new HttpError(400, 'INVALID_PARAMS', 'code is required.');
  let openId: string;
  try {
    ({ openId } = await lily.post<{ openId: string }>('/open/v1/auth/code2session', { code }));
  } catch (err) {
    if (err instanceof LilyOpenApiError && (err.code === 'NOT_FOUND' || err.code === 'INVALID_STATE')) throw new HttpError(401, 'LOGIN_FAILED', 'Log in again.');
    throw err;
  }
  const outTradeNo = `ORDER-${Date.now()}-${randomBytes(3).toString('hex')}`;
  // Your order number as the Idempotency-Key: a retry after a timeout can never create two orders.
  const { prepayId, orderId, expiresAt } = await lily.post<{ prepayId: string; orderId: string; expiresAt: number }>(
    '/open/v1/payments/prepay',
    { openId, outTradeNo, amount: ITEM.amount, description: ITEM.description },
    { idempotencyKey: outTradeNo },
  );
  orders.set(orderId, { orderId, outTradeNo, openId, notified: null });
  console.log(`order ${orderId} (${outTradeNo}) created: ${ITEM.amount} fen`);
  return { orderId, prepayId, expiresAt, description: ITEM.description, amount: ITEM.amount };
}

async function orderStatus(orderId: string) {
  const mine = orders.get(orderId);
  if (!mine) throw new HttpError(404, 'NOT_FOUND', 'No such order.');
  const order = await lily.get<{ status: string; amount: number; paidAmount: number }>(`/open/v1/payments/orders/${encodeURIComponent(orderId)}`);
  return { orderId, outTradeNo: mine.outTradeNo, status: order.status, amount: order.amount, paidAmount: order.paidAmount, notified: mine.notified };
}

function webhook(headers: IncomingMessage['headers'], body: string): void {
  let event;
  try {
    event = openWebhook({ headers, body, privateKey: credentials.privateKey, bankPublicKey: credentials.bank.publicKey });
  } catch (err) {
    throw new HttpError(400, 'WEBHOOK_REFUSED', err instanceof LilyWebhookError ? err.reason : 'format');
  }
  // The bank retries until it gets a 2xx; the event id is stable, so handle each event once.
  if (handled.has(event.id)) return;
  handled.add(event.id);
  const order = orders.get(String(event.resource.orderId));
  if (order) order.notified = event.eventType;
  console.log(`webhook ${event.eventType}: order ${String(event.resource.orderId)} is ${String(event.resource.status)}`);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', BACKEND);
  const route = async () => {
    const byId = /^\/orders\/([A-Za-z0-9_]{1,64})$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/lily/webhook') {
      webhook(req.headers, await readBody(req));
      return send(res, 204);
    }
    if (req.method === 'POST' && url.pathname === '/orders') {
      const body = JSON.parse((await readBody(req, 16 * 1024)) || '{}') as { code?: unknown };
      return send(res, 201, await createOrder(body.code));
    }
    if (req.method === 'GET' && byId) return send(res, 200, await orderStatus(byId[1]!));
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { ok: true });
    throw new HttpError(404, 'NOT_FOUND', 'No such route.');
  };
  route().catch((err: unknown) => {
    if (err instanceof HttpError) return send(res, err.status, { code: err.code, message: err.message });
    if (err instanceof SyntaxError) return send(res, 400, { code: 'INVALID_JSON', message: 'Send JSON.' });
    if (err instanceof LilyOpenApiError) {
      console.error(`the bank refused: ${err.code} ${err.detail} (request ${err.requestId ?? '?'})`);
      return send(res, 502, { code: err.code, message: err.detail });
    }
    console.error(err);
    send(res, 500, { code: 'INTERNAL', message: 'Something went wrong; try again.' });
  });
});

const { hostname, port } = new URL(BACKEND);
server.listen(Number(port) || 80, hostname, () => {
  console.log(`${app.name} back end listening on ${BACKEND} (app ${credentials.appId}, sandbox, bank at ${process.env.LILY_SERVER ?? credentials.server})`);
});
