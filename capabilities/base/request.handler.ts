/**
 * Server handler of `base.request`: an outbound HTTP proxy that lets a mini-app reach only the
 * domains in its manifest.
 *
 * It uses `node:http`/`node:https` with a `lookup` hook rather than `fetch`, so that the private
 * address check applies to the address actually connected (a DNS answer that changes between a
 * check and the connection cannot slip through), and every connection is new (`agent: false`),
 * so no pooled socket skips the check. Redirects are never followed automatically.
 */
import { Buffer } from 'node:buffer';
import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { LilyError } from '../../protocol/errors.ts';
import type { CapabilityContext } from '../context.ts';
import { defineHandlers, type CapabilityHandlers, type ParamsOf } from '../define.ts';
import { isPublicAddress } from './ip.ts';
import request, { REQUEST_DEFAULTS } from './request.ts';

type Params = ParamsOf<(typeof request)['methods']['request']>;

/** Request headers a mini-app may not set (the proxy owns them, or they would leak or smuggle). */
const FORBIDDEN_HEADERS = /^(host|cookie2?|connection|keep-alive|proxy-.*|te|trailer|transfer-encoding|upgrade|content-length|expect|via|forwarded|x-forwarded-.*|x-real-ip|x-lily-.*)$/i;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** True when `url`'s scheme, host and port match a manifest `domains` entry exactly. */
export function domainAllowed(url: URL, domains: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return domains.some((entry) => {
    const e = entry.trim().toLowerCase();
    const withScheme = /^https?:\/\//.test(e) ? e : `none://${e}`;
    let parsed: URL;
    try {
      parsed = new URL(withScheme);
    } catch {
      return false;
    }
    if (parsed.pathname !== '/' && parsed.pathname !== '') return false;
    if (parsed.hostname !== host) return false;
    if (withScheme.startsWith('none://')) return parsed.port === '' || parsed.port === port;
    if (parsed.protocol !== url.protocol) return false;
    return (parsed.port || (parsed.protocol === 'https:' ? '443' : '80')) === port;
  });
}

const deny = (message: string) => new LilyError('PERMISSION_DENIED', message);

