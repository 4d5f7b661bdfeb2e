/**
 * The automated review report stored with every version, and the pure parts of building it: the
 * capability diff against the live version and the static scan of a bundle for capability use.
 */
import type { Registry } from '../../capabilities/registry.ts';
import type { ManifestFacts } from '../apps/apps.ts';

/** One check of the automated review. */
export interface ReviewCheck {
  id: 'manifest' | 'size' | 'declared' | 'smoke' | 'domains';
  ok: boolean;
  /** What was found, for the reviewer. */
  message: string;
  /** `error` fails the review; `warning` is shown to the reviewer but does not fail it. */
  severity: 'error' | 'warning';
}

/** What changed against the live production version. */
export interface CapabilityDiff {
  /** The live version compared against, or null for a first version. */
  base: string | null;
  addedCapabilities: string[];
  removedCapabilities: string[];
  addedDomains: string[];
  removedDomains: string[];
  /** Consent scopes the new capabilities bring (users will be asked for them). */
  addedScopes: string[];
}

/** The automated review of one version. */
export interface ReviewReport {
  passed: boolean;
  checkedAt: string;
  checks: ReviewCheck[];
  size: { packageBytes: number; scriptBytes: number };
  declared: string[];
  /** Capabilities the bundle refers to (static scan) and actually called in the dry run. */
  used: { scanned: string[]; called: string[] };
  /** Used but not declared: the package will be refused at run time when it calls them. */
  undeclared: string[];
  /** Declared but never seen used (worth a question from the reviewer). */
  unused: string[];
  diff: CapabilityDiff;
  smoke: { ok: boolean; ms: number; pagesRendered: number; nodes: number; error: { code: string; message: string } | null };
}

/** The consent scopes a set of capabilities needs, per the registry. */
export function scopesOf(registry: Registry, capabilityIds: readonly string[]): string[] {
  const scopes = new Set<string>();
  for (const id of capabilityIds) {
    const def = registry.get(id);
    if (!def) continue;
    if (def.scope) scopes.add(def.scope.id);
    for (const m of Object.values(def.methods)) if (m.scope) scopes.add(m.scope.id);
  }
  return [...scopes].sort();
}

/**
 * The capability diff of a new manifest against the live one.
 *
 * @example
 * ```ts
 * capabilityDiff(registry, live, next).addedCapabilities; // ['payment.deposit']
 * ```
 */
export function capabilityDiff(registry: Registry, live: ManifestFacts | null, next: ManifestFacts): CapabilityDiff {
  const before = new Set(live?.capabilities.map((c) => c.id) ?? []);
  const after = new Set(next.capabilities.map((c) => c.id));
  const domainsBefore = new Set(live?.domains ?? []);
  const domainsAfter = new Set(next.domains);
  const added = [...after].filter((id) => !before.has(id)).sort();
  const scopesBefore = new Set(scopesOf(registry, [...before]));
  return {
    base: live?.version ?? null,
    addedCapabilities: added,
    removedCapabilities: [...before].filter((id) => !after.has(id)).sort(),
    addedDomains: [...domainsAfter].filter((d) => !domainsBefore.has(d)).sort(),
    removedDomains: [...domainsBefore].filter((d) => !domainsAfter.has(d)).sort(),
    addedScopes: scopesOf(registry, [...after]).filter((s) => !scopesBefore.has(s)),
  };
}

/**
 * Capabilities a bundle refers to, found by scanning its text for `lily.<category>.<name>` and
 * for flat aliases (`lily.<method>(`) that the registry knows. A scan cannot see every dynamic
 * access (`lily[x]`), which is why the review also counts what the dry run actually called.
 */
export function scanCapabilities(registry: Registry, script: string): string[] {
  const found = new Set<string>();
  for (const m of script.matchAll(/\blily\s*\.\s*(payment|member|marketing|base)\s*\.\s*([A-Za-z][A-Za-z0-9]*)/g)) {
    const id = `${m[1]}.${m[2]}`;
    if (registry.get(id)) found.add(id);
  }
  for (const m of script.matchAll(/\blily\s*\.\s*([a-z][A-Za-z0-9]*)\s*\(/g)) {
    const alias = registry.resolveAlias(m[1]!);
    if (alias) found.add(alias.id);
  }
  return [...found].sort();
}
