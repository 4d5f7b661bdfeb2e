/**
 * Package format: pack, digests, signatures, tampering, caps, build errors, and the host refusing
 * a bad package before evaluating a byte.
 */
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LilyError } from '../../protocol/errors.ts';
import { fromBase64, generateSm2KeyPair, sm3, toBase64 } from '../../runtime/crypto/sm.ts';
import { HeadlessHost } from '../../runtime/headless/index.ts';
import { canonicalJson } from '../../runtime/package/canonical.ts';
import { computeDigests, decodeAssets, parsePackage, serializePackage, PACKAGE_FORMAT, type LilyPackage } from '../../runtime/package/format.ts';
import { pack, readPackageFile, writePackageFile } from '../../runtime/package/pack.ts';
import { signPackage, signRecord, verifyPackage, verifySignedRecord } from '../../runtime/package/sign.ts';
import { useLeakCheckedEngine } from './support/engine.ts';
import { packSources, TEST_BANK, writeSources } from './support/packages.ts';

const smCrypto = createRequire(import.meta.url)('sm-crypto') as {
  sm2: {
    doSignature(msg: string, key: string, o: { der: boolean; hash: boolean; userId: string }): string;
    doVerifySignature(msg: string, sig: string, key: string, o: { der: boolean; hash: boolean; userId: string }): boolean;
  };
};
const SM2_OPTIONS = { der: true, hash: true, userId: '1234567812345678' };

const engine = useLeakCheckedEngine();
let hello: LilyPackage;
let signed: LilyPackage;

beforeAll(async () => {
  hello = (await pack('sample-miniapps/hello')).pkg;
  signed = signPackage(hello, TEST_BANK.privateKey, 'test');
});

function expectError(fn: () => unknown, code: string, details?: Record<string, unknown>): LilyError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(LilyError);
  expect((caught as LilyError).code).toBe(code);
  if (details) expect((caught as LilyError).details).toMatchObject(details);
  return caught as LilyError;
}

