/**
 * Test helpers: a released, live app with chosen grants, made through the real services.
 */
import { sm3, utf8 } from '../../runtime/crypto/sm.ts';
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
): Promise<{ appId: string; manifest: ManifestFacts; packageDigest: string }> {
  const env = options.env ?? 'production';
  const manifest: ManifestFacts = {
    appId: options.appId,
    name: options.name ?? `Test ${options.appId}`,
    version: options.version ?? '1.0.0',
    category: 'travel',
    pages: ['pages/index'],
    capabilities: options.capabilities.map((id) => ({ id, reason: `The test needs ${id}.` })),
    domains: options.domains ?? [],
  };
  const bytes = utf8(JSON.stringify({ manifest, script: 'App({});' }));
  const packageDigest = sm3(bytes);
  try {
    await deps.apps.get(options.appId);
  } catch {
    await deps.apps.create({ merchantId: 'm-test', name: manifest.name, category: 'travel', appId: options.appId }, OPS);
  }
  await deps.apps.storePackage(packageDigest, bytes);
  const granted = options.granted ?? options.capabilities;
  await deps.apps.release(options.appId, env, { manifest, packageDigest, grantedCapabilities: granted }, OPS);
  for (const capability of granted) {
    await deps.grants.grant({ appId: options.appId, env, capability, quota: options.quota?.[capability] ?? null }, OPS);
  }
  return { appId: options.appId, manifest, packageDigest };
}
