/**
 * The Lily package: one JSON document holding a mini-app's manifest, its bundled script and its
 * assets, with an SM3 digest over well-defined canonical bytes. Platform-neutral.
 *
 * Digests (all SM3, lower-case hex):
 * - `manifest` = SM3(UTF-8(JCS(manifest)))
 * - `script`   = SM3(UTF-8(script))
 * - `assets[p]` = SM3(bytes of asset p)
 * - package digest = SM3(UTF-8(JCS({format, manifest: manifestDigest, script: scriptDigest, assets: {p: digest}})))
 *
 * JCS is RFC 8785 canonical JSON ({@link canonicalJson}).
 */
import { LilyError } from '../../protocol/errors.ts';
import { fromBase64, sm3, toBase64 } from '../crypto/sm.ts';
import { utf8Length } from '../limits.ts';
import { canonicalJson } from './canonical.ts';
import { ASSET_PATH_PATTERN, type Manifest } from './manifest.ts';

/** The format tag of this version of the package layout. */
export const PACKAGE_FORMAT = 'lily-package/1';

/** Largest bundled script: 2 MiB of UTF-8. */
export const MAX_SCRIPT_BYTES = 2 * 1024 * 1024;
/** Largest package content (script + assets + manifest, decoded): 8 MiB. */
export const MAX_PACKAGE_BYTES = 8 * 1024 * 1024;
/** Largest package file (the JSON text, assets in base64) a reader accepts. */
export const MAX_PACKAGE_FILE_BYTES = 12 * 1024 * 1024;
/** Most assets in one package. */
export const MAX_ASSETS = 256;

/** The bank's signature over a package's record (see `signPackage`). */
export interface PackageSignature {
  /** SM2 with SM3 and user id 1234567812345678, DER-encoded. */
  algorithm: 'SM2-SM3';
  /** Which bank key signed it (informational; verification tries the keys it is given). */
  keyId: string;
  /** DER signature, hex. */
  value: string;
}

/** A package as stored and shipped (the JSON of a `.lilypkg` file). */
export interface LilyPackage {
  format: typeof PACKAGE_FORMAT;
  manifest: Manifest;
  /** The bundled script: an esbuild IIFE run as the body of `function (__lily) { … }`. */
  script: string;
  /** Asset path (`assets/…`) → standard base64 of its bytes. */
  assets: Record<string, string>;
  /** The package digest (SM3 hex). */
  digest: string;
  /** The bank's signature; absent until the package is published. */
  signature?: PackageSignature;
}

/** All digests of a package, recomputed from its contents. */
export interface PackageDigests {
  package: string;
  manifest: string;
  script: string;
  assets: Record<string, string>;
}

/** Sizes of a package's parts, in bytes. */
export interface PackageSizes {
  scriptBytes: number;
  assetBytes: number;
  manifestBytes: number;
  totalBytes: number;
}

function invalid(message: string, details?: Record<string, unknown>): LilyError {
  return new LilyError('PACKAGE_INVALID', message, details);
}

const assetPathRe = new RegExp(ASSET_PATH_PATTERN);

/** Decodes every asset; throws `PACKAGE_INVALID` for a bad path or bad base64. */
export function decodeAssets(assets: Record<string, string>): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const paths = Object.keys(assets);
  if (paths.length > MAX_ASSETS) throw invalid(`A package holds at most ${MAX_ASSETS} assets.`, { limit: 'assets', count: paths.length });
  for (const path of paths) {
    if (!assetPathRe.test(path)) throw invalid(`Asset path "${path.slice(0, 80)}" is not allowed.`, { field: `/assets/${path}` });
    const b64 = assets[path];
    if (typeof b64 !== 'string') throw invalid(`Asset "${path}" is not base64 text.`, { field: `/assets/${path}` });
    try {
      out.set(path, fromBase64(b64));
    } catch {
      throw invalid(`Asset "${path}" is not valid base64.`, { field: `/assets/${path}` });
    }
  }
  return out;
}

/** Computes every digest of a package from its manifest, script and decoded assets. */
export function computeDigests(manifest: Manifest, script: string, assets: ReadonlyMap<string, Uint8Array>): PackageDigests {
  const manifestDigest = sm3(canonicalJson(manifest));
  const scriptDigest = sm3(script);
  const assetDigests: Record<string, string> = {};
  for (const [path, bytes] of assets) assetDigests[path] = sm3(bytes);
  const packageDigest = sm3(
    canonicalJson({ format: PACKAGE_FORMAT, manifest: manifestDigest, script: scriptDigest, assets: assetDigests }),
  );
  return { package: packageDigest, manifest: manifestDigest, script: scriptDigest, assets: assetDigests };
}

