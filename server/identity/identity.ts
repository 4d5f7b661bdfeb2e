/**
 * Identity: the three kinds of principals (bank-app users, merchant accounts, ops accounts),
 * password login, sessions as signed expiring tokens, and payment PINs with lockout.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LilyError } from '../../protocol/errors.ts';
import { DuplicateKeyError, type Doc, type Store } from '../store/types.ts';
import { hmacSm3 } from '../../runtime/crypto/sm.ts';
import { hashSecret, verifySecret } from './secrets.ts';

/** The kinds of principal. */
export type PrincipalKind = 'user' | 'merchant' | 'ops';

/** Ops roles: reviewers review versions; admins also admit partners, grant and suspend. */
export type OpsRole = 'reviewer' | 'admin';

/** Who is calling, as established by a session. */
export interface Principal {
  kind: PrincipalKind;
  id: string;
  username: string;
  displayName: string;
  /** Ops roles; empty for users and merchants. */
  roles: OpsRole[];
  /** The session id (for logout). */
  sessionId: string;
}

/** An account document (the same shape in the three account collections). */
export interface AccountDoc extends Doc {
  username: string;
  displayName: string;
  passwordHash: string;
  roles?: OpsRole[];
  createdAt: Date;
  /** Users only: the payment PIN. */
  pin?: { hash: string; failures: number; lockedUntil: Date | null; setAt: Date };
}

interface SessionDoc extends Doc {
  kind: PrincipalKind;
  accountId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

const COLLECTION: Record<PrincipalKind, string> = {
  user: 'users',
  merchant: 'merchant_accounts',
  ops: 'ops_accounts',
};

/** Consecutive wrong PINs before payments lock. */
export const PIN_MAX_FAILURES = 5;
/** How long a PIN lock lasts. */
export const PIN_LOCK_MS = 15 * 60 * 1000;

const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;
const PIN = /^\d{6}$/;

export interface IdentityOptions {
  store: Store;
  /** Secret for session token MACs (≥ 32 chars). */
  sessionSecret: string;
  sessionTtlSeconds: number;
  scryptCost: number;
  /**
   * Secret mixed into every PIN before hashing (HMAC-SM3), kept outside the store: a copy of the
   * database alone is not enough to test PIN guesses offline.
   */
  pinPepper: string;
  /** scrypt cost (N) of PIN hashes; lower than for passwords, as the pepper carries the weight. */
  pinCost: number;
  now?: () => number;
}

/** What a successful login returns. */
export interface LoginResult {
  token: string;
  expiresAt: string;
  principal: Principal;
}

/**
 * The identity service.
 *
 * @example
 * ```ts
 * const identity = new Identity({ store, sessionSecret, sessionTtlSeconds: 3600, scryptCost: 16384, pinPepper, pinCost: 4096 });
 * await identity.init();
 * const { token } = await identity.login('user', 'alice', 'secret');
 * const principal = await identity.authenticate(token);
 * ```
 */
export class Identity {
  private readonly store: Store;
  private readonly secret: Buffer;
  private readonly ttlMs: number;
  private readonly cost: number;
  private readonly pinPepper: string;
  private readonly pinCost: number;
  private readonly now: () => number;

  constructor(options: IdentityOptions) {
    this.store = options.store;
    this.secret = Buffer.from(options.sessionSecret, 'utf8');
    this.ttlMs = options.sessionTtlSeconds * 1000;
    this.cost = options.scryptCost;
    this.pinPepper = options.pinPepper;
    this.pinCost = options.pinCost;
    this.now = options.now ?? Date.now;
  }

  /** Creates the indexes this service relies on. */
  async init(): Promise<void> {
    for (const name of Object.values(COLLECTION)) {
      await this.store.collection(name).createIndex({ username: 1 }, { unique: true });
    }
    await this.store.collection('sessions').createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  }

  private dummy: Promise<string> | undefined;

  /** A hash of a random secret at the configured cost, to spend equal time on unknown usernames. */
  private dummyHash(): Promise<string> {
    this.dummy ??= hashSecret(randomBytes(16).toString('hex'), this.cost);
    return this.dummy;
  }

  private accounts(kind: PrincipalKind) {
    return this.store.collection<AccountDoc>(COLLECTION[kind]);
  }

