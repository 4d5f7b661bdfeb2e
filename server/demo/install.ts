/**
 * Installs the sample mini-apps for the local demo, through the same services merchants and ops
 * use: a merchant account with an admitted business, the app, its capabilities granted in both
 * environments, the package packed from `sample-miniapps/<name>/`, uploaded (automated review),
 * approved and released; Open API credentials kept under `<dataDir>/demo/`; and the sample's
 * merchant back end started in this process on its own port, with the app's webhooks pointed at
 * it. Idempotent: a restart reuses what exists and only uploads a new version when the package
 * changed.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { LilyError } from '../../protocol/errors.ts';
import { utf8 } from '../../runtime/crypto/sm.ts';
import { serializePackage } from '../../runtime/package/format.ts';
import { pack } from '../../runtime/package/pack.ts';
import type { RideCredentials } from '../../sample-miniapps/ride/server/backend.ts';
import type { AppDeps } from '../app.ts';
import type { AuditActor } from '../audit/audit.ts';
import type { Env } from '../policies/gates.ts';
import { DEMO_SAMPLES, type DemoSample, type SampleBackend } from './samples.ts';

/** Where the sample folders are. */
const SAMPLES_DIR = path.resolve(import.meta.dirname, '../../sample-miniapps');
const OPS: AuditActor = { kind: 'ops', id: 'demo-installer' };
const ENVS: readonly Env[] = ['sandbox', 'production'];
/** Bank-app users who may open the sandbox trials (the seeded demo users). */
const TESTERS = ['alice', 'bob'];

/** Options of {@link installSamples}. */
export interface InstallSamplesOptions {
  /** The server's data dir; credentials go to `<dataDir>/demo/<appId>.json` (mode 0600). */
  dataDir: string;
  /** Interface the back ends listen on. */
  host: '127.0.0.1';
  /** Back end ports are `basePort + n` (ride: +1). 0 picks free ports (tests). Default 4100. */
  basePort?: number;
  /** Which samples (folder names); default all known ones. */
  samples?: string[];
  /** Where the back ends reach the Open API; default `config.publicUrl`. */
  lilyUrl?: string;
}

/** One installed sample. */
export interface InstalledSample {
  name: string;
  appId: string;
  /** The version live in both environments. */
  version: string;
  /** The merchant login that owns it. */
  merchant: string;
  /** The back end's base URL as the mini-app calls it (`http://localhost:<port>`). */
  backendUrl: string;
  /** Where the bank delivers its webhooks. */
  webhookUrl: string;
  /** The running back end (its state is inspectable). */
  backend: SampleBackend;
}

/** What {@link installSamples} answers. */
export interface InstalledSamples {
  samples: InstalledSample[];
  /** Stops the back ends. */
  close(): Promise<void>;
}

type StoredCredentials = { appId: string } & Partial<Record<Env, { serialNo: string; privateKey: string }>>;

/**
 * Installs (or finds installed) the sample mini-apps and starts their back ends.
 *
 * @example
 * ```ts
 * const demo = await installSamples(booted.deps, { dataDir: config.dataDir, host: '127.0.0.1' });
 * process.stdout.write(describeSamples(demo) + '\n');
 * // on shutdown:
 * await demo.close();
 * ```
 */
