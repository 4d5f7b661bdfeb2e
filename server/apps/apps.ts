/**
 * Mini-apps as the platform knows them: who owns them, their status, and what is released in each
 * environment. A release binds `{appId, version, package digest, manifest digest, granted
 * capabilities}` in a record signed by the bank; the host verifies it at launch, so a package and
 * its grants cannot be altered or swapped.
 */
import { randomBytes } from 'node:crypto';
import { LilyError } from '../../protocol/errors.ts';
import { canonicalJson } from '../../runtime/crypto/canonical.ts';
import { sm2Sign, sm3 } from '../../runtime/crypto/sm.ts';
import type { AuditActor, AuditLog } from '../audit/audit.ts';
import type { EventBus } from '../events.ts';
import type { BankKeys } from '../keys.ts';
import type { AppFacts, AppStatus, Env } from '../policies/gates.ts';
import type { Doc, Store } from '../store/types.ts';

/** The manifest fields the platform reads (the runtime's schema validates the whole manifest). */
export interface ManifestFacts {
  appId: string;
  name: string;
  version: string;
  category?: string;
  capabilities: { id: string; reason: string }[];
  domains: string[];
  [key: string]: unknown;
}

/** The bank-signed record of a release. */
export interface ReleaseRecord {
  appId: string;
  env: Env;
  version: string;
  packageDigest: string;
  manifestDigest: string;
  grantedCapabilities: string[];
  issuedAt: string;
  bankKeySerial: string;
}

/** What is released in one environment. */
export interface Release {
  version: string;
  manifest: ManifestFacts;
  record: ReleaseRecord;
  /** SM2 (DER hex) by the bank over the canonical JSON of `record`. */
  signature: string;
  releasedAt: Date;
}

/** A stored app. */
export interface AppDoc extends Doc {
  merchantId: string;
  name: string;
  description: string;
  category: string;
  icon: string;
  status: AppStatus;
  statusReason: string | null;
  createdAt: Date;
  releases: Partial<Record<Env, Release>>;
}

/** A stored package: the packed bytes, addressed by their SM3 digest. */
export interface PackageDoc extends Doc {
  /** Base64 of the package file bytes. */
  data: string;
  size: number;
  storedAt: Date;
}

/** Digest of a manifest: SM3 of its canonical JSON. */
export function manifestDigest(manifest: unknown): string {
  return sm3(canonicalJson(manifest));
}

/** The bank's signature over a release record. */
export function signReleaseRecord(record: ReleaseRecord, bank: BankKeys): string {
  return sm2Sign(canonicalJson(record), bank.privateKey, bank.publicKey);
}

/**
 * The app service.
 *
 * @example
 * ```ts
 * const { appId } = await apps.create({ merchantId, name: '出行', category: 'travel' }, actor);
 * await apps.release(appId, 'sandbox', { manifest, packageBytes, packageDigest, grantedCapabilities }, actor);
 * ```
 */
