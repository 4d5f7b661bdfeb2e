/**
 * The one catalogue of Lily error codes.
 *
 * Every failure that reaches a client (HTTP problem+json, a socket ack, or a guest promise inside
 * the sandbox) carries one of these stable codes. The code is the contract; messages may improve
 * over time. `docs/errors.md` documents every code and a test keeps the two in step.
 */

/** Who is at fault: `caller` errors are safe to explain in detail, `server` errors never are. */
export type Fault = 'caller' | 'server';

interface ErrorSpec {
  readonly status: number;
  readonly fault: Fault;
  /** Default message, written for the person who will read it: what happened and what to do. */
  readonly message: string;
}

/**
 * The catalogue. Keys are the stable codes.
 *
 * @example
 * ```ts
 * throw new LilyError('NOT_FOUND', 'No order with that id.');
 * ```
 */
export const ERRORS = {
  // --- request shape -------------------------------------------------------------------------
  INVALID_PARAMS: { status: 400, fault: 'caller', message: 'The request parameters are invalid.' },
  INVALID_JSON: { status: 400, fault: 'caller', message: 'The request body is not valid JSON.' },
  PAYLOAD_TOO_LARGE: { status: 413, fault: 'caller', message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    fault: 'caller',
    message: 'Send the request body as application/json.',
  },
  ROUTE_NOT_FOUND: { status: 404, fault: 'caller', message: 'No such endpoint.' },
  METHOD_NOT_ALLOWED: { status: 405, fault: 'caller', message: 'This endpoint does not accept that method.' },

  // --- identity and sessions -----------------------------------------------------------------
  UNAUTHENTICATED: { status: 401, fault: 'caller', message: 'Log in to continue.' },
  SESSION_EXPIRED: { status: 401, fault: 'caller', message: 'Your session has expired; log in again.' },
  INVALID_CREDENTIALS: { status: 401, fault: 'caller', message: 'The username or password is incorrect.' },
  FORBIDDEN: { status: 403, fault: 'caller', message: 'Your account is not allowed to do this.' },
  CSRF_REJECTED: {
    status: 403,
    fault: 'caller',
    message: 'The request was not sent by the Lily app; reload the page and try again.',
  },
  PIN_INCORRECT: { status: 401, fault: 'caller', message: 'The payment PIN is incorrect.' },
  PIN_LOCKED: {
    status: 423,
    fault: 'caller',
    message: 'Too many wrong PINs; payments are locked for a while. Try again later.',
  },
  PIN_NOT_SET: { status: 409, fault: 'caller', message: 'Set a payment PIN first.' },
  ACCOUNT_EXISTS: { status: 409, fault: 'caller', message: 'An account with that name already exists.' },

  // --- the three gates and the bridge --------------------------------------------------------
  PERMISSION_DENIED: {
    status: 403,
    fault: 'caller',
    message: 'This mini-app has not been granted that capability.',
  },
  CAPABILITY_NOT_DECLARED: {
    status: 403,
    fault: 'caller',
    message: "The capability is not declared in the mini-app's manifest.",
  },
  APP_SUSPENDED: { status: 403, fault: 'caller', message: 'This mini-app is suspended.' },
  APP_NOT_LIVE: { status: 403, fault: 'caller', message: 'This mini-app is not available.' },
  CONSENT_REQUIRED: {
    status: 403,
    fault: 'caller',
    message: 'The user has not consented to share this with the mini-app.',
  },
  CONSENT_EXPIRED: { status: 403, fault: 'caller', message: "The user's consent has expired; ask again." },
  USER_CANCELLED: { status: 400, fault: 'caller', message: 'The user cancelled.' },
  RATE_LIMITED: { status: 429, fault: 'caller', message: 'Too many requests; slow down and retry later.' },
  QUOTA_EXCEEDED: { status: 429, fault: 'caller', message: 'The quota granted for this capability is used up.' },
  CIRCUIT_OPEN: {
    status: 503,
    fault: 'server',
    message: 'This capability is failing and has been paused briefly; try again shortly.',
  },
  LAUNCH_TOKEN_INVALID: {
    status: 401,
    fault: 'caller',
    message: 'The mini-app launch is not valid; close and reopen the mini-app.',
  },
  UNKNOWN_CAPABILITY: { status: 404, fault: 'caller', message: 'No such capability or method.' },

  // --- Open API signing -----------------------------------------------------------------------
  SIGNATURE_MISSING: {
    status: 401,
    fault: 'caller',
    message: 'Sign the request: an Authorization header of scheme LILY-SM2-SM3 is required.',
  },
  SIGNATURE_INVALID: { status: 401, fault: 'caller', message: 'The request signature does not verify.' },
  TIMESTAMP_OUT_OF_WINDOW: {
    status: 401,
    fault: 'caller',
    message: 'The request timestamp is more than 300 seconds from the server clock.',
  },
  NONCE_REPLAYED: { status: 401, fault: 'caller', message: 'This nonce was already used; every request needs a new one.' },
  KEY_REVOKED: { status: 401, fault: 'caller', message: 'The signing key has been revoked or has expired.' },
  IDEMPOTENCY_KEY_REQUIRED: {
    status: 400,
    fault: 'caller',
    message: 'POST requests need an Idempotency-Key header.',
  },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    fault: 'caller',
    message: 'This Idempotency-Key was already used with a different request body.',
  },
  IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    fault: 'caller',
    message: 'A request with this Idempotency-Key is still being processed; retry shortly.',
  },

  // --- domain -----------------------------------------------------------------------------------
  NOT_FOUND: { status: 404, fault: 'caller', message: 'Not found.' },
  CONFLICT: { status: 409, fault: 'caller', message: 'The request conflicts with the current state.' },
  DUPLICATE: { status: 409, fault: 'caller', message: 'That already exists.' },
  INVALID_STATE: { status: 409, fault: 'caller', message: 'That is not possible in the current state.' },
  INSUFFICIENT_FUNDS: { status: 402, fault: 'caller', message: 'The balance is not enough for this payment.' },
  LIMIT_EXCEEDED: { status: 422, fault: 'caller', message: 'The amount exceeds an allowed limit.' },
  PACKAGE_INVALID: { status: 422, fault: 'caller', message: 'The mini-app package is invalid.' },
  PACKAGE_TAMPERED: {
    status: 422,
    fault: 'caller',
    message: 'The mini-app package or its release record failed verification and was not run.',
  },

  // --- sandbox ----------------------------------------------------------------------------------
  SANDBOX_LIMIT: { status: 422, fault: 'caller', message: 'The mini-app broke a sandbox limit and was stopped.' },
  SANDBOX_CRASHED: { status: 500, fault: 'caller', message: 'The mini-app stopped because of an error in its code.' },
  INSTANCE_CLOSED: { status: 410, fault: 'caller', message: 'The mini-app instance is closed.' },
  VIEW_INVALID: { status: 422, fault: 'caller', message: 'The mini-app rendered a view the host cannot show and was stopped.' },

  // --- infrastructure ------------------------------------------------------------------------
  TIMEOUT: { status: 504, fault: 'server', message: 'The operation timed out; try again.' },
  UNAVAILABLE: { status: 503, fault: 'server', message: 'This service is not available right now.' },
  INTERNAL: { status: 500, fault: 'server', message: 'Something went wrong on our side; try again later.' },
} as const satisfies Record<string, ErrorSpec>;

