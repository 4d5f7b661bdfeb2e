/**
 * Member profiles: nickname, avatar and region (`member.userInfo`), the bound phone number
 * (sealed at rest), and the real-name identity (`member.realName`), which is kept only as
 * tokens: HMAC-SM3 of the name and of the id number under a deployment key, plus the masked
 * name. No raw id number is stored or returned anywhere; a merchant can only ask whether a name
 * and id number match (yes or no).
 */
import { timingSafeEqual } from 'node:crypto';
import { LilyError } from '../../protocol/errors.ts';
import type { Doc, Store } from '../store/types.ts';
import type { MemberSecrets } from './common.ts';
import { MC } from './common.ts';

/** A profile (`_id` is the user id). */
export interface ProfileDoc extends Doc {
  nickName: string;
  avatarUrl: string;
  province: string;
  city: string;
  language: 'zh-CN' | 'en-US';
  /** `{"countryCode","purePhoneNumber"}` sealed with the deployment secret, or null. */
  sealedPhone: string | null;
  updatedAt: number;
}

/** A verified identity (`_id` is the user id): tokens and the masked name only. */
export interface IdentityDoc extends Doc {
  level: 'basic' | 'strong';
  maskedName: string;
  nameToken: string;
  idToken: string;
  verifiedAt: number;
}

/** The avatar of users who never set one. */
export const DEFAULT_AVATAR = 'https://cdn.lily.example/avatars/default.png';

/** The name with every character but the last masked: 李小明 → **明. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  return chars.length <= 1 ? '*' : `${'*'.repeat(chars.length - 1)}${chars[chars.length - 1]}`;
}

const sameHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Profiles, phone numbers and real-name identities. */
export class Profiles {
  constructor(private readonly secrets: MemberSecrets) {}

  /** Sets (part of) a user's profile; `phone` is a mainland number like `13800138000`. */
  async saveProfile(store: Store, userId: string, input: Partial<Pick<ProfileDoc, 'nickName' | 'avatarUrl' | 'province' | 'city' | 'language'>> & { phone?: string; countryCode?: string }, at = Date.now()): Promise<void> {
    const { phone, countryCode, ...rest } = input;
    const set: Record<string, unknown> = { ...rest, updatedAt: at };
    if (phone !== undefined) {
      if (!/^[0-9]{5,16}$/.test(phone)) throw new LilyError('INVALID_PARAMS', 'phone must be 5 to 16 digits.', { field: 'phone' });
      set['sealedPhone'] = this.secrets.seal(JSON.stringify({ countryCode: countryCode ?? '86', purePhoneNumber: phone }), `phone|${userId}`);
    }
    await store.collection<ProfileDoc>(MC.profiles).updateOne(
      { _id: userId },
      // $setOnInsert may not name a field $set names (MongoDB refuses the conflict).
      { $set: set, $setOnInsert: Object.fromEntries(Object.entries(defaults()).filter(([k]) => !(k in set))) },
      { upsert: true },
    );
  }

  /** The profile a mini-app may see, with defaults from the bank account for unset fields. */
  async userInfo(store: Store, userId: string) {
    const doc = await store.collection<ProfileDoc>(MC.profiles).findOne({ _id: userId });
    const account = doc ? null : await store.collection('users').findOne({ _id: userId });
    const base = { ...defaults(), nickName: String(account?.['displayName'] ?? '百合用户').slice(0, 32) };
    const p = doc ?? base;
    return { nickName: p.nickName || base.nickName, avatarUrl: p.avatarUrl || DEFAULT_AVATAR, province: p.province ?? '', city: p.city ?? '', language: p.language ?? 'zh-CN' };
  }

  /** The bound phone number; INVALID_STATE when none is bound. */
  async phone(store: Store, userId: string): Promise<{ phoneNumber: string; purePhoneNumber: string; countryCode: string }> {
    const doc = await store.collection<ProfileDoc>(MC.profiles).findOne({ _id: userId });
    if (!doc?.sealedPhone) throw new LilyError('INVALID_STATE', 'No phone number is bound to this bank account.');
    const { countryCode, purePhoneNumber } = JSON.parse(this.secrets.open(doc.sealedPhone, `phone|${userId}`)) as { countryCode: string; purePhoneNumber: string };
    return { phoneNumber: `+${countryCode}${purePhoneNumber}`, purePhoneNumber, countryCode };
  }

  /**
   * Records the outcome of the bank's real-name verification (KYC): only tokens and the masked
   * name are stored; the name and id number given here are not kept.
   */
  async recordRealName(store: Store, userId: string, input: { name: string; idNumber: string; level: 'basic' | 'strong' }, at = Date.now()): Promise<void> {
    if (!/^[0-9]{17}[0-9X]$/.test(input.idNumber.toUpperCase())) throw new LilyError('INVALID_PARAMS', 'idNumber must be an 18-character resident id number.', { field: 'idNumber' });
    await store.collection<IdentityDoc>(MC.identities).updateOne(
      { _id: userId },
      { $set: { level: input.level, maskedName: maskName(input.name), nameToken: this.nameToken(input.name), idToken: this.idToken(input.idNumber), verifiedAt: at } },
      { upsert: true },
    );
  }

  /** Verification status, masked name and the per-app identity token. */
  async realNameStatus(store: Store, userId: string, appId: string) {
    const doc = await store.collection<IdentityDoc>(MC.identities).findOne({ _id: userId });
    // Unverified users still get a stable per-app token (of the account, not of an identity).
    const basis = doc ? `id:${doc.idToken}` : `user:${userId}`;
    const identityToken = `idt_${this.secrets.mac('identity-token', `${basis}|${appId}`)}`;
    if (!doc) return { verified: false, level: 'none' as const, maskedName: '', identityToken };
    return { verified: true, level: doc.level, maskedName: doc.maskedName, identityToken };
  }

  /** Whether a name and id number belong to the user; INVALID_STATE for unverified users. */
  async matches(store: Store, userId: string, input: { name: string; idNumber: string }): Promise<boolean> {
    const doc = await store.collection<IdentityDoc>(MC.identities).findOne({ _id: userId });
    if (!doc) throw new LilyError('INVALID_STATE', 'The user has not passed real-name verification.');
    const nameOk = sameHex(this.nameToken(input.name), doc.nameToken);
    const idOk = sameHex(this.idToken(input.idNumber), doc.idToken);
    return nameOk && idOk;
  }

  private nameToken(name: string): string {
    return this.secrets.mac('real-name', name.normalize('NFC').replace(/\s+/g, ''));
  }

  private idToken(idNumber: string): string {
    return this.secrets.mac('id-number', idNumber.trim().toUpperCase());
  }
}

function defaults(): Pick<ProfileDoc, 'nickName' | 'avatarUrl' | 'province' | 'city' | 'language' | 'sealedPhone'> {
  return { nickName: '', avatarUrl: DEFAULT_AVATAR, province: '', city: '', language: 'zh-CN', sealedPhone: null };
}