export class AppService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly bus: EventBus,
    private readonly bank: BankKeys,
    private readonly now: () => number = Date.now,
  ) {}

  async init(): Promise<void> {
    await this.store.collection('apps').createIndex({ merchantId: 1 });
    await this.store.collection('apps').createIndex({ status: 1, category: 1 });
  }

  /** Creates an app in `draft`. */
  async create(
    input: { merchantId: string; name: string; description?: string; category: string; icon?: string; appId?: string },
    actor: AuditActor,
  ): Promise<AppDoc> {
    const appId = input.appId ?? `app_${randomBytes(8).toString('hex')}`;
    if (!/^[a-z][a-z0-9_-]{2,39}$/.test(appId)) throw new LilyError('INVALID_PARAMS', 'appId must be 3-40 lower-case letters, digits, _ or -', { field: 'appId' });
    const doc: AppDoc = {
      _id: appId,
      merchantId: input.merchantId,
      name: input.name,
      description: input.description ?? '',
      category: input.category,
      icon: input.icon ?? '',
      status: 'draft',
      statusReason: null,
      createdAt: new Date(this.now()),
      releases: {},
    };
    await this.store.transaction(async (tx) => {
      const existing = await tx.collection<AppDoc>('apps').findOne({ _id: appId });
      if (existing) throw new LilyError('DUPLICATE', `An app with id ${appId} already exists.`);
      await tx.collection<AppDoc>('apps').insertOne(doc);
      await this.audit.append({ action: 'app.created', actor, target: { kind: 'app', id: appId }, data: { name: input.name } }, tx);
    });
    return doc;
  }

  /** An app, or NOT_FOUND. */
  async get(appId: string): Promise<AppDoc> {
    const app = await this.store.collection<AppDoc>('apps').findOne({ _id: appId });
    if (!app) throw new LilyError('NOT_FOUND', `No app ${appId}.`);
    return app;
  }

  /** The apps of a merchant, newest first. */
  async forMerchant(merchantId: string): Promise<AppDoc[]> {
    return this.store.collection<AppDoc>('apps').find({ merchantId }, { sort: { createdAt: -1 } }).toArray();
  }

  /** Every app (ops console), newest first. */
  async all(): Promise<AppDoc[]> {
    return this.store.collection<AppDoc>('apps').find({}, { sort: { createdAt: -1 }, limit: 1000 }).toArray();
  }

  /**
   * Live apps with a production release for the marketplace, optionally by category and search
   * text (name, description, category; case-insensitive).
   */
  async marketplace(filter: { category?: string; q?: string }): Promise<AppDoc[]> {
    const query: Record<string, unknown> = { status: 'live', 'releases.production': { $exists: true } };
    if (filter.category) query.category = filter.category;
    const apps = await this.store.collection<AppDoc>('apps').find(query, { sort: { name: 1 }, limit: 500 }).toArray();
    const q = filter.q?.trim().toLowerCase();
    if (!q) return apps;
    return apps.filter((a) => `${a.name} ${a.description} ${a.category}`.toLowerCase().includes(q));
  }

  /** The facts the grant gate needs for an app in an environment. */
  async facts(appId: string, env: Env): Promise<AppFacts & { release: Release | null }> {
    const app = await this.store.collection<AppDoc>('apps').findOne({ _id: appId });
    if (!app) return { appId, status: 'delisted', declared: [], release: null };
    const release = app.releases[env] ?? null;
    return {
      appId,
      status: app.status,
      declared: release ? release.manifest.capabilities.map((c) => c.id) : [],
      release,
    };
  }

  /** Stores package bytes under their digest (idempotent). */
  async storePackage(digest: string, bytes: Uint8Array): Promise<void> {
    if (sm3(bytes) !== digest) throw new LilyError('PACKAGE_TAMPERED', 'The package bytes do not match their digest.');
    await this.store.collection<PackageDoc>('packages').updateOne(
      { _id: digest },
      { $setOnInsert: { data: Buffer.from(bytes).toString('base64'), size: bytes.length, storedAt: new Date(this.now()) } },
      { upsert: true },
    );
  }

  /** The bytes of a stored package, or NOT_FOUND. */
  async loadPackage(digest: string): Promise<Uint8Array> {
    const doc = await this.store.collection<PackageDoc>('packages').findOne({ _id: digest });
    if (!doc) throw new LilyError('NOT_FOUND', 'No such package.');
    return Buffer.from(doc.data, 'base64');
  }

  /**
   * Releases a version in an environment: signs the release record with the bank key and makes
   * the app live. The package must already be stored.
   */
  async release(
    appId: string,
    env: Env,
    input: { manifest: ManifestFacts; packageDigest: string; grantedCapabilities: string[] },
    actor: AuditActor,
  ): Promise<Release> {
    if (input.manifest.appId !== appId) throw new LilyError('PACKAGE_INVALID', 'The manifest appId does not match the app.');
    const record: ReleaseRecord = {
      appId,
      env,
      version: input.manifest.version,
      packageDigest: input.packageDigest,
      manifestDigest: manifestDigest(input.manifest),
      grantedCapabilities: [...input.grantedCapabilities].sort(),
      issuedAt: new Date(this.now()).toISOString(),
      bankKeySerial: this.bank.serial,
    };
    const release: Release = {
      version: input.manifest.version,
      manifest: input.manifest,
      record,
      signature: signReleaseRecord(record, this.bank),
      releasedAt: new Date(this.now()),
    };
    await this.store.transaction(async (tx) => {
      const pkg = await tx.collection('packages').findOne({ _id: input.packageDigest }, { projection: { size: 1 } });
      if (!pkg) throw new LilyError('NOT_FOUND', 'The package has not been uploaded.');
      const updated = await tx.collection<AppDoc>('apps').findOneAndUpdate(
        { _id: appId },
        { $set: { [`releases.${env}`]: release, ...(await this.goesLive(tx, appId)) } },
        { returnDocument: 'after' },
      );
      if (!updated) throw new LilyError('NOT_FOUND', `No app ${appId}.`);
      await this.audit.append(
        { action: 'app.released', actor, target: { kind: 'app', id: appId }, data: { env, version: record.version, packageDigest: record.packageDigest } },
        tx,
      );
    });
    return release;
  }

  /** A draft app goes live at its first release; a suspended or delisted one stays as it is. */
  private async goesLive(tx: { collection: Store['collection'] }, appId: string): Promise<Record<string, unknown>> {
    const app = await tx.collection<AppDoc>('apps').findOne({ _id: appId }, { projection: { status: 1 } });
    return app?.status === 'draft' ? { status: 'live', statusReason: null } : {};
  }

  /** Suspends, resumes or delists an app, with a reason; takes effect at once in open instances. */
  async setStatus(appId: string, status: 'live' | 'suspended' | 'delisted', reason: string, actor: AuditActor): Promise<AppDoc> {
    const app = await this.store.transaction(async (tx) => {
      const current = await tx.collection<AppDoc>('apps').findOne({ _id: appId });
      if (!current) throw new LilyError('NOT_FOUND', `No app ${appId}.`);
      if (current.status === 'draft') throw new LilyError('INVALID_STATE', 'A draft app has nothing released yet.');
      if (current.status === 'delisted' && status !== 'delisted') throw new LilyError('INVALID_STATE', 'A delisted app cannot come back.');
      const updated = await tx.collection<AppDoc>('apps').findOneAndUpdate(
        { _id: appId },
        { $set: { status, statusReason: reason } },
        { returnDocument: 'after' },
      );
      const action = status === 'live' ? 'app.resumed' : status === 'suspended' ? 'app.suspended' : 'app.delisted';
      await this.audit.append({ action, actor, target: { kind: 'app', id: appId }, reason }, tx);
      return updated!;
    });
    this.bus.emit('app.status', { appId, status, reason });
    return app;
  }
}
