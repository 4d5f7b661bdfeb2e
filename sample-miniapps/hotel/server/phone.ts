/**
 * Opening the phone number a guest shared (`member.phone`): the mini-app hands the hotel's server
 * `encryptedData` and `iv`, SM4-CBC ciphertext under the session key from code2Session. The
 * payload names the openId it was made for, so the server can tell that the number belongs to the
 * guest of this session and not to someone else's capture.
 */
import { createDecipheriv, getCiphers } from 'node:crypto';

/** What the bank encrypts for the merchant. */
export interface PhonePayload {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
  openId: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** Whether this Node's OpenSSL offers SM4 (Node 20 ships OpenSSL 3, which does). */
export const SM4_AVAILABLE = getCiphers().includes('sm4-cbc');

/**
 * Decrypts `encryptedData` with the session key; null when it does not open or is not the
 * expected JSON (a wrong key, an altered ciphertext).
 *
 * @example
 * ```ts
 * const payload = decryptPhone(body.encryptedData, body.iv, session.sessionKey);
 * if (!payload || payload.openId !== session.openId) refuse();
 * ```
 */
export function decryptPhone(encryptedData: string, iv: string, sessionKey: string): PhonePayload | null {
  try {
    const key = Buffer.from(sessionKey, 'base64');
    const ivBytes = Buffer.from(iv, 'base64');
    if (key.length !== 16 || ivBytes.length !== 16) return null;
    const decipher = createDecipheriv('sm4-cbc', key, ivBytes);
    const plain = Buffer.concat([decipher.update(Buffer.from(encryptedData, 'base64')), decipher.final()]).toString('utf8');
    const p = JSON.parse(plain) as Partial<PhonePayload>;
    if (typeof p.purePhoneNumber !== 'string' || typeof p.openId !== 'string' || typeof p.timestamp !== 'number') return null;
    return p as PhonePayload;
  } catch {
    return null;
  }
}

/** A mobile number as shown back to the guest: `138****8000`. */
export function maskPhone(number: string): string {
  return number.length >= 7 ? `${number.slice(0, 3)}****${number.slice(-4)}` : '****';
}

/** True for a mainland China mobile number typed by the guest (11 digits starting 13–19). */
export function isMobileNumber(text: string): boolean {
  return /^1[3-9]\d{9}$/.test(text);
}
