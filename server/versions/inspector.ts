/**
 * The package inspector backed by the runtime: opens uploaded package bytes (envelope, digests,
 * manifest, size caps) and builds the automated review report (static scan, smoke launch in the
 * headless host, capability diff against the live version).
 */
import type { Registry } from '../../capabilities/registry.ts';
import { LilyError } from '../../protocol/errors.ts';
import { fromUtf8 } from '../../runtime/crypto/sm.ts';
import { checkSizes, computeDigests, decodeAssets, measurePackage, parsePackage, type LilyPackage } from '../../runtime/package/format.ts';
import { validateManifest } from '../../runtime/package/manifest.ts';
import type { ManifestFacts } from '../apps/apps.ts';
import { capabilityDiff, scanCapabilities, type ReviewCheck, type ReviewReport } from './review.ts';
import type { InspectedPackage, PackageInspector } from './versions.ts';

/** The outcome of a smoke launch of a package in the headless host. */
export interface SmokeResult {
  ok: boolean;
  ms: number;
  pagesRendered: number;
  nodes: number;
  /** Capabilities the guest called during the dry run. */
  called: string[];
  error: { code: string; message: string } | null;
}

/** Runs a package briefly in the headless host with limits. */
export type SmokeRunner = (pkg: LilyPackage) => Promise<SmokeResult>;

/** Parses package bytes into a package whose digest matches its content; throws otherwise. */
export function openPackage(bytes: Uint8Array): { pkg: LilyPackage; inspected: InspectedPackage; scriptBytes: number } {
  const pkg = parsePackage(fromUtf8(bytes));
  const manifest = validateManifest(pkg.manifest);
  const assets = decodeAssets(pkg.assets);
  const digests = computeDigests(manifest, pkg.script, assets);
  if (digests.package !== pkg.digest) {
    throw new LilyError('PACKAGE_TAMPERED', 'The package does not match its digest; pack it again with `lily pack`.', { reason: 'digest-mismatch' });
  }
  const sizes = measurePackage(manifest, pkg.script, assets);
  checkSizes(sizes);
  return {
    pkg,
    inspected: { digest: pkg.digest, manifest: manifest as unknown as ManifestFacts, size: bytes.length },
    scriptBytes: new TextEncoder().encode(pkg.script).length,
  };
}

/**
 * Builds the runtime-backed inspector.
 *
 * @example
 * ```ts
 * const inspector = createInspector({ registry, smoke: headlessSmoke(engine) });
 * const report = await inspector.review(bytes, await inspector.open(bytes), liveManifest);
 * ```
 */
export function createInspector(deps: { registry: Registry; smoke: SmokeRunner; now?: () => number }): PackageInspector {
  return {
    async open(bytes) {
      return openPackage(bytes).inspected;
    },

    async review(bytes, inspected, live): Promise<ReviewReport> {
      const { pkg, scriptBytes } = openPackage(bytes);
      const manifest = inspected.manifest;
      const declared = manifest.capabilities.map((c) => c.id).sort();
      const unknown = declared.filter((id) => !deps.registry.get(id));
      const scanned = scanCapabilities(deps.registry, pkg.script);
      const smoke = await deps.smoke(pkg);
      const used = [...new Set([...scanned, ...smoke.called])].sort();
      const undeclared = used.filter((id) => !declared.includes(id));
      const unused = declared.filter((id) => !used.includes(id));
      const checks: ReviewCheck[] = [
        {
          id: 'manifest',
          ok: unknown.length === 0,
          severity: 'error',
          message: unknown.length === 0 ? 'The manifest is valid and names only known capabilities.' : `Unknown capabilities: ${unknown.join(', ')}.`,
        },
        {
          id: 'size',
          ok: true,
          severity: 'error',
          message: `Package ${inspected.size} bytes, script ${scriptBytes} bytes (limits 8 MiB and 2 MiB).`,
        },
        {
          id: 'declared',
          ok: undeclared.length === 0,
          severity: 'error',
          message:
            undeclared.length === 0
              ? `Every capability the code uses is declared${unused.length ? `; declared but not seen used: ${unused.join(', ')}` : ''}.`
              : `Used but not declared: ${undeclared.join(', ')}.`,
        },
        {
          id: 'domains',
          ok: true,
          severity: 'warning',
          message: manifest.domains.length ? `Requests allowed to: ${manifest.domains.join(', ')}.` : 'No network domains.',
        },
        {
          id: 'smoke',
          ok: smoke.ok,
          severity: 'error',
          message: smoke.ok
            ? `Launched and rendered ${smoke.pagesRendered} page(s), ${smoke.nodes} nodes, in ${smoke.ms} ms.`
            : `The smoke launch failed: ${smoke.error?.code ?? 'ERROR'} ${smoke.error?.message ?? ''}`.trim(),
        },
      ];
      return {
        passed: checks.every((c) => c.ok || c.severity === 'warning'),
        checkedAt: new Date((deps.now ?? Date.now)()).toISOString(),
        checks,
        size: { packageBytes: inspected.size, scriptBytes },
        declared,
        used: { scanned, called: smoke.called },
        undeclared,
        unused,
        diff: capabilityDiff(deps.registry, live, manifest),
        smoke: { ok: smoke.ok, ms: smoke.ms, pagesRendered: smoke.pagesRendered, nodes: smoke.nodes, error: smoke.error },
      };
    },
  };
}
