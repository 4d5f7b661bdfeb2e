/**
 * Request ids: taken from a well-formed `X-Request-Id` header or generated, echoed on the
 * response, attached to the request's logger and to every problem+json body.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log.ts';

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,64}$/;

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id, echoed in `X-Request-Id`. */
    id: string;
    /** The request's logger, bound to its id. */
    log: Logger;
  }
}

/** Middleware assigning `req.id` and `req.log`, and logging one line per finished request. */
export function requestContext(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    req.id = incoming !== undefined && WELL_FORMED.test(incoming) ? incoming : randomUUID();
    req.log = log.child({ requestId: req.id });
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info(
        { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 100) / 100 },
        'request',
      );
    });
    next();
  };
}
