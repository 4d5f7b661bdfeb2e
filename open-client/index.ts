/**
 * `lily-open-client`: the Node client merchants' servers use to call the Lily Open API.
 *
 * It signs every request with the app's SM2 key (`Authorization: LILY-SM2-SM3 …` over
 * `METHOD\nPATH[?QUERY]\nTIMESTAMP\nNONCE\nBODY\n`), sends it with the global `fetch`, verifies the
 * bank's signature on every response (`Lily-Signature` over `TIMESTAMP\nNONCE\nBODY\n`) before
 * reading it, turns problem+json answers into {@link LilyOpenApiError}, and adds a random
 * `Idempotency-Key` to every POST that has none. To retry a POST safely (after a timeout, say),
 * send it again with the same `idempotencyKey`: pass your own (e.g. your order number) for calls
 * that move money.
 *
 * Needs Node 20 (global fetch, Web Crypto) and nothing but Lily's SM crypto module.
 *
 * @example
 * ```ts
 * import { LilyOpenClient } from 'lily-open-client';
 * const lily = new LilyOpenClient({ baseUrl: 'https://open.lily.example', appId: 'com.example.ride',
 *   serialNo: '3F2A…', privateKey: process.env.LILY_PRIVATE_KEY!, bankPublicKey: '04…' });
 * const { prepayId } = await lily.post('/open/v1/payments/prepay', { openId, outTradeNo, amount: 1250, description: 'Ride' });
 * ```
 */
import { fromBase64, fromHex, publicKeyOf, randomBytes, SM2_USER_ID, sm2Sign, sm2Verify, toBase64, toHex } from '../runtime/crypto/sm.ts';

/** The Authorization scheme. */
export const AUTH_SCHEME = 'LILY-SM2-SM3';

/** The SM2 user id every Lily signature uses (pass it explicitly to other SM2 libraries). */
export const USER_ID = SM2_USER_ID;

/** How far (seconds) a response timestamp may be from the local clock by default. */
export const DEFAULT_RESPONSE_WINDOW_SECONDS = 300;

/** HTTP methods of the Open API. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Query values: repeated keys are not allowed by the Open API, so one value per key. */
export type QueryValue = string | number | boolean | null | undefined;

/**
 * The canonical request string: `METHOD\nPATH[?QUERY]\nTIMESTAMP\nNONCE\nBODY\n`.
 *
 * `pathWithQuery` is the request target exactly as sent (`/open/v1/x?a=1`); `body` is the exact
 * body text, `''` when there is none.
 *
 * @example
 * ```ts
 * canonicalString('GET', '/open/v1/ping', '1700000000', '5K8264ILTKCH16CQ2502SI8ZNMTM67VS', '');
 * // 'GET\n/open/v1/ping\n1700000000\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n\n'
 * ```
 */
