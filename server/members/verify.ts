/**
 * Step-up verification (`member.verify`): the user proves it is them in the host's sheet, with
 * the payment PIN (checked by the identity service, so wrong PINs count towards its lockout) or a
 * one-time code sent to the bound phone; the result is a single-use token, valid 5 minutes,
 * that the merchant's server checks and consumes with `checkVerification`. Tokens and codes are
 * stored as SM3 digests only.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { Doc, Store } from '../store/types.ts';
import { codeDigest, gcAt, MC, randomCode, type Env, type PickerConfirmation, type Scope, type UserScope } from './common.ts';
import { ensureMemberIndexes } from './indexes.ts';
import type { VerifyPin } from '../payments/host.ts';

/** How long a verification token or a one-time code lives. */
export const VERIFY_TTL_MS = 5 * 60 * 1000;
/** Wrong entries a one-time code survives. */
export const OTP_MAX_ATTEMPTS = 5;

interface TokenDoc extends Doc {
  env: Env;
  appId: string;
  userId: string;
  openId: string;
  method: 'pin' | 'otp';
  reason: string;
  verifiedAt: number;
  expiresAt: number;
  expireAt: Date;
  usedAt: number | null;
}

interface OtpDoc extends Doc {
  digest: string;
  attempts: number;
  expiresAt: number;
  expireAt: Date;
}

/** Step-up verification. */
export class Verifications {
  constructor(private readonly verifyPin: VerifyPin) {}

  /**
   * Issues a 6-digit one-time code for the user and app; the host's SMS gateway sends it to the
   * bound phone (the local demo shows it in the host). A new code replaces the previous one.
   */
  async issueOtp(store: Store, input: { env: Env; appId: string; userId: string; at: number }): Promise<{ code: string; expiresAt: number }> {
    await ensureMemberIndexes(store);
    const code = randomCode(6, '0123456789');
    const expiresAt = input.at + VERIFY_TTL_MS;
    await store.collection<OtpDoc>(MC.otps).updateOne(
      { _id: `${input.env}|${input.appId}|${input.userId}` },
      { $set: { digest: codeDigest(`otp|${input.userId}|${code}`), attempts: 0, expiresAt, expireAt: gcAt(VERIFY_TTL_MS) } },
      { upsert: true },
    );
    return { code, expiresAt };
  }

  /**
   * Verifies what the sheet collected (a one-time code in `host.otp`, else the PIN in
   * `host.pin`) and issues a token. USER_CANCELLED without a confirmed sheet or an entry.
   */
  async request(scope: UserScope, input: { reason: string }, host: PickerConfirmation | undefined) {
    if (!host || host.confirmed !== true) throw new LilyError('USER_CANCELLED', 'The user closed the verification sheet.');
    let method: 'pin' | 'otp';
    if (typeof host.otp === 'string' && host.otp.length > 0) {
      await this.checkOtp(scope, host.otp);
      method = 'otp';
    } else if (typeof host.pin === 'string' && host.pin.length > 0) {
      await this.verifyPin(scope.userId, host.pin);
      method = 'pin';
    } else {
      throw new LilyError('USER_CANCELLED', 'No PIN or code was entered.');
    }
    await ensureMemberIndexes(scope.store);
    const now = scope.now();
    const token = `vt_${randomCode(24)}`;
    await scope.store.collection<TokenDoc>(MC.verifications).insertOne({
      _id: codeDigest(token),
      env: scope.env,
      appId: scope.appId,
      userId: scope.userId,
      openId: scope.openId,
      method,
      reason: input.reason,
      verifiedAt: now,
      expiresAt: now + VERIFY_TTL_MS,
      expireAt: gcAt(VERIFY_TTL_MS),
      usedAt: null,
    });
    return { verificationToken: token, method, expiresAt: now + VERIFY_TTL_MS };
  }

  /**
   * Checks and consumes a token: `valid` only when genuine, unexpired, unused and of this
   * openId (a token shown with another openId is not consumed). NOT_FOUND for unknown tokens.
   */
  async check(scope: Scope, input: { verificationToken: string; openId: string }) {
    const col = scope.store.collection<TokenDoc>(MC.verifications);
    const id = codeDigest(input.verificationToken);
    const doc = await col.findOne({ _id: id, env: scope.env, appId: scope.appId });
    if (!doc) throw new LilyError('NOT_FOUND', 'Unknown verification token.');
    const now = scope.now();
    let valid = doc.openId === input.openId && doc.usedAt === null && doc.expiresAt > now;
    if (valid) valid = (await col.updateOne({ _id: id, usedAt: null }, { $set: { usedAt: now } })).modifiedCount === 1;
    return { valid, method: doc.method, reason: doc.reason, verifiedAt: doc.verifiedAt };
  }

  private async checkOtp(scope: UserScope, code: string): Promise<void> {
    const col = scope.store.collection<OtpDoc>(MC.otps);
    const id = `${scope.env}|${scope.appId}|${scope.userId}`;
    // Reserve an attempt first, so parallel guesses cannot exceed the limit.
    const doc = await col.findOneAndUpdate({ _id: id, attempts: { $lt: OTP_MAX_ATTEMPTS }, expiresAt: { $gt: scope.now() } }, { $inc: { attempts: 1 } }, { returnDocument: 'after' });
    if (!doc) throw new LilyError('PIN_INCORRECT', 'The code has expired or was entered wrong too often; request a new one.', { attemptsLeft: 0 });
    if (doc.digest !== codeDigest(`otp|${scope.userId}|${code}`)) {
      throw new LilyError('PIN_INCORRECT', 'The code is incorrect.', { attemptsLeft: OTP_MAX_ATTEMPTS - doc.attempts });
    }
    // Spent: a code works once; of two racing uses only one deletes it.
    if ((await col.deleteOne({ _id: id, digest: doc.digest })).deletedCount !== 1) {
      throw new LilyError('PIN_INCORRECT', 'The code was already used; request a new one.', { attemptsLeft: 0 });
    }
  }
}
