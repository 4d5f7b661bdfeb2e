import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptPhone, isMobileNumber, maskPhone, SM4_AVAILABLE } from './phone.ts';

describe('phone number from the bank', () => {
  it.runIf(SM4_AVAILABLE)('opens the SM4-CBC payload with the session key, and nothing else', () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const payload = { phoneNumber: '+8613800138000', purePhoneNumber: '13800138000', countryCode: '86', openId: 'o_abc', timestamp: 1_746_072_000 };
    const cipher = createCipheriv('sm4-cbc', key, iv);
    const encryptedData = Buffer.concat([cipher.update(JSON.stringify(payload)), cipher.final()]).toString('base64');
    expect(decryptPhone(encryptedData, iv.toString('base64'), key.toString('base64'))).toEqual(payload);
    expect(decryptPhone(encryptedData, iv.toString('base64'), randomBytes(16).toString('base64'))).toBeNull();
    expect(decryptPhone(encryptedData, 'short', key.toString('base64'))).toBeNull();
    expect(decryptPhone('not base64 at all', iv.toString('base64'), key.toString('base64'))).toBeNull();
  });

  it('masks numbers and accepts only mainland mobile numbers typed by the guest', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskPhone('123')).toBe('****');
    expect(['13800138000', '19912345678'].every(isMobileNumber)).toBe(true);
    expect(['12800138000', '1380013800', '138001380001', '021-63338801', ''].some(isMobileNumber)).toBe(false);
  });
});
