/**
 * lily-open-client against a stand-in bank: what it signs and sends, and which responses it
 * refuses. The full Open API suites live under test/openapi.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fromBase64, fromHex, generateSm2KeyPair, sm2Sign, sm2Verify, toBase64, toHex, utf8 } from '../runtime/crypto/sm.ts';
import { keySerial } from '../server/keys.ts';
import { canonicalRequest, parseAuthorization, signResponse } from '../server/openapi/signing.ts';
import {
  canonicalString,
  LilyOpenApiError,
  LilyOpenClient,
  LilyResponseVerificationError,
  responseCanonicalString,
  signRequest,
  verifyBankSignature,
} from './index.ts';

const bankPair = generateSm2KeyPair();
const bank = { serial: keySerial(bankPair.publicKey), ...bankPair };
const merchant = generateSm2KeyPair();
const merchantSerial = keySerial(merchant.publicKey);

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** What the stand-in answers: a function of the request. */
let answer: (seen: Seen, res: ServerResponse) => void;
let seen: Seen[] = [];
let server: Server;
let baseUrl: string;

function signedJson(res: ServerResponse, status: number, body: string, options: { type?: string; alter?: (b: string) => string; headers?: Record<string, string> } = {}): void {
  const sig = signResponse(bank, body, Date.now());
  res.writeHead(status, { 'content-type': options.type ?? 'application/json', 'x-request-id': 'rid-1', ...sig, ...options.headers });
  res.end(options.alter ? options.alter(body) : body);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  answer = (_s, res) => signedJson(res, 200, '{"ok":true}');
});

function client(extra: Partial<ConstructorParameters<typeof LilyOpenClient>[0]> = {}): LilyOpenClient {
  return new LilyOpenClient({
    baseUrl: `${baseUrl}/`,
    appId: 'com.example.ride',
    serialNo: merchantSerial,
    privateKey: merchant.privateKey,
    bankPublicKey: bank.publicKey,
    bankSerial: bank.serial,
    ...extra,
  });
}

describe('signing', () => {
  it('canonicalString is METHOD, PATH?QUERY, TIMESTAMP, NONCE, BODY, each followed by a newline', () => {
    expect(canonicalString('post', '/open/v1/x?a=1', 1700000000, 'n', '{}')).toBe('POST\n/open/v1/x?a=1\n1700000000\nn\n{}\n');
    expect(canonicalString('GET', '/open/v1/ping', '1', 'n', '')).toBe('GET\n/open/v1/ping\n1\nn\n\n');
    expect(responseCanonicalString('1', 'n', '')).toBe('1\nn\n\n');
  });

  it('signRequest builds a header the server parses and a signature that verifies', () => {
    const signed = signRequest({
      method: 'POST',
      pathWithQuery: '/open/v1/refunds',
      body: '{"a":"中"}',
      appId: 'com.example.ride',
      serialNo: merchantSerial,
      privateKey: merchant.privateKey,
      timestamp: 1700000000,
      nonce: 'abcdefghijklmnop',
    });
    expect(signed.canonical).toBe('POST\n/open/v1/refunds\n1700000000\nabcdefghijklmnop\n{"a":"中"}\n');
    const auth = parseAuthorization(signed.authorization);
    expect(auth).toMatchObject({ appId: 'com.example.ride', serialNo: merchantSerial, timestamp: '1700000000', nonce: 'abcdefghijklmnop' });
    const bytes = canonicalRequest('POST', '/open/v1/refunds', '1700000000', 'abcdefghijklmnop', utf8('{"a":"中"}'));
    expect(sm2Verify(bytes, auth.signatureHex, merchant.publicKey)).toBe(true);
  });
});

