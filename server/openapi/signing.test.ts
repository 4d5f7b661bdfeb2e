import { describe, expect, it } from 'vitest';
import { LilyError } from '../../protocol/errors.ts';
import { generateSm2KeyPair, sm2Verify, utf8 } from '../../runtime/crypto/sm.ts';
import { keySerial } from '../keys.ts';
import { canonicalRequest, parseAuthorization, signResponse } from './signing.ts';

const SIG = 'MEUCIQDvzYtEMCc3ZVVtZ4KwCKj4cM3rj+nw9m2JW9AHDzz6zQIgPTu0Ndx2Aqhf4iS9wcrsUoKv3c68iX2Bdxe2aNP7oSs=';
const OK = `LILY-SM2-SM3 app_id="app_ride",serial_no="0123456789abcdef",timestamp="1700000000",nonce="abcdefghijklmnop",signature="${SIG}"`;

const code = (header: string | undefined): string => {
  try {
    parseAuthorization(header);
    return 'ok';
  } catch (err) {
    return (err as LilyError).code;
  }
};

describe('parseAuthorization', () => {
  it('parses the five parameters in any order, with spaces after commas, scheme case-insensitive', () => {
    expect(parseAuthorization(OK)).toMatchObject({ appId: 'app_ride', serialNo: '0123456789ABCDEF', timestamp: '1700000000', nonce: 'abcdefghijklmnop', signature: SIG });
    const shuffled = `lily-sm2-sm3 signature="${SIG}", nonce="abcdefghijklmnop", timestamp="1700000000", serial_no="0123456789ABCDEF", app_id="app_ride"`;
    expect(parseAuthorization(shuffled).appId).toBe('app_ride');
    expect(parseAuthorization(OK).signatureHex).toMatch(/^3045/);
  });

  it('missing or foreign scheme: SIGNATURE_MISSING; malformed: SIGNATURE_INVALID', () => {
    expect(code(undefined)).toBe('SIGNATURE_MISSING');
    expect(code('  ')).toBe('SIGNATURE_MISSING');
    expect(code('WECHATPAY2-SHA256-RSA2048 mchid="1"')).toBe('SIGNATURE_MISSING');
    expect(code(OK.replace('app_id="app_ride"', 'app_id="app ride"'))).toBe('SIGNATURE_INVALID');
    expect(code(OK.replace(',nonce', ' ,  nonce'))).toBe('ok');
    expect(code(OK.replace(',nonce', ';nonce'))).toBe('SIGNATURE_INVALID');
    expect(code(OK.replace('timestamp="1700000000"', 'timestamp="01700000000"'))).toBe('SIGNATURE_INVALID');
    expect(code(OK.replace('abcdefghijklmnop', 'a'.repeat(65)))).toBe('SIGNATURE_INVALID');
    expect(code(OK.replace('app_id="app_ride"', 'app_id=""'))).toBe('SIGNATURE_INVALID');
  });
});

describe('canonical bytes and response signatures', () => {
  it('keeps the body bytes as they are', () => {
    const body = new Uint8Array([0x7b, 0xff, 0x7d]); // not even UTF-8
    const bytes = canonicalRequest('POST', '/open/v1/x?a=%20', '1', 'n', body);
    expect([...bytes]).toEqual([...utf8('POST\n/open/v1/x?a=%20\n1\nn\n'), 0x7b, 0xff, 0x7d, 0x0a]);
  });

  it('signs TIMESTAMP\\nNONCE\\nBODY\\n with the bank key', () => {
    const pair = generateSm2KeyPair();
    const bank = { serial: keySerial(pair.publicKey), ...pair };
    const headers = signResponse(bank, '{"a":1}', 1_700_000_000_999);
    expect(headers['Lily-Timestamp']).toBe('1700000000');
    expect(headers['Lily-Nonce']).toMatch(/^[0-9a-f]{32}$/);
    expect(headers['Lily-Serial']).toBe(bank.serial);
    const hex = Buffer.from(headers['Lily-Signature'], 'base64').toString('hex');
    expect(sm2Verify(`1700000000\n${headers['Lily-Nonce']}\n{"a":1}\n`, hex, bank.publicKey)).toBe(true);
  });
});
