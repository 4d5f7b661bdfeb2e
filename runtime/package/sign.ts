/**
 * Signing and verifying packages and other bank-signed records with SM2 (SM3 with Z, user id
 * 1234567812345678, DER signatures: sm-crypto compatible). Platform-neutral.
 *
 * Every signature covers the canonical JSON (RFC 8785) of a small record, never a file's raw
 * bytes, so the same {@link verifySignedRecord} checks a package's record today and a release
 * record (`{type: 'lily.release', appId, version, packageDigest, manifestDigest,
 * grantedCapabilities}`) later.
 */
import { LilyError } from '../../protocol/errors.ts';
import { sm2Sign, sm2Verify } from '../crypto/sm.ts';
import { canonicalJson } from './canonical.ts';
import { checkSizes, computeDigests, decodeAssets, measurePackage, parsePackage, type LilyPackage, type PackageDigests } from './format.ts';
import { validateManifest, type Manifest } from './manifest.ts';

/** What the bank signs for a package. */
export interface PackageRecord {
  type: 'lily.package';
  appId: string;
  version: string;
  packageDigest: string;
  manifestDigest: string;
}

const verifiedPackages = new WeakSet<object>();

/** True when `value` is a {@link VerifiedPackage} made by {@link verifyPackage} in this realm. */
export function isVerifiedPackage(value: unknown): value is VerifiedPackage {
  return typeof value === 'object' && value !== null && verifiedPackages.has(value);
}

/** A package whose digest and bank signature verified; only these can be run. */
export interface VerifiedPackage {
  readonly pkg: LilyPackage;
  readonly manifest: Manifest;
  readonly digests: PackageDigests;
  /** Decoded assets by path. */
  readonly assets: ReadonlyMap<string, Uint8Array>;
  /** Brand: only {@link verifyPackage} makes one. */
  readonly verified: true;
}

/**
 * Signs the canonical JSON of `record` and returns the DER signature as hex.
 *
 * @example
 * ```ts
 * const signature = signRecord({ type: 'lily.release', appId, version, packageDigest, manifestDigest, grantedCapabilities }, bankKey);
 * ```
 */
export function signRecord(record: object, privateKey: string, publicKey?: string): string {
  return sm2Sign(canonicalJson(record), privateKey, publicKey);
}

/**
 * True when `signature` is an SM2 signature over the canonical JSON of `record` by one of the
 * bank's public keys. Never throws.
 *
 * @example
 * ```ts
 * if (!verifySignedRecord(release, release_signature, bankPublicKeys)) throw new LilyError('PACKAGE_TAMPERED');
 * ```
 */
export function verifySignedRecord(record: object, signature: string, bankPublicKey: string | readonly string[]): boolean {
  let message: string;
  try {
    message = canonicalJson(record);
  } catch {
    return false;
  }
  const keys = typeof bankPublicKey === 'string' ? [bankPublicKey] : bankPublicKey;
  return keys.some((key) => sm2Verify(message, signature, key));
}

/** The record a package's signature covers. */
export function packageRecord(manifest: Manifest, digests: PackageDigests): PackageRecord {
  return {
    type: 'lily.package',
    appId: manifest.appId,
    version: manifest.version,
    packageDigest: digests.package,
    manifestDigest: digests.manifest,
  };
}

/**
 * Returns a copy of `pkg` signed with the bank's private key. Recomputes the digests first, so a
 * package altered after packing is never signed.
 *
 * @example
 * ```ts
 * const published = signPackage(pkg, bank.privateKey, 'bank-2025-01');
 * ```
 */
export function signPackage(pkg: LilyPackage, privateKey: string, keyId = 'bank', publicKey?: string): LilyPackage {
  const parsed = parsePackage(pkg);
  const manifest = validateManifest(parsed.manifest);
  const assets = decodeAssets(parsed.assets);
  const digests = computeDigests(manifest, parsed.script, assets);
  if (digests.package !== parsed.digest) {
    throw new LilyError('PACKAGE_TAMPERED', 'The package does not match its digest; pack it again.', { reason: 'digest-mismatch' });
  }
  const value = signRecord(packageRecord(manifest, digests), privateKey, publicKey);
  return { ...parsed, signature: { algorithm: 'SM2-SM3', keyId, value } };
}

function tampered(reason: string, message: string): LilyError {
  return new LilyError('PACKAGE_TAMPERED', message, { reason });
}

/**
 * Verifies a package before anything in it runs: envelope, size caps, digest of every part,
 * the bank's signature, then the manifest. Throws `PACKAGE_TAMPERED` (`details.reason`:
 * `unsigned`, `digest-mismatch`, `bad-signature`) or `PACKAGE_INVALID`.
 *
 * @example
 * ```ts
 * const verified = verifyPackage(JSON.parse(fileText), BANK_PUBLIC_KEYS);
 * ```
 */
export function verifyPackage(input: unknown, bankPublicKey: string | readonly string[]): VerifiedPackage {
  const pkg = parsePackage(input);
  if (pkg.signature === undefined) throw tampered('unsigned', 'The package is not signed by the bank and was not run.');
  const assets = decodeAssets(pkg.assets);
  const manifestLike = pkg.manifest;
  let digests: PackageDigests;
  try {
    digests = computeDigests(manifestLike, pkg.script, assets);
  } catch {
    throw new LilyError('PACKAGE_INVALID', 'The manifest cannot be encoded as canonical JSON.', { field: '/manifest' });
  }
  if (digests.package !== pkg.digest) throw tampered('digest-mismatch', 'The package does not match its digest and was not run.');
  const record = {
    type: 'lily.package',
    appId: manifestLike.appId,
    version: manifestLike.version,
    packageDigest: digests.package,
    manifestDigest: digests.manifest,
  };
  if (!verifySignedRecord(record, pkg.signature.value, bankPublicKey)) {
    throw tampered('bad-signature', 'The bank signature of the package does not verify; it was not run.');
  }
  const manifest = validateManifest(pkg.manifest);
  checkSizes(measurePackage(manifest, pkg.script, assets));
  if (!assets.has(manifest.icon)) {
    throw new LilyError('PACKAGE_INVALID', `The icon ${manifest.icon} is not in the package.`, {
      errors: [{ field: '/icon', message: 'must name an asset in the package' }],
    });
  }
  const verified: VerifiedPackage = Object.freeze({ pkg, manifest, digests, assets, verified: true as const });
  verifiedPackages.add(verified);
  return verified;
}