export function canonicalString(method: string, pathWithQuery: string, timestamp: string | number, nonce: string, body: string): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** The string the bank signs for a response: `TIMESTAMP\nNONCE\nBODY\n`. */
export function responseCanonicalString(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** A fresh nonce: 32 random hex characters. */
export function newNonce(): string {
  return toHex(randomBytes(16));
}

/** What {@link signRequest} needs. */
export interface SignRequestInput {
  method: string;
  /** Path and query exactly as sent, e.g. `/open/v1/payments/orders?limit=20`. */
  pathWithQuery: string;
  /** Exact body text; `''` or omitted when there is none. */
  body?: string;
  appId: string;
  serialNo: string;
  /** 64 hex characters. */
  privateKey: string;
  /** The matching public key (saves deriving it). */
  publicKey?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number | string;
  /** Defaults to a fresh random nonce. */
  nonce?: string;
}

/** A signed request, with its parts, for sending or for a signature debugger. */
export interface SignedRequest {
  /** The `Authorization` header value. */
  authorization: string;
  /** The exact string that was signed. */
  canonical: string;
  /** Base64 of the DER signature. */
  signature: string;
  timestamp: string;
  nonce: string;
}

/**
 * Signs a request and builds its Authorization header.
 *
 * @example
 * ```ts
 * const signed = signRequest({ method: 'GET', pathWithQuery: '/open/v1/ping', appId, serialNo, privateKey });
 * await fetch(baseUrl + '/open/v1/ping', { headers: { Authorization: signed.authorization } });
 * ```
 */
export function signRequest(input: SignRequestInput): SignedRequest {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = input.nonce ?? newNonce();
  const canonical = canonicalString(input.method, input.pathWithQuery, timestamp, nonce, input.body ?? '');
  const signature = toBase64(fromHex(sm2Sign(canonical, input.privateKey, input.publicKey)));
  const authorization =
    `${AUTH_SCHEME} app_id="${input.appId}",serial_no="${input.serialNo}",` +
    `timestamp="${timestamp}",nonce="${nonce}",signature="${signature}"`;
  return { authorization, canonical, signature, timestamp, nonce };
}

/**
 * Verifies a bank signature (`Lily-Signature`) over `TIMESTAMP\nNONCE\nBODY\n`. Never throws.
 * The webhook helpers reuse it: webhooks are signed the same way.
 */
export function verifyBankSignature(
  bankPublicKey: string,
  signatureBase64: string,
  timestamp: string,
  nonce: string,
  body: string,
): boolean {
  let hex: string;
  try {
    hex = toHex(fromBase64(signatureBase64));
  } catch {
    return false;
  }
  return sm2Verify(responseCanonicalString(timestamp, nonce, body), hex, bankPublicKey);
}

/** A problem+json answer from the Open API, as a thrown error. */
export class LilyOpenApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** The stable Lily error code, e.g. `SIGNATURE_INVALID`, `INSUFFICIENT_FUNDS`. */
  readonly code: string;
  /** The human-readable detail. */
  readonly detail: string;
  /** The request id: quote it when asking the bank about a call. */
  readonly requestId: string | undefined;
  /** The whole problem body (with `details` when the bank sent any). */
  readonly problem: Record<string, unknown>;
  /** Seconds to wait before retrying (429, or a duplicate still in progress), when given. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, problem: Record<string, unknown>, retryAfterSeconds?: number) {
    const code = typeof problem.code === 'string' ? problem.code : 'INTERNAL';
    const detail = typeof problem.detail === 'string' ? problem.detail : `HTTP ${status}`;
    super(`${code}: ${detail}`);
    this.name = 'LilyOpenApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.requestId = typeof problem.requestId === 'string' ? problem.requestId : undefined;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A response that is not provably from the bank: unsigned, signed by another key, altered, or
 * too old. Its body must not be trusted, whatever it says.
 */
export class LilyResponseVerificationError extends Error {
  /** HTTP status of the refused response. */
  readonly status: number;
  /** The `X-Request-Id` header, if any. */
  readonly requestId: string | undefined;

  constructor(message: string, status: number, requestId: string | undefined) {
    super(message);
    this.name = 'LilyResponseVerificationError';
    this.status = status;
    this.requestId = requestId;
  }
}

/** Options of {@link LilyOpenClient}. */
export interface LilyOpenClientOptions {
  /** Where the Open API is served, e.g. `https://open.lily.example` (no `/open/v1`). */
  baseUrl: string;
  appId: string;
  /** The serial of the key below (shown with the key in the merchant portal). */
  serialNo: string;
  /** The app's SM2 private key, 64 hex characters. */
  privateKey: string;
  /** The bank's SM2 public key (from the developer center), to verify every response. */
  bankPublicKey: string;
  /** The bank key serial; when given, responses signed under another serial are refused. */
  bankSerial?: string;
  /** Seconds a response timestamp may differ from the local clock (default 300). */
  responseWindowSeconds?: number;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** A fetch implementation (default the global one). */
  fetch?: typeof fetch;
}

/** Per-call options. */
export interface RequestOptions {
  /** Query parameters, appended in the given order. */
  query?: Record<string, QueryValue>;
  /** A JSON body (POST, PUT). */
  body?: unknown;
  /** The Idempotency-Key; POSTs get a random one when omitted. Reuse it to retry safely. */
  idempotencyKey?: string;
  /** Extra headers (never Authorization). */
  headers?: Record<string, string>;
}

/** A verified response. */
export interface OpenApiResponse<T> {
  status: number;
  data: T;
  requestId: string | undefined;
  /** The Idempotency-Key sent (generated or given), if any. */
  idempotencyKey: string | undefined;
  /** True when the bank answered from its idempotency record (the call had already run). */
  replayed: boolean;
  headers: Headers;
}

/**
 * The Open API client.
 *
 * @example
 * ```ts
 * const lily = new LilyOpenClient({ baseUrl, appId, serialNo, privateKey, bankPublicKey });
 * const pong = await lily.get<{ appId: string; env: string }>('/open/v1/ping');
 * try {
 *   await lily.post('/open/v1/refunds', { orderId, amount: 100, outRefundNo: 'r-1' }, { idempotencyKey: 'r-1' });
 * } catch (err) {
 *   if (err instanceof LilyOpenApiError && err.code === 'LIMIT_EXCEEDED') { … }
 * }
 * ```
 */
export class LilyOpenClient {
  private readonly options: Required<Omit<LilyOpenClientOptions, 'bankSerial'>> & { bankSerial: string | undefined };
  private readonly publicKey: string;

  constructor(options: LilyOpenClientOptions) {
    if (!/^[0-9a-fA-F]{64}$/.test(options.privateKey)) throw new TypeError('privateKey must be 64 hex characters');
    if (!/^04[0-9a-fA-F]{128}$/.test(options.bankPublicKey)) throw new TypeError('bankPublicKey must be an uncompressed SM2 public key (04 + 128 hex)');
    if (!/^[0-9A-Fa-f]{16}$/.test(options.serialNo)) throw new TypeError('serialNo must be 16 hex characters');
    this.options = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      appId: options.appId,
      serialNo: options.serialNo.toUpperCase(),
      privateKey: options.privateKey,
      bankPublicKey: options.bankPublicKey,
      bankSerial: options.bankSerial?.toUpperCase(),
      responseWindowSeconds: options.responseWindowSeconds ?? DEFAULT_RESPONSE_WINDOW_SECONDS,
      timeoutMs: options.timeoutMs ?? 30_000,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    };
    this.publicKey = publicKeyOf(options.privateKey);
  }

  /** GET `path` and return the verified JSON result. */
  async get<T = unknown>(path: string, query?: Record<string, QueryValue>): Promise<T> {
    return (await this.request<T>('GET', path, query ? { query } : {})).data;
  }

  /** POST `body` to `path` and return the verified JSON result. */
  async post<T = unknown>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return (await this.request<T>('POST', path, { ...options, body })).data;
  }

  /**
   * Signs and sends one request, verifies the response signature, and returns the result.
   *
   * @throws {LilyOpenApiError} for a (verified) problem+json answer.
   * @throws {LilyResponseVerificationError} when the response is not signed by the bank.
   */
  async request<T = unknown>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<OpenApiResponse<T>> {
    const url = new URL(this.options.baseUrl + (path.startsWith('/') ? path : `/${path}`));
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined && v !== null) url.searchParams.append(k, String(v));
    }
    // What fetch sends is the URL's normalized path and query: sign exactly that.
    const pathWithQuery = url.pathname + url.search;
    const body = options.body === undefined ? '' : JSON.stringify(options.body);
    const signed = signRequest({
      method,
      pathWithQuery,
      body,
      appId: this.options.appId,
      serialNo: this.options.serialNo,
      privateKey: this.options.privateKey,
      publicKey: this.publicKey,
    });
    const headers: Record<string, string> = { ...options.headers, Accept: 'application/json', Authorization: signed.authorization };
    if (body !== '') headers['Content-Type'] = 'application/json; charset=utf-8';
    let idempotencyKey = options.idempotencyKey;
    if (idempotencyKey === undefined && method === 'POST') idempotencyKey = `idem-${newNonce()}`;
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;

    const res = await this.options.fetch(url, {
      method,
      headers,
      body: body === '' ? undefined : body,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const text = await res.text();
    const requestId = res.headers.get('x-request-id') ?? undefined;
    this.verifyResponse(res, text, requestId);

    const isProblem = (res.headers.get('content-type') ?? '').includes('problem+json');
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new LilyOpenApiError(res.status, { code: 'INTERNAL', detail: 'The response body is not JSON.', requestId });
    }
    if (isProblem || res.status >= 400) {
      const retryAfter = res.headers.get('retry-after');
      const problem = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { detail: String(parsed) };
      throw new LilyOpenApiError(res.status, problem, retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined);
    }
    return {
      status: res.status,
      data: parsed as T,
      requestId,
      idempotencyKey,
      replayed: res.headers.get('idempotency-replayed') === 'true',
      headers: res.headers,
    };
  }

  /**
   * Checks a bank signature over `TIMESTAMP\nNONCE\nBODY\n` with the configured bank key, serial
   * and clock window. Webhook helpers build on it.
   */
  verifyBankSignature(headers: { signature: string | null; timestamp: string | null; nonce: string | null; serial: string | null }, body: string): string | null {
    const { signature, timestamp, nonce, serial } = headers;
    if (!signature || !timestamp || !nonce || !serial) return 'it is not signed (Lily-Signature, Lily-Timestamp, Lily-Nonce and Lily-Serial are required)';
    if (this.options.bankSerial !== undefined && serial.toUpperCase() !== this.options.bankSerial) {
      return `it is signed with bank key ${serial}, not the configured ${this.options.bankSerial}`;
    }
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp)) > this.options.responseWindowSeconds) {
      return `its timestamp ${timestamp} is more than ${this.options.responseWindowSeconds} s from the local clock`;
    }
    if (!verifyBankSignature(this.options.bankPublicKey, signature, timestamp, nonce, body)) {
      return 'its signature does not verify with the bank public key (altered, or not from the bank)';
    }
    return null;
  }

  private verifyResponse(res: Response, text: string, requestId: string | undefined): void {
    const problem = this.verifyBankSignature(
      {
        signature: res.headers.get('lily-signature'),
        timestamp: res.headers.get('lily-timestamp'),
        nonce: res.headers.get('lily-nonce'),
        serial: res.headers.get('lily-serial'),
      },
      text,
    );
    if (problem !== null) {
      throw new LilyResponseVerificationError(
        `Refused the response (HTTP ${res.status}) to ${this.options.appId}'s request: ${problem}. Do not trust its content.`,
        res.status,
        requestId,
      );
    }
  }
}

export { LilyWebhookError, openWebhook, openWebhookWithKeys, type OpenedWebhook, type WebhookEnvelope } from './webhooks.ts';
