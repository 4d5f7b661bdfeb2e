/**
 * The one HTTP error boundary: everything thrown in a route becomes RFC 9457 problem+json with a
 * stable code and the request id. Only `LilyError`s of the caller's fault keep their message;
 * everything else is logged in full and answered with the catalogue's generic text.
 */
import type { NextFunction, Request, Response } from 'express';
import { ERRORS, LilyError, toErrorPayload, toProblem, type ErrorPayload } from '../../protocol/errors.ts';

/** Sends a problem+json response for a payload. */
export function sendProblem(req: Request, res: Response, payload: ErrorPayload): void {
  const problem = toProblem(payload, req.id, req.originalUrl);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** Maps errors raised by body parsing (express.json) to catalogue codes. */
function fromBodyParser(err: unknown): LilyError | undefined {
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.parse.failed') return new LilyError('INVALID_JSON');
  if (e?.type === 'entity.too.large') return new LilyError('PAYLOAD_TOO_LARGE');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
    return new LilyError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as UTF-8 JSON.');
  }
  return undefined;
}

/** Final error middleware. */
export function errorHandler() {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const mapped = fromBodyParser(err) ?? err;
    const payload = toErrorPayload(mapped);
    if (!(mapped instanceof LilyError) || ERRORS[mapped.code].fault === 'server') {
      req.log?.error({ err }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    sendProblem(req, res, payload);
  };
}

/** Answers unknown routes with ROUTE_NOT_FOUND. */
export function notFound() {
  return (req: Request, res: Response): void => {
    sendProblem(req, res, new LilyError('ROUTE_NOT_FOUND', `No endpoint ${req.method} ${req.path}.`).toPayload());
  };
}
