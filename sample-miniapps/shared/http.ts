/**
 * What the sample back ends share around Express: a client error with a stable code, the error
 * handler that turns errors into `{ code, message }` answers, and the login-code exchange that
 * tries each world (sandbox, production) the back end holds keys for.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import { LilyOpenApiError } from '../../open-client/index.ts';

/** A refusal of the back end itself: HTTP status, stable code, message, optional extra fields. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra fields of the answer (e.g. `{ field: 'idNumber' }`, `{ seats: ['C5'] }`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The last Express middleware: back-end refusals with their status, bad or oversized JSON as
 * 400/413, the bank's refusals as 409 (502 when the bank failed), anything else as 500 without
 * internal text.
 */
export function errorHandler(log: (message: string, data?: Record<string, unknown>) => void) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const type = (err as { type?: unknown } | null)?.type;
    if (err instanceof HttpError) {
      res.status(err.status).json({ code: err.code, message: err.message, ...err.details });
    } else if (type === 'entity.parse.failed') {
      res.status(400).json({ code: 'INVALID_PARAMS', message: 'The body is not valid JSON.' });
    } else if (type === 'entity.too.large') {
      res.status(413).json({ code: 'PAYLOAD_TOO_LARGE', message: 'The body is too large.' });
    } else if (err instanceof LilyOpenApiError) {
      log('open api refused', { code: err.code, requestId: err.requestId });
      res.status(err.status >= 500 ? 502 : 409).json({ code: err.code, message: err.detail });
    } else {
      log('internal error', { error: (err as Error | null)?.message });
      res.status(500).json({ code: 'INTERNAL', message: 'Something went wrong; try again.' });
    }
  };
}

/**
 * Closes a back end's routes: unknown paths answer 404 NOT_FOUND, and {@link errorHandler} is the
 * one error boundary, so Open API refusals keep their code and nothing internal reaches the
 * mini-app. `translate` turns a back end's own errors into {@link HttpError}s first. Call after
 * the last route.
 */
export function endRoutes(app: Express, log: (message: string, data?: Record<string, unknown>) => void, translate: (err: unknown) => unknown = (err) => err): void {
  app.use((_req, res) => {
    res.status(404).json({ code: 'NOT_FOUND', message: 'No such route.' });
  });
  const handle = errorHandler(log);
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => handle(translate(err), req, res, next));
}

/**
 * Exchanges a mini-app's login code (`member.login`) in whichever world it belongs to: a code is
 * issued in one world only, and an unknown code is not spent, so each is tried in turn.
 *
 * @throws {HttpError} 401 LOGIN_FAILED when no world knows the code.
 * @example
 * ```ts
 * const { env, session } = await exchangeLoginCode(clients.keys(), code, (env, c) => clients.get(env)!.post('/open/v1/auth/code2session', { code: c }));
 * ```
 */
export async function exchangeLoginCode<E extends string, S>(envs: Iterable<E>, code: string, exchange: (env: E, code: string) => Promise<S>): Promise<{ env: E; session: S }> {
  for (const env of envs) {
    try {
      return { env, session: await exchange(env, code) };
    } catch (err) {
      // Unknown in this world (or not a code at all): try the next one.
      if (!(err instanceof LilyOpenApiError) || (err.code !== 'NOT_FOUND' && err.code !== 'INVALID_PARAMS')) throw err;
    }
  }
  throw new HttpError(401, 'LOGIN_FAILED', 'The login code is unknown or expired.');
}