/** Sizes of a package's parts. */
export function measurePackage(manifest: Manifest, script: string, assets: ReadonlyMap<string, Uint8Array>): PackageSizes {
  const scriptBytes = utf8Length(script);
  let assetBytes = 0;
  for (const bytes of assets.values()) assetBytes += bytes.length;
  const manifestBytes = utf8Length(canonicalJson(manifest));
  return { scriptBytes, assetBytes, manifestBytes, totalBytes: scriptBytes + assetBytes + manifestBytes };
}

/** Throws `PACKAGE_INVALID` with `details.limit` when a size cap is exceeded. */
export function checkSizes(sizes: PackageSizes): void {
  if (sizes.scriptBytes > MAX_SCRIPT_BYTES) {
    throw invalid(`The bundled script is ${sizes.scriptBytes} bytes; the limit is ${MAX_SCRIPT_BYTES} (2 MiB).`, {
      limit: 'script',
      bytes: sizes.scriptBytes,
      max: MAX_SCRIPT_BYTES,
    });
  }
  if (sizes.totalBytes > MAX_PACKAGE_BYTES) {
    throw invalid(`The package is ${sizes.totalBytes} bytes; the limit is ${MAX_PACKAGE_BYTES} (8 MiB).`, {
      limit: 'package',
      bytes: sizes.totalBytes,
      max: MAX_PACKAGE_BYTES,
    });
  }
}

/**
 * Builds an unsigned package from its parts, checking the size caps.
 *
 * @example
 * ```ts
 * const pkg = createPackage(manifest, script, new Map([['assets/icon.png', pngBytes]]));
 * ```
 */
export function createPackage(manifest: Manifest, script: string, assets: ReadonlyMap<string, Uint8Array>): LilyPackage {
  checkSizes(measurePackage(manifest, script, assets));
  const encoded: Record<string, string> = {};
  for (const path of [...assets.keys()].sort()) encoded[path] = toBase64(assets.get(path)!);
  const digests = computeDigests(manifest, script, assets);
  return { format: PACKAGE_FORMAT, manifest, script, assets: encoded, digest: digests.package };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks the envelope of a package (from a file's text or already parsed) and returns it typed.
 * It does not verify digests or signatures: that is `verifyPackage`. Throws `PACKAGE_INVALID`.
 */
export function parsePackage(input: unknown): LilyPackage {
  let data = input;
  if (typeof input === 'string') {
    if (input.length > MAX_PACKAGE_FILE_BYTES) throw invalid('The package file is too large.', { limit: 'file' });
    try {
      data = JSON.parse(input) as unknown;
    } catch {
      throw invalid('The package file is not valid JSON.');
    }
  }
  if (!isRecord(data)) throw invalid('A package is a JSON object.');
  if (data.format !== PACKAGE_FORMAT) throw invalid(`Unknown package format; expected "${PACKAGE_FORMAT}".`, { field: '/format' });
  if (!isRecord(data.manifest)) throw invalid('The package has no manifest object.', { field: '/manifest' });
  if (typeof data.script !== 'string' || data.script.length === 0) throw invalid('The package has no script.', { field: '/script' });
  if (data.script.length > MAX_SCRIPT_BYTES) throw invalid('The bundled script is larger than 2 MiB.', { limit: 'script' });
  if (!isRecord(data.assets)) throw invalid('The package has no assets object.', { field: '/assets' });
  if (typeof data.digest !== 'string' || !/^[0-9a-f]{64}$/.test(data.digest)) throw invalid('The package digest is missing or malformed.', { field: '/digest' });
  const sig = data.signature;
  if (sig !== undefined) {
    if (!isRecord(sig) || sig.algorithm !== 'SM2-SM3' || typeof sig.keyId !== 'string' || typeof sig.value !== 'string' || !/^[0-9a-f]{16,200}$/i.test(sig.value)) {
      throw invalid('The package signature is malformed.', { field: '/signature' });
    }
  }
  const extra = Object.keys(data).filter((k) => !['format', 'manifest', 'script', 'assets', 'digest', 'signature'].includes(k));
  if (extra.length > 0) throw invalid(`Unknown package field "${extra[0]}".`, { field: `/${extra[0]}` });
  return data as unknown as LilyPackage;
}

/** The package file text: the package as JSON, keys in a stable order. */
export function serializePackage(pkg: LilyPackage): string {
  const ordered: Record<string, unknown> = {
    format: pkg.format,
    digest: pkg.digest,
    ...(pkg.signature ? { signature: pkg.signature } : {}),
    manifest: pkg.manifest,
    assets: pkg.assets,
    script: pkg.script,
  };
  return JSON.stringify(ordered);
}