  /** Creates an account; ACCOUNT_EXISTS when the username is taken. */
  async createAccount(
    kind: PrincipalKind,
    input: { username: string; password: string; displayName?: string; roles?: OpsRole[] },
  ): Promise<{ id: string }> {
    const username = input.username.trim().toLowerCase();
    if (!USERNAME.test(username)) {
      throw new LilyError('INVALID_PARAMS', 'username must be 3-32 characters: a-z, 0-9, dot, dash or underscore', {
        field: 'username',
      });
    }
    if (typeof input.password !== 'string' || input.password.length < 8 || input.password.length > 128) {
      throw new LilyError('INVALID_PARAMS', 'password must be 8-128 characters', { field: 'password' });
    }
    const doc: Omit<AccountDoc, '_id'> = {
      username,
      displayName: (input.displayName ?? username).slice(0, 64),
      passwordHash: await hashSecret(input.password, this.cost),
      createdAt: new Date(this.now()),
      ...(kind === 'ops' ? { roles: input.roles ?? ['reviewer'] } : {}),
    };
    try {
      const { insertedId } = await this.accounts(kind).insertOne(doc);
      return { id: insertedId };
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw new LilyError('ACCOUNT_EXISTS');
      throw err;
    }
  }

  /** Finds an account by username. */
  async findAccount(kind: PrincipalKind, username: string): Promise<AccountDoc | null> {
    return this.accounts(kind).findOne({ username: username.trim().toLowerCase() });
  }

  /** Finds an account by id. */
  async getAccount(kind: PrincipalKind, id: string): Promise<AccountDoc | null> {
    return this.accounts(kind).findOne({ _id: id });
  }

  /** Checks a password and opens a session; INVALID_CREDENTIALS for unknown user or wrong password alike. */
  async login(kind: PrincipalKind, username: string, password: string): Promise<LoginResult> {
    const account = await this.findAccount(kind, username);
    // Hash even when the account is unknown so timing does not reveal which usernames exist.
    const ok = account
      ? await verifySecret(password, account.passwordHash)
      : (await verifySecret(password, await this.dummyHash()), false);
    if (!account || !ok) throw new LilyError('INVALID_CREDENTIALS');
    const sessionId = randomBytes(18).toString('base64url');
    const expiresAt = new Date(this.now() + this.ttlMs);
    await this.store.collection<SessionDoc>('sessions').insertOne({
      _id: sessionId,
      kind,
      accountId: account._id,
      createdAt: new Date(this.now()),
      expiresAt,
      revokedAt: null,
    });
    return {
      token: this.sign(sessionId, expiresAt.getTime()),
      expiresAt: expiresAt.toISOString(),
      principal: toPrincipal(kind, account, sessionId),
    };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }

  private sign(sessionId: string, expiresAtMs: number): string {
    const body = `v1.${sessionId}.${expiresAtMs.toString(36)}`;
    return `${body}.${this.mac(body)}`;
  }

