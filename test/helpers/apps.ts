/**
 * Test helpers: a released, live app with chosen grants, made through the real services.
 */
import { utf8 } from '../../runtime/crypto/sm.ts';
import { createPackage, serializePackage } from '../../runtime/package/format.ts';
import type { Manifest } from '../../runtime/package/manifest.ts';
import type { AppDeps } from '../../server/app.ts';
import type { ManifestFacts } from '../../server/apps/apps.ts';
import type { Env } from '../../server/policies/gates.ts';

const OPS = { kind: 'ops' as const, id: 'ops-test' };

/** Creates, releases and grants an app. Returns its id and manifest. */
export async function createLiveApp(
  deps: Pick<AppDeps, 'apps' | 'grants'>,
  options: {
    appId: string;
    capabilities: string[];
    granted?: string[];
    domains?: string[];
    env?: Env;
    version?: string;
    name?: string;
    quota?: Record<string, { perMinute?: number; dailyAmount?: number }>;
  },
): Promise<{ appId: string; manifest: Manifest; packageDigest: string }> {
  const env = options.env ?? 'production';
  const manifest: Manifest = {
    appId: options.appId,
    name: options.name ?? `Test ${options.appId}`,
    version: options.version ?? '1.0.0',
    category: 'travel',
    icon: 'assets/icon.png',
    pages: ['pages/index'],
    capabilities: options.capabilities.map((id) => ({ id, reason: `The test needs ${id}.` })),
    domains: options.domains ?? [],
    minHostVersion: '1.0.0',
  };
  const script = "Page({ data: { n: 0 }, render(d) { return h('view', null, h('text', null, 'n=' + d.n)); } });";
  const pkg = createPackage(manifest, script, new Map([['assets/icon.png', utf8('icon')]]));
  const bytes = utf8(serializePackage(pkg));
  try {
    await deps.apps.get(options.appId);
  } catch {
    await deps.apps.create({ merchantId: 'm-test', name: manifest.name, category: 'travel', appId: options.appId }, OPS);
  }
  const packageDigest = await deps.apps.storePackage(bytes);
  const granted = options.granted ?? options.capabilities;
  await deps.apps.release(options.appId, env, { manifest: manifest as unknown as ManifestFacts, packageDigest, grantedCapabilities: granted }, OPS);
  for (const capability of granted) {
    await deps.grants.grant({ appId: options.appId, env, capability, quota: options.quota?.[capability] ?? null }, OPS);
  }
  return { appId: options.appId, manifest, packageDigest };
}