/** A stable error code. */
export type ErrorCode = keyof typeof ERRORS;

/** All codes, in catalogue order. */
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** What a guest or a socket client receives: never a stack, never internal text. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** Machine-readable extra facts a caller can act on (e.g. the invalid field, retryAfter). */
  details?: Record<string, unknown>;
}

/** The envelope every socket ack and bridge answer uses. */
export type Response<T> = { result: T; error?: undefined } | { result?: undefined; error: ErrorPayload };

/** True when `code` is in the catalogue. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, code);
}

/**
 * The one error type that carries a catalogue code through the code base.
 *
 * @example
 * ```ts
 * if (balance < amount) throw new LilyError('INSUFFICIENT_FUNDS');
 * throw new LilyError('INVALID_PARAMS', 'amount must be a positive integer', { field: 'amount' });
 * ```
 */
export class LilyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERRORS[code].message);
    this.name = 'LilyError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }

  /** The payload for guests and sockets. */
  toPayload(): ErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Turns anything thrown into a safe payload. Only `LilyError` keeps its message; anything else
 * becomes `INTERNAL` with the catalogue text, so no internal message or stack can leak.
 */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof LilyError) {
    if (ERRORS[err.code].fault === 'server') return { code: err.code, message: ERRORS[err.code].message };
    return err.toPayload();
  }
  return { code: 'INTERNAL', message: ERRORS.INTERNAL.message };
}

/** RFC 9457 problem details, with Lily's stable `code` and the request id. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId?: string;
  instance?: string;
  details?: Record<string, unknown>;
}

/** Builds the problem+json body for an error payload. */
export function toProblem(payload: ErrorPayload, requestId?: string, instance?: string): Problem {
  const spec = ERRORS[payload.code];
  const problem: Problem = {
    type: `https://lily.example/problems/${payload.code.toLowerCase().replace(/_/g, '-')}`,
    title: spec.message,
    status: spec.status,
    detail: payload.message,
    code: payload.code,
  };
  if (requestId !== undefined) problem.requestId = requestId;
  if (instance !== undefined) problem.instance = instance;
  if (payload.details !== undefined) problem.details = payload.details;
  return problem;
}