export async function installSamples(deps: AppDeps, options: InstallSamplesOptions): Promise<InstalledSamples> {
  const names = options.samples ?? Object.keys(DEMO_SAMPLES);
  const basePort = options.basePort ?? 4100;
  const lilyUrl = (options.lilyUrl ?? deps.config.publicUrl).replace(/\/+$/, '');
  const installed: InstalledSample[] = [];
  const close = async () => {
    for (const s of installed.splice(0)) await s.backend.close().catch(() => undefined);
  };
  try {
    for (const name of names) {
      const sample = DEMO_SAMPLES[name];
      if (!sample) throw new LilyError('NOT_FOUND', `No demo sample ${name}; known: ${Object.keys(DEMO_SAMPLES).join(', ')}.`);
      installed.push(await installOne(deps, sample, { ...options, lilyUrl, port: basePort === 0 ? 0 : basePort + sample.portOffset }));
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { samples: installed, close };
}

/**
 * The lines the server prints at start about the samples.
 *
 * @example
 * ```ts
 * describeSamples(demo);
 * // 'Sample mini-apps:\n  com.lily.ride 1.0.0  back end http://localhost:4101  merchant login ride-merchant / ride-merchant-demo'
 * ```
 */
export function describeSamples(demo: Pick<InstalledSamples, 'samples'>): string {
  const rows = demo.samples.map((s) => {
    const password = DEMO_SAMPLES[s.name]?.merchant.password;
    return `  ${s.appId.padEnd(16)} ${s.version.padEnd(7)} back end ${s.backendUrl}  merchant login ${s.merchant}${password ? ` / ${password}` : ''}`;
  });
  return ['Sample mini-apps (live in production; sandbox trials for alice and bob):', ...rows].join('\n');
}

async function installOne(
  deps: AppDeps,
  sample: DemoSample,
  options: InstallSamplesOptions & { lilyUrl: string; port: number },
): Promise<InstalledSample> {
  const folder = path.join(SAMPLES_DIR, sample.name);
  const manifest = JSON.parse(readFileSync(path.join(folder, 'app.json'), 'utf8')) as {
    appId: string;
    name: string;
    version: string;
    category: string;
    description?: string;
    capabilities: { id: string; reason: string }[];
  };
  const appId = manifest.appId;

  // 1. The merchant account and its admitted business.
  const account = await ensureAccount(deps, sample);
  const merchantActor: AuditActor = { kind: 'merchant', id: account };
  let merchant = await deps.merchants.forAccount(account);
  if (!merchant || merchant.status === 'rejected') merchant = await deps.merchants.register(account, sample.merchant);
  if (merchant.status === 'pending') merchant = await deps.merchants.decide(merchant._id, { admit: true, reason: 'demo merchant' }, OPS);

  // 2. The app, and its capabilities granted in both worlds.
  const existing = await deps.apps.get(appId).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'NOT_FOUND') return null;
    throw err;
  });
  if (!existing) {
    await deps.apps.create(
      { appId, merchantId: merchant._id, name: manifest.name, category: manifest.category, ...(manifest.description ? { description: manifest.description } : {}) },
      merchantActor,
    );
  } else if (existing.merchantId !== merchant._id) {
    throw new LilyError('CONFLICT', `App ${appId} belongs to another merchant; the demo will not take it over.`);
  }
  for (const env of ENVS) {
    for (const { id } of manifest.capabilities) {
      const quota = sample.quotas[id] ?? null;
      const facts = await deps.grants.facts(appId, env, id);
      if (facts?.status === 'granted' && JSON.stringify(facts.quota) === JSON.stringify(quota)) continue;
      await deps.grants.grant({ appId, env, capability: id, quota, reason: 'demo sample' }, OPS);
    }
    await deps.members.points.setBudget(deps.store, env, appId, sample.pointsBudget);
  }
  // Its message templates, approved as ops would approve them.
  for (const t of sample.messageTemplates ?? []) await deps.marketing.messages.registerTemplate(deps.store, { appId, ...t, approved: true });

  // 3. Credentials (private keys kept on disk, generated once) and the back end.
  const credentials = await ensureCredentials(deps, appId, path.join(options.dataDir, 'demo'));
  const backend = sample.startBackend({
    lilyUrl: options.lilyUrl,
    bankPublicKey: deps.bankKeys.publicKey,
    credentials,
    log: (message, data) => deps.log.info({ sample: sample.name, ...data }, message),
  });
  let listenUrl: string;
  try {
    listenUrl = await backend.listen(options.port, options.host);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new LilyError('UNAVAILABLE', `Port ${options.port} for the ${sample.name} sample back end is in use; start with another demo base port.`);
    throw err;
  }
  try {
    const port = new URL(listenUrl).port;
    const backendUrl = `http://localhost:${port}`;
    const webhookUrl = `http://${options.host}:${port}/lily/webhook`;

    // 4. The package for this back end URL: uploaded, reviewed, approved, released.
    const version = await publishPackage(deps, folder, appId, manifest.version, backendUrl, merchantActor);
    const app = await deps.apps.get(appId);
    if (app.webhookUrl !== webhookUrl) await deps.apps.setWebhookUrl(appId, webhookUrl, merchantActor);
    const testers = new Set(app.testers ?? []);
    for (const username of TESTERS) {
      const user = await deps.identity.findAccount('user', username);
      if (user) testers.add(user._id);
    }
    if (testers.size !== (app.testers ?? []).length) await deps.apps.setTesters(appId, [...testers], merchantActor);
    return { name: sample.name, appId, version, merchant: sample.merchant.username, backendUrl, webhookUrl, backend };
  } catch (err) {
    await backend.close();
    throw err;
  }
}

async function ensureAccount(deps: AppDeps, sample: DemoSample): Promise<string> {
  const found = await deps.identity.findAccount('merchant', sample.merchant.username);
  if (found) return found._id;
  try {
    return (await deps.identity.createAccount('merchant', sample.merchant)).id;
  } catch (err) {
    // Another process created it meanwhile.
    if ((err as { code?: string }).code !== 'ACCOUNT_EXISTS') throw err;
    const again = await deps.identity.findAccount('merchant', sample.merchant.username);
    if (!again) throw err;
    return again._id;
  }
}

