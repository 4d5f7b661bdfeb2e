/**
 * Idempotency for Open API writes: the first request with an `Idempotency-Key` reserves the key,
 * runs, and stores its answer; a retry with the same key and the same request gets that answer
 * again without running anything; the same key with a different request is refused.
 *
 * A request is identified by its fingerprint: SM3 of `METHOD\nPATH[?QUERY]\n` + the body bytes.
 * Keys are scoped to the app and environment and kept 24 hours (TTL index). A reservation whose
 * process died is taken over once its lease has passed, so a crash cannot block a key for a day.
 */
import { createHash, getHashes } from 'node:crypto';
import { LilyError } from '../../protocol/errors.ts';
import { sm3, utf8 } from '../../runtime/crypto/sm.ts';
import type { Env } from '../policies/gates.ts';
import { DuplicateKeyError, type Doc, type Store } from '../store/types.ts';

/** A stored reservation or answer. */
export interface IdempotencyDoc extends Doc {
  appId: string;
  env: Env;
  key: string;
  fingerprint: string;
  state: 'running' | 'done';
  /** The request that reserved the key. */
  requestId: string;
  createdAt: Date;
  /** A running reservation may be taken over after this (its process is presumed dead). */
  leaseUntil: Date;
  /** When the record is forgotten (TTL index). */
  expiresAt: Date;
  status?: number;
  contentType?: string;
  body?: string;
}

/** What {@link IdempotencyStore.begin} decided. */
export type Reservation =
  | { kind: 'run'; /** The reservation's record: pass it to complete or abandon. */ id: string }
  | { kind: 'replay'; status: number; contentType: string; body: string };

/** The scope of a key. */
export interface IdempotencyScope {
  appId: string;
  env: Env;
  key: string;
}

const COLLECTION = 'open_idempotency';

const NATIVE_SM3 = getHashes().includes('sm3');

/** A valid Idempotency-Key: 1-128 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/**
 * The fingerprint of a request.
 *
 * @example
 * ```ts
 * requestFingerprint('POST', '/open/v1/refunds', rawBody); // 64 hex characters
 * ```
 */
export function requestFingerprint(method: string, pathWithQuery: string, body: Uint8Array): string {
  const head = utf8(`${method}\n${pathWithQuery}\n`);
  // OpenSSL's SM3 is several times faster on multi-megabyte uploads; the digest is the same.
  if (NATIVE_SM3) return createHash('sm3').update(head).update(body).digest('hex');
  const all = new Uint8Array(head.length + body.length);
  all.set(head, 0);
  all.set(body, head.length);
  return sm3(all);
}

/**
 * The idempotency ledger.
 *
 * @example
 * ```ts
 * const r = await idem.begin(scope, fingerprint, req.id);
 * if (r.kind === 'replay') return send(r.status, r.body);
 * try { const body = await run(); await idem.complete(r.id, 200, 'application/json', body); }
 * catch (err) { if (serverFault(err)) await idem.abandon(r.id); else await idem.complete(r.id, …); }
 * ```
 */
export class IdempotencyStore {
  constructor(
    private readonly store: Store,
    private readonly options: { ttlSeconds: number; leaseSeconds: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates the unique and TTL indexes. */
  async init(): Promise<void> {
    const records = this.store.collection<IdempotencyDoc>(COLLECTION);
    await records.createIndex({ appId: 1, env: 1, key: 1 }, { unique: true });
    await records.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  }

  /**
   * Reserves the key for this request, or answers with the stored response.
   *
   * @throws {LilyError} IDEMPOTENCY_CONFLICT when the key was used for another request;
   * IDEMPOTENCY_IN_PROGRESS while the first request with the key is still running.
   */
  async begin(scope: IdempotencyScope, fingerprint: string, requestId: string): Promise<Reservation> {
    const records = this.store.collection<IdempotencyDoc>(COLLECTION);
    const filter = { appId: scope.appId, env: scope.env, key: scope.key };
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.now();
      try {
        const { insertedId } = await records.insertOne({
          ...filter,
          fingerprint,
          state: 'running',
          requestId,
          createdAt: new Date(now),
          leaseUntil: new Date(now + this.options.leaseSeconds * 1000),
          expiresAt: new Date(now + this.options.ttlSeconds * 1000),
        });
        return { kind: 'run', id: insertedId };
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
      }
      const existing = await records.findOne(filter);
      if (existing === null) continue; // expired and purged in between: try again
      if (existing.expiresAt.getTime() <= now) {
        await records.deleteOne({ _id: existing._id, expiresAt: existing.expiresAt });
        continue;
      }
      if (existing.fingerprint !== fingerprint) {
        throw new LilyError(
          'IDEMPOTENCY_CONFLICT',
          'This Idempotency-Key was already used with a different request (method, path, query or body); use a new key for a new request.',
        );
      }
      if (existing.state === 'done') {
        return { kind: 'replay', status: existing.status ?? 200, contentType: existing.contentType ?? 'application/json', body: existing.body ?? '' };
      }
      if (existing.leaseUntil.getTime() > now) {
        throw new LilyError('IDEMPOTENCY_IN_PROGRESS', undefined, { retryAfterSeconds: 1 });
      }
      // The reserving process is presumed dead: take the reservation over, exactly once.
      const taken = await records.findOneAndUpdate(
        { _id: existing._id, state: 'running', leaseUntil: existing.leaseUntil },
        { $set: { requestId, leaseUntil: new Date(now + this.options.leaseSeconds * 1000) } },
      );
      if (taken) return { kind: 'run', id: taken._id };
      throw new LilyError('IDEMPOTENCY_IN_PROGRESS', undefined, { retryAfterSeconds: 1 });
    }
    throw new LilyError('IDEMPOTENCY_IN_PROGRESS', undefined, { retryAfterSeconds: 1 });
  }

  /** Stores the answer of a reservation (the `id` of its {@link Reservation}), so that retries receive it. */
  async complete(id: string, status: number, contentType: string, body: string): Promise<void> {
    await this.store.collection<IdempotencyDoc>(COLLECTION).updateOne({ _id: id }, { $set: { state: 'done', status, contentType, body } });
  }

  /** Releases a reservation without an answer (a server fault), so the request can be retried. */
  async abandon(id: string): Promise<void> {
    await this.store.collection<IdempotencyDoc>(COLLECTION).deleteOne({ _id: id, state: 'running' });
  }
}
