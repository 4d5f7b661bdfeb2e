/**
 * Launch-time verification of what the server hands the host: the bank-signed package and the
 * bank-signed release record that binds `{appId, env, version, package digest, manifest digest,
 * granted capabilities}`. Nothing runs unless both verify and agree, so neither a package nor its
 * grants can be altered or swapped between the bank and the device. Platform-neutral.
 */
import { LilyError } from '../../protocol/errors.ts';
import { verifyPackage, verifySignedRecord, type VerifiedPackage } from './sign.ts';

/** The release record the bank signs at release time. */
export interface ReleaseRecord {
  appId: string;
  env: 'sandbox' | 'production';
  version: string;
  packageDigest: string;
  manifestDigest: string;
  grantedCapabilities: string[];
  issuedAt: string;
  bankKeySerial: string;
}

/** A package and release record that verified together. */
export interface VerifiedLaunch {
  verified: VerifiedPackage;
  record: ReleaseRecord;
}

/**
 * Verifies a launch before anything runs: the package's digests and bank signature, the release
 * record's bank signature, and that the record names exactly this package, manifest, app and
 * version. Throws `PACKAGE_TAMPERED` (details.reason) otherwise.
 *
 * @example
 * ```ts
 * const { verified, record } = verifyLaunch(JSON.parse(packageText), launch.release, bankPublicKey);
 * ```
 */
export function verifyLaunch(
  pkg: unknown,
  release: { record: ReleaseRecord; signature: string },
  bankPublicKey: string | readonly string[],
): VerifiedLaunch {
  const verified = verifyPackage(pkg, bankPublicKey);
  const { record, signature } = release;
  if (!record || typeof signature !== 'string' || !verifySignedRecord(record, signature, bankPublicKey)) {
    throw new LilyError('PACKAGE_TAMPERED', 'The release record is not signed by the bank; the mini-app was not run.', { reason: 'bad-release-signature' });
  }
  const mismatch =
    record.packageDigest !== verified.digests.package
      ? 'package'
      : record.manifestDigest !== verified.digests.manifest
        ? 'manifest'
        : record.appId !== verified.manifest.appId
          ? 'appId'
          : record.version !== verified.manifest.version
            ? 'version'
            : undefined;
  if (mismatch) {
    throw new LilyError('PACKAGE_TAMPERED', `The release record does not match the package (${mismatch}); the mini-app was not run.`, {
      reason: `release-${mismatch}-mismatch`,
    });
  }
  return { verified, record };
}