/** A lookup that refuses non-public addresses (Node calls it for every new connection). */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const bad = addresses.find((a) => !isPublicAddress(a.address));
      if (bad && !allowPrivate) {
        return callback(Object.assign(new Error(`${hostname} resolves to a non-public address`), { lilyCode: 'PRIVATE' }), '');
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, allowPrivate: boolean, maxBytes: number, signal: AbortSignal): Promise<Raw> {
  return new Promise<Raw>((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method, headers, agent: false, lookup: guardedLookup(allowPrivate), signal }, (res) => {
      const status = res.statusCode ?? 502;
      if (REDIRECTS.has(status)) {
        res.resume();
        return resolve({ status, headers: res.headers, body: Buffer.alloc(0) });
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > maxBytes) {
        res.destroy();
        return reject(new LilyError('PAYLOAD_TOO_LARGE', `The response is ${declared} bytes; the limit is ${maxBytes}.`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy();
          reject(new LilyError('PAYLOAD_TOO_LARGE', `The response is larger than ${maxBytes} bytes.`));
        } else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
      // An abort mid-body may end the stream without an error; a promise settles only once.
      res.on('close', () => {
        if (!res.complete) reject(new Error('The response was cut off.'));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function translate(err: unknown, url: URL, timedOut: () => boolean, cancelled: () => boolean): LilyError {
  if (err instanceof LilyError) return err;
  if (timedOut()) return new LilyError('TIMEOUT', `${url.host} did not answer in time.`);
  if (cancelled()) return new LilyError('INSTANCE_CLOSED', 'The mini-app went away before the response arrived.');
  const e = err as { lilyCode?: string; code?: string };
  if (e.lilyCode === 'PRIVATE') return deny(`${url.hostname} resolves to a private or reserved address, which mini-apps may not reach.`);
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new LilyError('UNAVAILABLE', `${url.hostname} could not be resolved.`);
  return new LilyError('UNAVAILABLE', `${url.host} could not be reached.`);
}

function responseHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw).slice(0, 64)) {
    if (value === undefined || name === 'set-cookie' || !/^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/.test(name)) continue;
    out[name] = (Array.isArray(value) ? value.join(', ') : value).slice(0, 4096);
  }
  return out;
}

/** Handlers of `base.request`; each set counts requests in flight per instance on its own. */
export function createRequestHandlers(): CapabilityHandlers {
  const inFlight = new Map<string, number>();

  async function proxy(ctx: CapabilityContext, params: Params) {
    const cfg = { ...REQUEST_DEFAULTS, ...ctx.config.request };
    let url = new URL(params.url);
    if (url.username || url.password) throw new LilyError('INVALID_PARAMS', 'Put credentials in a header, not in the URL.');
    // Production is https only. The one exception is the local demo (a deployment that allows
    // private networks) calling its sample back ends on `localhost`, which never leaves the machine.
    const localDemo = ctx.config.allowPrivateNetwork && url.hostname === 'localhost';
    if (ctx.env === 'production' && url.protocol !== 'https:' && !localDemo) throw deny('Production mini-apps may only make https:// requests.');
    if (!domainAllowed(url, ctx.manifest.domains)) throw deny(`${url.host} is not in the mini-app's manifest domains.`);
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) && !isPublicAddress(literal) && !ctx.config.allowPrivateNetwork) {
      throw deny(`${literal} is a private or reserved address, which mini-apps may not reach.`);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(params.headers ?? {})) {
      if (FORBIDDEN_HEADERS.test(name)) throw new LilyError('INVALID_PARAMS', `The ${name} header may not be set.`, { errors: [{ path: `/headers/${name}`, field: `headers.${name}`, message: 'may not be set' }] });
      headers[name.toLowerCase()] = value;
    }
    let method: string = params.method ?? 'GET';
    let body: Buffer | undefined;
    if (params.data !== undefined && method !== 'GET' && method !== 'HEAD') {
      const text = typeof params.data === 'string' ? params.data : JSON.stringify(params.data);
      headers['content-type'] ??= typeof params.data === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
      body = Buffer.from(text, 'utf8');
      if (body.length > cfg.maxRequestBytes) throw new LilyError('PAYLOAD_TOO_LARGE', `The request body is ${body.length} bytes; the limit is ${cfg.maxRequestBytes}.`);
    }
    headers['user-agent'] ??= `LilyMiniApp/1 (${ctx.appId})`;
    headers['x-lily-app-id'] = ctx.appId;

    const timeoutMs = Math.min(params.timeout ?? cfg.timeoutMs, cfg.timeoutMs);
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = ctx.signal ? AbortSignal.any([deadline, ctx.signal]) : deadline;
    for (let hop = 0; ; hop++) {
      let raw: Raw;
      try {
        raw = await send(url, method, headers, body, ctx.config.allowPrivateNetwork, cfg.maxResponseBytes, signal);
      } catch (err) {
        throw translate(err, url, () => deadline.aborted, () => ctx.signal?.aborted === true);
      }
      if (!REDIRECTS.has(raw.status) || raw.headers.location === undefined) {
        const text = raw.body.toString('utf8');
        let data: unknown = text;
        if ((params.dataType ?? 'json') === 'json' && text.trim() !== '') {
          try {
            data = JSON.parse(text) as unknown;
          } catch {
            data = text;
          }
        }
        return { statusCode: raw.status, headers: responseHeaders(raw.headers), data, size: raw.body.length };
      }
      let next: URL;
      try {
        next = new URL(raw.headers.location, url);
      } catch {
        throw deny('The server answered with an invalid redirect.');
      }
      if (next.origin !== url.origin) throw deny(`A redirect to ${next.host} was refused: redirects must stay on ${url.host}.`);
      if (hop >= cfg.maxRedirects) throw deny(`More than ${cfg.maxRedirects} redirects.`);
      if (raw.status === 303 || ((raw.status === 301 || raw.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        delete headers['content-type'];
      }
      url = next;
    }
  }

  return defineHandlers(request, {
    async request(ctx, params) {
      const running = inFlight.get(ctx.instanceId) ?? 0;
      const cap = ctx.config.request?.maxConcurrentPerInstance ?? REQUEST_DEFAULTS.maxConcurrentPerInstance;
      if (running >= cap) throw new LilyError('RATE_LIMITED', `At most ${cap} requests may be in flight at once.`, { limit: cap });
      inFlight.set(ctx.instanceId, running + 1);
      try {
        return await proxy(ctx, params);
      } finally {
        const left = (inFlight.get(ctx.instanceId) ?? 1) - 1;
        if (left === 0) inFlight.delete(ctx.instanceId);
        else inFlight.set(ctx.instanceId, left);
      }
    },
  });
}
