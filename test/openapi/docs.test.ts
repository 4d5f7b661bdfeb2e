/**
 * docs/open-api-signing.md stays true: its worked example is recomputed and verified here, with
 * Lily's code and with sm-crypto.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalString, responseCanonicalString, verifyBankSignature } from '../../open-client/index.ts';
import { ERRORS } from '../../protocol/errors.ts';
import { RATE_TIERS } from '../../capabilities/define.ts';
import { fromBase64, publicKeyOf, sm2Verify, toHex } from '../../runtime/crypto/sm.ts';
import { keySerial } from '../../server/keys.ts';
import { parseAuthorization } from '../../server/openapi/signing.ts';
import { LILY_SM2_OPTIONS, smCrypto } from './sm-crypto.ts';

const doc = readFileSync(new URL('../../docs/open-api-signing.md', import.meta.url), 'utf8');

/** The `| item | \`value\` |` rows of the table after a marker. */
function table(marker: string): Record<string, string> {
  const start = doc.indexOf(`<!-- ${marker} -->`);
  expect(start, marker).toBeGreaterThan(0);
  const rows: Record<string, string> = {};
  for (const line of doc.slice(start).split('\n').slice(1)) {
    const m = /^\| ([^|]+?) \| `(.*)` \|$/.exec(line);
    if (m) rows[m[1]!] = m[2]!;
    else if (Object.keys(rows).length > 0 && !line.startsWith('|')) break;
  }
  return rows;
}

/** The fenced block after a marker. */
function block(marker: string): string {
  const start = doc.indexOf(`<!-- ${marker} -->`);
  expect(start, marker).toBeGreaterThan(0);
  const m = /```[a-z]*\n([\s\S]*?)\n```/.exec(doc.slice(start));
  return m![1]!;
}

describe('docs/open-api-signing.md', () => {
  const v = table('example-values');

  it('has a consistent key pair and serial', () => {
    expect(publicKeyOf(v['private key']!)).toBe(v['public key']);
    expect(keySerial(v['public key']!)).toBe(v['serial_no']);
  });

  it('shows the canonical string the client builds', () => {
    const canonical = canonicalString(v.method!, v.path!, v.timestamp!, v.nonce!, v.body!);
    expect(`${block('example-canonical')}\n`).toBe(canonical);
  });

  it('shows a signature that verifies, with Lily and with sm-crypto', () => {
    const canonical = canonicalString(v.method!, v.path!, v.timestamp!, v.nonce!, v.body!);
    const derHex = toHex(fromBase64(v.signature!));
    expect(sm2Verify(canonical, derHex, v['public key']!)).toBe(true);
    expect(smCrypto.sm2.doVerifySignature(canonical, derHex, v['public key']!, LILY_SM2_OPTIONS)).toBe(true);
    expect(sm2Verify(canonical.replace('2350', '2351'), derHex, v['public key']!)).toBe(false);
  });

  it('shows a request whose Authorization header parses to the example values', () => {
    const request = block('example-request');
    const header = /^Authorization: (.*)$/m.exec(request)![1]!;
    expect(parseAuthorization(header)).toMatchObject({
      appId: v.app_id,
      serialNo: v.serial_no,
      timestamp: v.timestamp,
      nonce: v.nonce,
      signature: v.signature,
    });
    expect(request.startsWith(`${v.method} ${v.path} HTTP/1.1`)).toBe(true);
    expect(request.endsWith(`\n\n${v.body}`)).toBe(true);
  });

  it('shows a response signature that verifies', () => {
    const r = table('example-response');
    expect(keySerial(r['bank public key']!)).toBe(r['Lily-Serial']);
    expect(verifyBankSignature(r['bank public key']!, r['Lily-Signature']!, r['Lily-Timestamp']!, r['Lily-Nonce']!, r['response body']!)).toBe(true);
    const message = responseCanonicalString(r['Lily-Timestamp']!, r['Lily-Nonce']!, r['response body']!);
    expect(smCrypto.sm2.doVerifySignature(message, toHex(fromBase64(r['Lily-Signature']!)), r['bank public key']!, LILY_SM2_OPTIONS)).toBe(true);
  });

  it('states the rate tiers and error statuses the code uses', () => {
    for (const [tier, limits] of Object.entries(RATE_TIERS)) {
      expect(doc).toContain(`| ${tier} | ${limits.openApiPerMinute.toLocaleString('en-US').replace(/,/g, ' ')} |`);
    }
    for (const m of doc.matchAll(/`([A-Z_]{5,})` \((\d{3})/g)) {
      expect(ERRORS[m[1] as keyof typeof ERRORS]?.status, m[1]).toBe(Number(m[2]));
    }
  });
});
