/**
 * Request ids: taken from a well-formed `X-Request-Id` header or generated, echoed on the
 * response, attached to the request's logger and to every problem+json body.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** A raw request once {@link startRequest} has given it an id and a logger. */
export interface TrackedRequest extends IncomingMessage {
  id: string;
  log: Logger;
}

/**
 * Gives a request its id and logger, echoes the id, sets the headers every answer carries, and
 * logs one line when the response has finished. Works on Node's own request and response, so
 * that handlers outside Express (the Open API) do the same as the middleware.
 */
export function startRequest(log: Logger, req: IncomingMessage, res: ServerResponse): TrackedRequest {
  const tracked = req as TrackedRequest;
  const incoming = req.headers['x-request-id'];
  tracked.id = typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID();
  lazyLog(tracked, log, { requestId: tracked.id });
  res.setHeader('X-Request-Id', tracked.id);
  setSecurityHeaders(res);
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    if (!log.isLevelEnabled('info')) return;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const q = url.indexOf('?');
    const line = { method: req.method, path: q < 0 ? url : url.slice(0, q), status: res.statusCode, ms: Math.round(ms * 100) / 100 };
    // The same line whether or not the request's logger was ever built.
    const bound = loggers.get(req);
    if (!bound || bound.child) tracked.log.info(line, 'request');
    else bound.base.info({ ...bound.bindings, ...line }, 'request');
  });
  return tracked;
}

/**
 * Gives the request a logger bound to `bindings`, built on first use: most requests log only
 * their access line, and a child logger costs more than that line.
 */
export function lazyLog(req: IncomingMessage, base: Logger, bindings: Record<string, unknown>): void {
  const bound: BoundLog = { base, bindings };
  loggers.set(req, bound);
  Object.defineProperty(req, 'log', {
    configurable: true,
    enumerable: true,
    get: () => (bound.child ??= base.child(bindings)),
    set: (value: Logger) => {
      bound.child = value;
    },
  });
}

interface BoundLog {
  base: Logger;
  bindings: Record<string, unknown>;
  child?: Logger;
}

const loggers = new WeakMap<IncomingMessage, BoundLog>();

/** The headers every answer carries, whatever produced it. */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/** Middleware assigning `req.id` and `req.log`, and logging one line per finished request. */
export function requestContext(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    startRequest(log, req, res);
    next();
  };
}
