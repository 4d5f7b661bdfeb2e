/**
 * Interoperability with sm-crypto (≥ 0.5.8), in both directions, through HTTP: a merchant that
 * signs with sm-crypto is accepted, and sm-crypto verifies the bank's response signatures. Every
 * sm-crypto call passes `der`, `hash` and `userId` explicitly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalString, responseCanonicalString } from '../../open-client/index.ts';
import { fromBase64, fromHex, generateSm2KeyPair, sm2Sign, sm2Verify, toBase64, toHex } from '../../runtime/crypto/sm.ts';
import { keySerial } from '../../server/keys.ts';
import { prepayBody, registerTestHandlers, snapshot, type Probe } from './fixtures.ts';
import { rawFetch, startHarness, type Harness } from './harness.ts';
import { LILY_SM2_OPTIONS, smCrypto } from './sm-crypto.ts';

let h: Harness;
let probe: Probe;
let merchant: { privateKey: string; publicKey: string; serial: string };

beforeAll(async () => {
  h = await startHarness();
  probe = registerTestHandlers(h);
  await h.apps.create({ merchantId: 'm-test', name: 'sm-crypto merchant', category: 'travel', appId: 'smcrypto.app' }, { kind: 'ops', id: 'ops-test' });
  // The merchant made its key pair with sm-crypto and uploads the public key.
  const pair = smCrypto.sm2.generateKeyPairHex();
  for (const capability of ['payment.cashier', 'payment.orders']) {
    await h.grants.grant({ appId: 'smcrypto.app', env: 'sandbox', capability }, { kind: 'ops', id: 'ops-test' });
  }
  const credential = await h.credentials.upload('smcrypto.app', 'sandbox', pair.publicKey);
  merchant = { ...pair, serial: credential.serial };
  expect(credential.serial).toBe(keySerial(pair.publicKey));
});

afterAll(async () => {
  await h?.close();
});

/** Sends a request signed by sm-crypto, the way a merchant without our client would. */
async function smCryptoRequest(method: string, pathWithQuery: string, body: string, idempotencyKey?: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = toHex(crypto.getRandomValues(new Uint8Array(16)));
  const message = canonicalString(method, pathWithQuery, timestamp, nonce, body);
  const derHex = smCrypto.sm2.doSignature(message, merchant.privateKey, { ...LILY_SM2_OPTIONS, publicKey: merchant.publicKey });
  const authorization = `LILY-SM2-SM3 app_id="smcrypto.app",serial_no="${merchant.serial}",timestamp="${timestamp}",nonce="${nonce}",signature="${toBase64(fromHex(derHex))}"`;
  const headers: Record<string, string> = { authorization };
  if (body !== '') headers['content-type'] = 'application/json';
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  return rawFetch(h.baseUrl, method, pathWithQuery, headers, body === '' ? undefined : body);
}

/** Verifies the bank's response signature with sm-crypto only. */
function smCryptoVerifiesResponse(res: { headers: Headers; text: string }): boolean {
  const message = responseCanonicalString(res.headers.get('lily-timestamp')!, res.headers.get('lily-nonce')!, res.text);
  const derHex = toHex(fromBase64(res.headers.get('lily-signature')!));
  return smCrypto.sm2.doVerifySignature(message, derHex, h.bankKeys.publicKey, LILY_SM2_OPTIONS);
}

describe('sm-crypto interoperability', () => {
  it('a GET signed by sm-crypto is accepted, and sm-crypto verifies the bank response', async () => {
    const res = await smCryptoRequest('GET', '/open/v1/payments/orders?limit=3&status=paid', '');
    expect(res.status, res.text).toBe(200);
    expect(probe.lastListParams).toEqual({ limit: 3, status: 'paid' });
    expect(smCryptoVerifiesResponse(res)).toBe(true);
  });

  it('a POST with a non-ASCII body signed by sm-crypto is accepted and runs once', async () => {
    const runs = probe.runs;
    const body = JSON.stringify(prepayBody({ description: '演唱会门票 · 内场 A 区 🎤' }));
    const res = await smCryptoRequest('POST', '/open/v1/payments/prepay', body, 'smc-1');
    expect(res.status, res.text).toBe(200);
    expect(res.json.prepayId).toMatch(/^pp_/);
    expect(probe.runs).toBe(runs + 1);
    expect(smCryptoVerifiesResponse(res)).toBe(true);
  });

  it('sm-crypto verifies the bank signature on problems too, and detects an altered body', async () => {
    const res = await smCryptoRequest('GET', '/open/v1/payments/orders?limit=0', '');
    expect(res.status).toBe(400);
    expect(smCryptoVerifiesResponse(res)).toBe(true);
    expect(smCryptoVerifiesResponse({ headers: res.headers, text: res.text.replace('INVALID_PARAMS', 'INTERNAL') })).toBe(false);
  });

  it('an sm-crypto signature over a tampered body is refused, nothing written', async () => {
    const before = await snapshot(h);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = 'tampered-nonce-0000000001';
    const signedBody = JSON.stringify(prepayBody({ amount: 1 }));
    const message = canonicalString('POST', '/open/v1/payments/prepay', timestamp, nonce, signedBody);
    const derHex = smCrypto.sm2.doSignature(message, merchant.privateKey, { ...LILY_SM2_OPTIONS, publicKey: merchant.publicKey });
    const res = await rawFetch(
      h.baseUrl,
      'POST',
      '/open/v1/payments/prepay',
      {
        authorization: `LILY-SM2-SM3 app_id="smcrypto.app",serial_no="${merchant.serial}",timestamp="${timestamp}",nonce="${nonce}",signature="${toBase64(fromHex(derHex))}"`,
        'content-type': 'application/json',
        'idempotency-key': 'smc-tamper',
      },
      signedBody.replace('"amount":1', '"amount":9'),
    );
    expect(res.json.code).toBe('SIGNATURE_INVALID');
    expect(await snapshot(h)).toEqual(before);
  });

  it('the libraries agree directly, both ways, on many messages', () => {
    const ours = generateSm2KeyPair();
    for (let i = 0; i < 8; i++) {
      const message = `POST\n/open/v1/x?i=${i}\n1700000000\nnonce-${i}-abcdefghijkl\n{"t":"中文 ${'é'.repeat(i)}"}\n`;
      const fromUs = sm2Sign(message, ours.privateKey, ours.publicKey);
      expect(smCrypto.sm2.doVerifySignature(message, fromUs, ours.publicKey, LILY_SM2_OPTIONS)).toBe(true);
      const fromThem = smCrypto.sm2.doSignature(message, merchant.privateKey, { ...LILY_SM2_OPTIONS, publicKey: merchant.publicKey });
      expect(sm2Verify(message, fromThem, merchant.publicKey)).toBe(true);
      expect(sm2Verify(`${message} `, fromThem, merchant.publicKey)).toBe(false);
    }
  });
});