describe('requests', () => {
  it('signs exactly what it sends: normalized path, query and body', async () => {
    await client().request('POST', '/open/v1/things/a b', { query: { q: 'x y', n: 2, skip: undefined }, body: { name: '票' } });
    const s = seen[0]!;
    expect(s.url).toBe('/open/v1/things/a%20b?q=x+y&n=2');
    const auth = parseAuthorization(String(s.headers.authorization));
    expect(sm2Verify(canonicalRequest('POST', s.url, auth.timestamp, auth.nonce, s.body), auth.signatureHex, merchant.publicKey)).toBe(true);
    expect(s.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(s.body.toString('utf8')).toBe('{"name":"票"}');
  });

  it('adds a fresh Idempotency-Key to POSTs, keeps a given one, and none on GET', async () => {
    const c = client();
    const a = await c.request('POST', '/open/v1/x', { body: {} });
    const b = await c.request('POST', '/open/v1/x', { body: {} });
    await c.request('POST', '/open/v1/x', { body: {}, idempotencyKey: 'order-77' });
    await c.get('/open/v1/y');
    expect(a.idempotencyKey).toMatch(/^idem-[0-9a-f]{32}$/);
    expect(b.idempotencyKey).not.toBe(a.idempotencyKey);
    expect(seen.map((s) => s.headers['idempotency-key'])).toEqual([a.idempotencyKey, b.idempotencyKey, 'order-77', undefined]);
    expect(new Set(seen.map((s) => parseAuthorization(String(s.headers.authorization)).nonce)).size).toBe(4);
  });

  it('turns a signed problem+json into LilyOpenApiError', async () => {
    answer = (_s, res) =>
      signedJson(res, 409, JSON.stringify({ code: 'IDEMPOTENCY_CONFLICT', detail: 'used before', requestId: 'rid-9', status: 409 }), {
        type: 'application/problem+json',
      });
    const err = (await client().post('/open/v1/x', {}).catch((e: unknown) => e)) as LilyOpenApiError;
    expect(err).toBeInstanceOf(LilyOpenApiError);
    expect(err).toMatchObject({ status: 409, code: 'IDEMPOTENCY_CONFLICT', detail: 'used before', requestId: 'rid-9' });
  });
});

describe('responses it refuses', () => {
  const refused = async (c = client()): Promise<LilyResponseVerificationError> => {
    const err = await c.get('/open/v1/ping').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LilyResponseVerificationError);
    return err as LilyResponseVerificationError;
  };

  it('unsigned', async () => {
    answer = (_s, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"appId":"app_ride"}');
    };
    expect((await refused()).message).toMatch(/not signed/);
  });

  it('unsigned, even when it looks like a problem', async () => {
    answer = (_s, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>Bad gateway</h1>');
    };
    expect(await refused()).toMatchObject({ status: 502 });
  });

  it('altered body', async () => {
    answer = (_s, res) => signedJson(res, 200, '{"balance":100}', { alter: (b) => b.replace('100', '900') });
    expect((await refused()).message).toMatch(/does not verify/);
  });

  it('signed by another key', async () => {
    const mallory = generateSm2KeyPair();
    answer = (_s, res) => {
      const sig = signResponse({ serial: bank.serial, ...mallory }, '{}', Date.now());
      res.writeHead(200, { 'content-type': 'application/json', ...sig });
      res.end('{}');
    };
    await refused();
  });

  it('signed under another bank serial', async () => {
    answer = (_s, res) => signedJson(res, 200, '{}', { headers: { 'Lily-Serial': '0123456789ABCDEF' } });
    expect((await refused()).message).toMatch(/0123456789ABCDEF/);
  });

  it('too old (a replayed response)', async () => {
    answer = (_s, res) => {
      const ts = String(Math.floor(Date.now() / 1000) - 3600);
      const nonce = 'n'.repeat(32);
      const sig = toBase64(fromHex(sm2Sign(responseCanonicalString(ts, nonce, '{}'), bank.privateKey, bank.publicKey)));
      res.writeHead(200, { 'content-type': 'application/json', 'Lily-Signature': sig, 'Lily-Timestamp': ts, 'Lily-Nonce': nonce, 'Lily-Serial': bank.serial });
      res.end('{}');
    };
    expect((await refused()).message).toMatch(/timestamp/);
  });

  it('verifyBankSignature never throws on garbage', () => {
    expect(verifyBankSignature(bank.publicKey, '!!', '1', 'n', '')).toBe(false);
    expect(verifyBankSignature(bank.publicKey, toBase64(new Uint8Array(8)), '1', 'n', '')).toBe(false);
    const sig = signResponse(bank, 'x', 1_700_000_000_000);
    expect(verifyBankSignature(bank.publicKey, sig['Lily-Signature'], sig['Lily-Timestamp'], sig['Lily-Nonce'], 'x')).toBe(true);
    expect(toHex(fromBase64(sig['Lily-Signature'])).startsWith('30')).toBe(true);
  });
});

describe('options', () => {
  it('refuses malformed keys at construction', () => {
    expect(() => client({ privateKey: 'xyz' })).toThrow(/privateKey/);
    expect(() => client({ bankPublicKey: '02abc' })).toThrow(/bankPublicKey/);
    expect(() => client({ serialNo: 'nope' })).toThrow(/serialNo/);
  });
});