describe('pack', () => {
  it('bundles app.json, the app and page sources (JSX included) and assets into one package', () => {
    expect(hello.format).toBe(PACKAGE_FORMAT);
    expect(hello.manifest.appId).toBe('com.lily.hello');
    expect(Object.keys(hello.assets)).toEqual(['assets/icon.png']);
    expect(hello.script).toContain('__lily.page("pages/about/about"');
    expect(hello.script).toContain('h("view", { id: "about" }');
    expect(hello.signature).toBeUndefined();
  });

  it('is deterministic, and the digest is SM3 over the documented canonical bytes', async () => {
    const again = (await pack('sample-miniapps/hello')).pkg;
    expect(again.digest).toBe(hello.digest);
    const assets = decodeAssets(hello.assets);
    const expected = sm3(
      canonicalJson({
        format: PACKAGE_FORMAT,
        manifest: sm3(canonicalJson(hello.manifest)),
        script: sm3(hello.script),
        assets: { 'assets/icon.png': sm3(assets.get('assets/icon.png')!) },
      }),
    );
    expect(hello.digest).toBe(expected);
    expect(computeDigests(hello.manifest, hello.script, assets).package).toBe(expected);
  });

  it('writes and reads package files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lily-pkg-'));
    try {
      const file = path.join(dir, 'hello.lilypkg');
      await writePackageFile(signed, file);
      const back = await readPackageFile(file);
      expect(back).toEqual(signed);
      expect(verifyPackage(back, TEST_BANK.publicKey).manifest.name).toBe('Hello Lily');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('explains each bad manifest field', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lily-bad-'));
    try {
      await writeSources(dir, { 'pages/index/index.js': '' }, { version: 'one', appId: 'Bad App', domains: ['https://x.com'], extra: 1 } as never);
      const err = await pack(dir).then(
        () => undefined,
        (e: unknown) => e as LilyError,
      );
      expect(err?.code).toBe('PACKAGE_INVALID');
      const fields = (err?.details?.errors as { field: string }[]).map((e) => e.field).sort();
      expect(fields).toEqual(['/appId', '/domains/0', '/extra', '/version']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['a syntax error', { 'pages/index/index.js': 'Page({ render() { return h("view" }' }, /index\.js:1/],
    ['a Node.js module', { 'pages/index/index.js': 'import fs from "fs"; Page({})' }, /Node\.js module/],
    ['a file outside the folder', { 'pages/index/index.js': 'import x from "../../../../../../etc/hosts"; Page({})' }, /outside the mini-app folder|Could not resolve/],
    ['a missing page source', { 'pages/other.js': '' }, /has no source file/],
  ])('refuses %s', async (_name, files, message) => {
    const err = await packSources(files as Record<string, string>).then(
      () => undefined,
      (e: unknown) => e as LilyError,
    );
    expect(err?.code).toBe('PACKAGE_INVALID');
    expect(err?.message).toMatch(message);
  });

  it('caps the script at 2 MiB', async () => {
    const big = `const blob = "${'a'.repeat(2 * 1024 * 1024)}"; Page({ render: () => h('text', null, blob.slice(0, 3)) });`;
    await expect(packSources({ 'pages/index/index.js': big })).rejects.toMatchObject({ code: 'PACKAGE_INVALID', details: { limit: 'script' } });
  });

  it('caps the package at 8 MiB', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lily-big-'));
    try {
      await writeSources(dir, { 'pages/index/index.js': `Page({ render: () => h('view') })` });
      await writeFile(path.join(dir, 'assets', 'video.bin'), new Uint8Array(9 * 1024 * 1024));
      await expect(pack(dir)).rejects.toMatchObject({ code: 'PACKAGE_INVALID', details: { limit: 'package' } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('signatures and tampering', () => {
  it('verifies a package signed by the bank', () => {
    const verified = verifyPackage(signed, TEST_BANK.publicKey);
    expect(verified.digests.package).toBe(hello.digest);
    expect(verifyPackage(signed, [generateSm2KeyPair().publicKey, TEST_BANK.publicKey]).verified).toBe(true);
  });

  const cases: [string, (p: LilyPackage) => LilyPackage, string][] = [
    ['unsigned', (p) => ({ ...p, signature: undefined }), 'unsigned'],
    ['script changed', (p) => ({ ...p, script: p.script.replace('Hello, Lily', 'Hacked') }), 'digest-mismatch'],
    ['capability added to the manifest', (p) => ({ ...p, manifest: { ...p.manifest, capabilities: [...p.manifest.capabilities, { id: 'payment.cashier', reason: 'More money.' }] } }), 'digest-mismatch'],
    ['asset swapped', (p) => ({ ...p, assets: { 'assets/icon.png': toBase64(new Uint8Array([1, 2, 3])) } }), 'digest-mismatch'],
    [
      'script changed and digest recomputed',
      (p) => {
        const script = p.script.replace('Hello, Lily', 'Hacked');
        return { ...p, script, digest: computeDigests(p.manifest, script, decodeAssets(p.assets)).package };
      },
      'bad-signature',
    ],
    ['signed by another key', (p) => signPackage({ ...p, signature: undefined }, generateSm2KeyPair().privateKey), 'bad-signature'],
    ['signature bit flipped', (p) => ({ ...p, signature: { ...p.signature!, value: p.signature!.value.slice(0, -2) + (p.signature!.value.endsWith('00') ? '01' : '00') } }), 'bad-signature'],
  ];

  it.each(cases)('refuses a package: %s', (_name, mutate, reason) => {
    expectError(() => verifyPackage(mutate(signed), TEST_BANK.publicKey), 'PACKAGE_TAMPERED', { reason });
  });

  it('the host refuses an altered package before evaluating a byte', async () => {
    const calls: unknown[] = [];
    const host = await HeadlessHost.create({ bankPublicKey: TEST_BANK.publicKey, engine: engine(), bridge: async (c) => (calls.push(c), { result: null }) });
    const evil = signed.script.replace('App({', 'lily.base.ui.showToast({ title: "pwned" }); App({');
    const altered = { ...signed, script: evil };
    await expect(host.open(altered)).rejects.toMatchObject({ code: 'PACKAGE_TAMPERED', details: { reason: 'digest-mismatch' } });
    await expect(host.open({ ...signed, signature: undefined })).rejects.toMatchObject({ code: 'PACKAGE_TAMPERED', details: { reason: 'unsigned' } });
    expect(engine().runtimes.size).toBe(0);
    expect(calls).toEqual([]);
  });

  it('rejects malformed envelopes as PACKAGE_INVALID', () => {
    expectError(() => parsePackage('not json'), 'PACKAGE_INVALID');
    expectError(() => parsePackage({ ...signed, format: 'zip' }), 'PACKAGE_INVALID', { field: '/format' });
    expectError(() => parsePackage({ ...signed, extra: true }), 'PACKAGE_INVALID', { field: '/extra' });
    expectError(() => verifyPackage({ ...signed, assets: { '../etc/passwd': 'AAAA' } }, TEST_BANK.publicKey), 'PACKAGE_INVALID');
    expect(parsePackage(serializePackage(signed))).toEqual(signed);
  });

  it('verifies release records the same way, interoperably with sm-crypto', () => {
    const verified = verifyPackage(signed, TEST_BANK.publicKey);
    const release = {
      type: 'lily.release',
      appId: verified.manifest.appId,
      version: verified.manifest.version,
      packageDigest: verified.digests.package,
      manifestDigest: verified.digests.manifest,
      grantedCapabilities: ['base.ui', 'base.navigate'],
    };
    const ours = signRecord(release, TEST_BANK.privateKey);
    expect(verifySignedRecord(release, ours, TEST_BANK.publicKey)).toBe(true);
    expect(verifySignedRecord({ ...release, grantedCapabilities: ['payment.cashier'] }, ours, TEST_BANK.publicKey)).toBe(false);
    expect(smCrypto.sm2.doVerifySignature(canonicalJson(release), ours, TEST_BANK.publicKey, SM2_OPTIONS)).toBe(true);
    const theirs = smCrypto.sm2.doSignature(canonicalJson(release), TEST_BANK.privateKey, SM2_OPTIONS);
    expect(verifySignedRecord(release, theirs, TEST_BANK.publicKey)).toBe(true);
    // Key order does not matter: the canonical JSON is what is signed.
    const reordered = Object.fromEntries(Object.entries(release).reverse());
    expect(verifySignedRecord(reordered, theirs, TEST_BANK.publicKey)).toBe(true);
  });

  it('package signatures verify with sm-crypto too', () => {
    const verified = verifyPackage(signed, TEST_BANK.publicKey);
    const record = { type: 'lily.package', appId: 'com.lily.hello', version: '1.0.0', packageDigest: verified.digests.package, manifestDigest: verified.digests.manifest };
    expect(smCrypto.sm2.doVerifySignature(canonicalJson(record), signed.signature!.value, TEST_BANK.publicKey, SM2_OPTIONS)).toBe(true);
    expect(fromBase64(signed.assets['assets/icon.png']!).length).toBeGreaterThan(0);
  });
});
