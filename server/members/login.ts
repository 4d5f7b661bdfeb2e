/**
 * Login codes and sessions (`member.login`), and the phone number shared with the merchant
 * (`member.phone`).
 *
 * A login code is single-use, valid for 5 minutes and only for the app it was issued to; the
 * store keeps its SM3 digest, never the code. `code2Session` spends it (a conditional update, so
 * two racing exchanges cannot both succeed) and opens the user's session in the app with a fresh
 * 16-byte SM4 session key (replacing the previous one), kept sealed at rest. The phone number is
 * encrypted to the current session key (SM4-CBC,
 * PKCS#7, WeChat-style `encryptedData` + `iv`) and also offered as a one-time `phoneCode`.
 */
import { LilyError } from '../../protocol/errors.ts';
import { fromBase64, randomBytes, sm4CbcEncrypt, toBase64, utf8 } from '../../runtime/crypto/sm.ts';
import type { Doc } from '../store/types.ts';
import { codeDigest, gcAt, MC, randomCode, requireConsent, type Consents, type MemberSecrets, type Scope, type UserScope } from './common.ts';
import { ensureMemberIndexes } from './indexes.ts';
import { rememberOpenId } from './openids.ts';
import type { Profiles } from './profiles.ts';

/** How long a login or phone code lives. */
export const CODE_TTL_MS = 5 * 60 * 1000;
/** How long a session key stays valid. */
export const SESSION_TTL_MS = 2 * 24 * 3600 * 1000;

/** A one-time code (`_id` is the code's digest). */
interface CodeDoc extends Doc {
  env: string;
  appId: string;
  userId: string;
  openId: string;
  createdAt: number;
  expiresAt: number;
  /** For the TTL index. */
  expireAt: Date;
  usedAt: number | null;
}

/** The session opened by the latest `code2Session` (`_id` is `<env>|<appId>|<userId>`). */
interface SessionDoc extends Doc {
  env: string;
  appId: string;
  userId: string;
  openId: string;
  /** The session key, sealed with the deployment secret and bound to the session id. */
  sealedKey: string;
  createdAt: number;
  expiresAt: number;
  expireAt: Date;
}

/** Login codes, sessions and the phone number exchange. */
export class LoginService {
  constructor(
    private readonly secrets: MemberSecrets,
    private readonly consents: Consents,
    private readonly profiles: Profiles,
  ) {}

  /** Issues a login code for this user and app. */
  async issueLoginCode(scope: UserScope): Promise<{ code: string; expiresAt: number }> {
    return this.issue(scope, MC.loginCodes, 'lc_');
  }

  /**
   * Spends a login code and opens a session. NOT_FOUND for an unknown, expired or other app's
   * code; INVALID_STATE for a code already used.
   */
  async code2Session(scope: Scope, input: { code: string }): Promise<{ openId: string; sessionKey: string; expiresIn: number }> {
    const code = await this.spend(scope, MC.loginCodes, input.code, 'login code');
    const now = scope.now();
    const key = randomBytes(16);
    // One session per user and app: a new login replaces the key (the old one stops working).
    const sessionId = `${scope.env}|${scope.appId}|${code.userId}`;
    await scope.store.collection<SessionDoc>(MC.sessions).updateOne(
      { _id: sessionId },
      {
        $set: {
          env: scope.env,
          appId: scope.appId,
          userId: code.userId,
          openId: code.openId,
          sealedKey: this.secrets.seal(toBase64(key), sessionId),
          createdAt: now,
          expiresAt: now + SESSION_TTL_MS,
          expireAt: gcAt(SESSION_TTL_MS),
        },
      },
      { upsert: true },
    );
    await rememberOpenId(scope.store, { appId: scope.appId, openId: code.openId, userId: code.userId, at: now });
    return { openId: code.openId, sessionKey: toBase64(key), expiresIn: SESSION_TTL_MS / 1000 };
  }

  /** The unexpired session key of this user in this app (bytes), or null. */
  async sessionKey(scope: UserScope): Promise<Uint8Array | null> {
    const id = `${scope.env}|${scope.appId}|${scope.userId}`;
    const session = await scope.store.collection<SessionDoc>(MC.sessions).findOne({ _id: id });
    return session && session.expiresAt > scope.now() ? fromBase64(this.secrets.open(session.sealedKey, id)) : null;
  }

  /**
   * The phone number for the merchant: encrypted to the session key, plus a one-time exchange
   * code. CONSENT_REQUIRED without consent to `scope.phone`; UNAUTHENTICATED without a session.
   */
  async getPhoneNumber(scope: UserScope): Promise<{ encryptedData: string; iv: string; phoneCode: string }> {
    await requireConsent(this.consents, { userId: scope.userId, appId: scope.appId, scope: 'scope.phone', now: scope.now() });
    const key = await this.sessionKey(scope);
    if (!key) throw new LilyError('UNAUTHENTICATED', 'No login session: call member.login first and exchange the code on your server.');
    const phone = await this.profiles.phone(scope.store, scope.userId);
    const iv = randomBytes(16);
    const payload = { ...phone, openId: scope.openId, timestamp: Math.floor(scope.now() / 1000) };
    const encryptedData = toBase64(sm4CbcEncrypt(utf8(JSON.stringify(payload)), key, iv));
    const { code } = await this.issue(scope, MC.phoneCodes, 'pc_');
    return { encryptedData, iv: toBase64(iv), phoneCode: code };
  }

  /**
   * Spends a phone code. NOT_FOUND for unknown or expired codes, INVALID_STATE for used ones,
   * CONSENT_REQUIRED when the user has revoked the consent since.
   */
  async exchangePhoneCode(scope: Scope, input: { phoneCode: string }) {
    const code = await this.spend(scope, MC.phoneCodes, input.phoneCode, 'phone code', async (doc) => {
      await requireConsent(this.consents, { userId: doc.userId, appId: scope.appId, scope: 'scope.phone', now: scope.now() });
    });
    return this.profiles.phone(scope.store, code.userId);
  }

  private async issue(scope: UserScope, collection: string, prefix: string): Promise<{ code: string; expiresAt: number }> {
    await ensureMemberIndexes(scope.store);
    const now = scope.now();
    const code = `${prefix}${randomCode(20)}`;
    await scope.store.collection<CodeDoc>(collection).insertOne({
      _id: codeDigest(code),
      env: scope.env,
      appId: scope.appId,
      userId: scope.userId,
      openId: scope.openId,
      createdAt: now,
      expiresAt: now + CODE_TTL_MS,
      expireAt: gcAt(CODE_TTL_MS),
      usedAt: null,
    });
    return { code, expiresAt: now + CODE_TTL_MS };
  }

  private async spend(scope: Scope, collection: string, code: string, what: string, check?: (doc: CodeDoc) => Promise<void>): Promise<CodeDoc> {
    await ensureMemberIndexes(scope.store);
    const col = scope.store.collection<CodeDoc>(collection);
    const id = codeDigest(code);
    const now = scope.now();
    const doc = await col.findOne({ _id: id, env: scope.env, appId: scope.appId });
    if (!doc || doc.expiresAt <= now) throw new LilyError('NOT_FOUND', `Unknown or expired ${what}.`);
    if (doc.usedAt !== null) throw new LilyError('INVALID_STATE', `This ${what} was already used.`);
    await check?.(doc);
    // The conditional update is the guard: of two racing exchanges only one finds it unused.
    const res = await col.updateOne({ _id: id, usedAt: null }, { $set: { usedAt: now } });
    if (res.modifiedCount !== 1) throw new LilyError('INVALID_STATE', `This ${what} was already used.`);
    return doc;
  }
}
