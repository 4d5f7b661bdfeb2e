/**
 * Replay protection: every nonce is spent once per app. The store's unique index on
 * `(appId, nonce)` is the authority (so several server processes sharing a store agree), and a TTL
 * index drops each nonce once no request carrying it could pass the timestamp window any more.
 */
import { DuplicateKeyError, type Doc, type Store } from '../store/types.ts';

/** A spent nonce. */
export interface NonceDoc extends Doc {
  appId: string;
  nonce: string;
  /** When it was spent. */
  at: Date;
  /** When it may be forgotten: the request timestamp plus the window (TTL index). */
  expiresAt: Date;
}

const COLLECTION = 'open_nonces';

/**
 * The nonce ledger.
 *
 * @example
 * ```ts
 * const nonces = new NonceStore(store, 300);
 * await nonces.init();
 * if (!(await nonces.spend(appId, nonce, timestampSeconds))) throw new LilyError('NONCE_REPLAYED');
 * ```
 */
export class NonceStore {
  constructor(
    private readonly store: Store,
    private readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates the unique and TTL indexes. */
  async init(): Promise<void> {
    const nonces = this.store.collection<NonceDoc>(COLLECTION);
    await nonces.createIndex({ appId: 1, nonce: 1 }, { unique: true });
    await nonces.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  }

  /**
   * Spends a nonce. Resolves true the first time, false when the app already used it within the
   * window. Call only after the timestamp passed the window check.
   */
  async spend(appId: string, nonce: string, timestampSeconds: number): Promise<boolean> {
    const now = this.now();
    // Remembered until no request with this timestamp could be accepted (plus a second of slack).
    const keepUntil = Math.max(timestampSeconds * 1000, now) + this.windowSeconds * 1000 + 1000;
    try {
      await this.store.collection<NonceDoc>(COLLECTION).insertOne({ appId, nonce, at: new Date(now), expiresAt: new Date(keepUntil) });
      return true;
    } catch (err) {
      if (err instanceof DuplicateKeyError) return false;
      throw err;
    }
  }
}
