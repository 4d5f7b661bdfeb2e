/**
 * Reading Open API request bodies: the exact bytes (the signature covers them), with a per-route
 * size limit, and strict JSON decoding.
 *
 * The Open API reads its own bodies because signatures must be checked over the raw bytes and
 * some routes (package upload) take more than the app's global 1 MiB JSON limit. When a JSON body
 * parser ran first and kept the bytes in `req.rawBody`, those bytes are used.
 */
import type { IncomingMessage } from 'node:http';
import { LilyError } from '../../protocol/errors.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Resolves with the request body bytes (empty when there is none).
 *
 * @throws {LilyError} PAYLOAD_TOO_LARGE beyond `limit` bytes; UNSUPPORTED_MEDIA_TYPE for a
 * compressed body.
 */
export async function readRawBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const kept = (req as { rawBody?: unknown }).rawBody;
  if (kept instanceof Uint8Array) {
    if (kept.length > limit) throw tooLarge(limit);
    return kept;
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') throw new LilyError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body uncompressed (no Content-Encoding).');
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  if (req.readableEnded) return new Uint8Array(0);
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) {
        // Stop buffering; Node discards the rest once the response is sent.
        req.resume();
        reject(err);
      } else {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(null);
    const onError = (err: Error): void => finish(err);
    const onAborted = (): void => finish(new Error('request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function tooLarge(limit: number): LilyError {
  return new LilyError('PAYLOAD_TOO_LARGE', `The request body is larger than this endpoint's limit of ${limit} bytes.`, { limit });
}

/**
 * Parses a JSON body: UTF-8, `application/json` (or `+json`), no other charset. Undefined for an
 * empty body.
 *
 * @throws {LilyError} UNSUPPORTED_MEDIA_TYPE or INVALID_JSON.
 */
export function parseJsonBody(bytes: Uint8Array, contentType: string | undefined): unknown {
  if (bytes.length === 0) return undefined;
  const type = (contentType ?? '').toLowerCase();
  const [mime, ...paramList] = type.split(';').map((p) => p.trim());
  if (mime !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mime ?? '')) {
    throw new LilyError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
  }
  for (const p of paramList) {
    if (p.startsWith('charset=') && p.slice(8).replace(/"/g, '') !== 'utf-8') {
      throw new LilyError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as UTF-8 JSON.');
    }
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new LilyError('INVALID_JSON', 'The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new LilyError('INVALID_JSON');
  }
}