  /**
   * Resolves a session token to its principal. UNAUTHENTICATED for a malformed or forged token,
   * SESSION_EXPIRED for an expired or logged-out one.
   */
  async authenticate(token: string): Promise<Principal> {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') throw new LilyError('UNAUTHENTICATED');
    const [, sessionId, expB36, mac] = parts as [string, string, string, string];
    const expected = Buffer.from(this.mac(`v1.${sessionId}.${expB36}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new LilyError('UNAUTHENTICATED');
    if (parseInt(expB36, 36) <= this.now()) throw new LilyError('SESSION_EXPIRED');
    const session = await this.store.collection<SessionDoc>('sessions').findOne({ _id: sessionId });
    if (!session || session.revokedAt !== null || session.expiresAt.getTime() <= this.now()) {
      throw new LilyError('SESSION_EXPIRED');
    }
    const account = await this.getAccount(session.kind, session.accountId);
    if (!account) throw new LilyError('SESSION_EXPIRED');
    return toPrincipal(session.kind, account, sessionId);
  }

  /** Ends a session; later use of its token answers SESSION_EXPIRED. */
  async logout(sessionId: string): Promise<void> {
    await this.store
      .collection<SessionDoc>('sessions')
      .updateOne({ _id: sessionId, revokedAt: null }, { $set: { revokedAt: new Date(this.now()) } });
  }

  /** The PIN as hashed: HMAC-SM3 under the pepper, so the stored hash is useless without it. */
  private peppered(pin: string): string {
    return hmacSm3(this.pinPepper, pin);
  }

  /** Sets or changes a user's payment PIN (six digits), after re-checking the password. */
  async setPin(userId: string, password: string, pin: string): Promise<void> {
    if (!PIN.test(pin)) throw new LilyError('INVALID_PARAMS', 'The PIN must be six digits.', { field: 'pin' });
    const account = await this.getAccount('user', userId);
    if (!account) throw new LilyError('NOT_FOUND', 'No such user.');
    if (!(await verifySecret(password, account.passwordHash))) throw new LilyError('INVALID_CREDENTIALS');
    await this.accounts('user').updateOne(
      { _id: userId },
      { $set: { pin: { hash: await hashSecret(this.peppered(pin), this.pinCost), failures: 0, lockedUntil: null, setAt: new Date(this.now()) } } },
    );
  }

  /**
   * Verifies a payment PIN with lockout: after {@link PIN_MAX_FAILURES} consecutive wrong PINs the
   * PIN is locked for {@link PIN_LOCK_MS}. Each attempt is reserved atomically before the hash is
   * checked, so parallel guesses cannot exceed the limit.
   *
   * Throws PIN_NOT_SET, PIN_LOCKED (details.retryAfterSeconds) or PIN_INCORRECT
   * (details.attemptsLeft).
   */
  async verifyPin(userId: string, pin: string): Promise<void> {
    const users = this.accounts('user');
    const account = await users.findOne({ _id: userId });
    if (!account) throw new LilyError('NOT_FOUND', 'No such user.');
    if (!account.pin) throw new LilyError('PIN_NOT_SET');
    const now = this.now();
    const lockedUntil = account.pin.lockedUntil;
    if (lockedUntil !== null && lockedUntil.getTime() <= now) {
      // The lock has run out: start a fresh series (only the first caller to see it resets).
      await users.updateOne({ _id: userId, 'pin.lockedUntil': lockedUntil }, { $set: { 'pin.failures': 0, 'pin.lockedUntil': null } });
    }
    const reserved = await users.findOneAndUpdate(
      { _id: userId, 'pin.failures': { $lt: PIN_MAX_FAILURES } },
      { $inc: { 'pin.failures': 1 } },
      { returnDocument: 'after' },
    );
    if (!reserved?.pin) {
      // Locked, or a lock was interrupted before its end time was written: write it now.
      await users.updateOne(
        { _id: userId, 'pin.lockedUntil': null, 'pin.failures': { $gte: PIN_MAX_FAILURES } },
        { $set: { 'pin.lockedUntil': new Date(now + PIN_LOCK_MS) } },
      );
      const current = await users.findOne({ _id: userId });
      const until = current?.pin?.lockedUntil?.getTime() ?? now + PIN_LOCK_MS;
      throw new LilyError('PIN_LOCKED', undefined, { retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) });
    }
    const ok = PIN.test(pin) && (await verifySecret(this.peppered(pin), reserved.pin.hash));
    if (ok) {
      await users.updateOne({ _id: userId }, { $set: { 'pin.failures': 0, 'pin.lockedUntil': null } });
      return;
    }
    if (reserved.pin.failures >= PIN_MAX_FAILURES) {
      const until = new Date(now + PIN_LOCK_MS);
      await users.updateOne({ _id: userId, 'pin.lockedUntil': null }, { $set: { 'pin.lockedUntil': until } });
      throw new LilyError('PIN_LOCKED', undefined, { retryAfterSeconds: Math.ceil(PIN_LOCK_MS / 1000) });
    }
    throw new LilyError('PIN_INCORRECT', undefined, { attemptsLeft: PIN_MAX_FAILURES - reserved.pin.failures });
  }
}

function toPrincipal(kind: PrincipalKind, account: AccountDoc, sessionId: string): Principal {
  return {
    kind,
    id: account._id,
    username: account.username,
    displayName: account.displayName,
    roles: kind === 'ops' ? (account.roles ?? []) : [],
    sessionId,
  };
}