/**
 * The active key of each environment with its private key from `<dir>/<appId>.json`. A key whose
 * private half is not on disk (first start, or the file was lost) is replaced by a new one; the
 * file is written before the old key stops working.
 */
async function ensureCredentials(deps: AppDeps, appId: string, dir: string): Promise<Record<Env, RideCredentials>> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${appId}.json`);
  let stored: StoredCredentials = { appId };
  if (existsSync(file)) {
    try {
      stored = { ...(JSON.parse(readFileSync(file, 'utf8')) as StoredCredentials), appId };
    } catch {
      stored = { appId };
    }
  }
  const out: Partial<Record<Env, RideCredentials>> = {};
  let changed = false;
  for (const env of ENVS) {
    const active = (await deps.credentials.list(appId, env)).find((c) => c.status === 'active');
    const mine = stored[env];
    if (active && mine && mine.serialNo === active.serial) {
      out[env] = { appId, serialNo: mine.serialNo, privateKey: mine.privateKey };
      continue;
    }
    const made = active
      ? await deps.credentials.rotate(appId, env, { overlapSeconds: 0 }, OPS)
      : await deps.credentials.generate(appId, env, OPS);
    if (!made.privateKey) throw new LilyError('INTERNAL', 'No private key was generated.');
    stored[env] = { serialNo: made.credential.serial, privateKey: made.privateKey };
    out[env] = { appId, serialNo: made.credential.serial, privateKey: made.privateKey };
    changed = true;
  }
  if (changed) {
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return out as Record<Env, RideCredentials>;
}

/** Packs the sample for `backendUrl`, uploads it when it changed, approves and releases it. */
async function publishPackage(deps: AppDeps, folder: string, appId: string, baseVersion: string, backendUrl: string, actor: AuditActor): Promise<string> {
  const uploaded = await deps.versions.list(appId);
  const latest = uploaded.map((v) => v.version).sort(semver.rcompare)[0];
  let version = baseVersion;
  let bytes: Uint8Array | null = null;
  if (latest && semver.gte(latest, baseVersion)) {
    const same = await packFor(folder, latest, backendUrl);
    const latestDoc = uploaded.find((v) => v.version === latest)!;
    if (same.digest === latestDoc.packageDigest) version = latest;
    else {
      version = semver.inc(latest, 'patch')!;
      bytes = (await packFor(folder, version, backendUrl)).bytes;
    }
  } else {
    bytes = (await packFor(folder, version, backendUrl)).bytes;
  }
  if (bytes) {
    const doc = await deps.versions.upload(appId, bytes, actor);
    if (!doc.report.passed) deps.log.warn({ appId, version, report: doc.report }, 'demo sample did not pass the automated review');
  }
  let v = await deps.versions.get(`${appId}@${version}`);
  if (v.status === 'pending_review') v = await deps.versions.decide(v._id, { approve: true, reason: 'demo sample' }, OPS);
  if (v.status !== 'approved') throw new LilyError('INVALID_STATE', `Demo sample ${appId} ${version} is ${v.status}.`);
  const app = await deps.apps.get(appId);
  if (app.releases.production?.version !== version) await deps.versions.releaseProduction(appId, version, 100, actor);
  if (app.releases.sandbox?.version !== version) {
    const granted = await deps.grants.snapshot(appId, 'sandbox');
    await deps.apps.release(
      appId,
      'sandbox',
      { manifest: v.manifest, packageDigest: v.packageDigest, grantedCapabilities: v.manifest.capabilities.map((c) => c.id).filter((id) => id in granted) },
      actor,
    );
  }
  return version;
}

/** Packs a copy of the sample folder with its version and back end URL set. */
async function packFor(folder: string, version: string, backendUrl: string): Promise<{ digest: string; bytes: Uint8Array }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lily-demo-'));
  try {
    cpSync(folder, dir, { recursive: true, filter: (src) => !/[\\/](server|node_modules)$/.test(src) && !src.endsWith('.md') });
    const manifestFile = path.join(dir, 'app.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    // The manifest names the back end's exact host and port: base.request reaches nothing else.
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, version, domains: [new URL(backendUrl).host] }, null, 2));
    writeFileSync(path.join(dir, 'config.js'), `export const BACKEND = ${JSON.stringify(backendUrl)};\n`);
    const { pkg } = await pack(dir);
    return { digest: pkg.digest, bytes: utf8(serializePackage(pkg)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
