/**
 * Mini-apps as the platform knows them: who owns them, their status, and what is released in each
 * environment. A release binds `{appId, version, package digest, manifest digest, granted
 * capabilities}` in a record signed by the bank; the host verifies it at launch, so a package and
 * its grants cannot be altered or swapped.
 */
import { randomBytes } from 'node:crypto';
import { APP_ID_PATTERN } from '../../protocol/apps.ts';
import { LilyError } from '../../protocol/errors.ts';
import { canonicalJson } from '../../runtime/package/canonical.ts';
import { sm2Sign, sm3, utf8 } from '../../runtime/crypto/sm.ts';
import { serializePackage } from '../../runtime/package/format.ts';
import { signPackage } from '../../runtime/package/sign.ts';
import { openPackage } from '../versions/inspector.ts';
import type { ReleaseRecord } from '../../runtime/package/release.ts';
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

export type { ReleaseRecord };

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
  /** The release each environment had before the current one (target of a rollback). */
  previous?: Partial<Record<Env, Release | null>>;
  /** A production grayscale in progress: the new release, shown to `percent` % of users. */
  rollout?: { release: Release; percent: number; startedAt: Date } | null;
  /** Users (ids) allowed to open the sandbox trial version. */
  testers?: string[];
  /** Where payment and refund webhooks go when an order names no notify URL. */
  webhookUrl?: string | null;
}

/** Stable bucket 0-99 of a user for an app: the same user always lands in the same bucket. */
export function rolloutBucket(userId: string, appId: string): number {
  return parseInt(sm3(`rollout|${appId}|${userId}`).slice(0, 8), 16) % 100;
}

/** The release a user gets in an environment: the grayscale candidate or the stable one. */
export function releaseForUser(app: AppDoc, env: Env, userId: string): Release | null {
  if (env === 'production' && app.rollout && rolloutBucket(userId, app._id) < app.rollout.percent) return app.rollout.release;
  return app.releases[env] ?? null;
}

/** A stored package: the packed bytes, addressed by their SM3 digest. */
export interface PackageDoc extends Doc {
  /** Base64 of the package file bytes. */
  data: string;
  size: number;
  storedAt: Date;
}

/** The app id pattern of the manifest schema (`com.example.rides`, `ridego`). */
export const APP_ID = new RegExp(APP_ID_PATTERN);

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
    const appId = input.appId ?? `app-${randomBytes(8).toString('hex')}`;
    if (!APP_ID.test(appId) || appId.length < 3 || appId.length > 64) {
      throw new LilyError('INVALID_PARAMS', 'appId must be 3-64 characters: lower-case words of letters and digits joined by dots or dashes (e.g. com.example.rides)', { field: 'appId' });
    }
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

  /**
   * The facts the grant gate needs for an app in an environment: for the given running version
   * (stable or grayscale candidate), else the stable release.
   */
  async facts(appId: string, env: Env, version?: string): Promise<AppFacts & { release: Release | null }> {
    const app = await this.store.collection<AppDoc>('apps').findOne({ _id: appId });
    if (!app) return { appId, status: 'delisted', declared: [], release: null };
    const stable = app.releases[env] ?? null;
    const candidate = env === 'production' ? (app.rollout?.release ?? null) : null;
    const release = version === undefined ? stable : [stable, candidate].find((r) => r?.version === version) ?? null;
    return {
      appId,
      status: app.status,
      declared: release ? release.manifest.capabilities.map((c) => c.id) : [],
      release,
    };
  }

  /**
   * Verifies package bytes (envelope, digests, manifest, sizes), signs the package with the bank
   * key and stores the signed package under its digest (idempotent). Returns the digest.
   */
  async storePackage(bytes: Uint8Array): Promise<string> {
    const { pkg } = openPackage(bytes);
    const signed = utf8(serializePackage(signPackage(pkg, this.bank.privateKey, this.bank.serial, this.bank.publicKey)));
    await this.store.collection<PackageDoc>('packages').updateOne(
      { _id: pkg.digest },
      { $setOnInsert: { data: Buffer.from(signed).toString('base64'), size: signed.length, storedAt: new Date(this.now()) } },
      { upsert: true },
    );
    return pkg.digest;
  }

  /** The bytes of a stored package, or NOT_FOUND. */
  async loadPackage(digest: string): Promise<Uint8Array> {
    const doc = await this.store.collection<PackageDoc>('packages').findOne({ _id: digest });
    if (!doc) throw new LilyError('NOT_FOUND', 'No such package.');
    return Buffer.from(doc.data, 'base64');
  }

  /** Builds and signs the release record of a version (does not install it). */
  async signRelease(
    appId: string,
    env: Env,
    input: { manifest: ManifestFacts; packageDigest: string; grantedCapabilities: string[] },
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
    return {
      version: input.manifest.version,
      manifest: input.manifest,
      record,
      signature: signReleaseRecord(record, this.bank),
      releasedAt: new Date(this.now()),
    };
  }

  /**
   * Installs a signed release as the current one of an environment (keeping the one it replaces
   * as the rollback target; ending any grayscale) and makes a draft app live.
   */
  async install(appId: string, env: Env, release: Release, actor: AuditActor, options: { reason?: string } = {}): Promise<void> {
    await this.store.transaction(async (tx) => {
      const pkg = await tx.collection('packages').findOne({ _id: release.record.packageDigest }, { projection: { size: 1 } });
      if (!pkg) throw new LilyError('NOT_FOUND', 'The package has not been uploaded.');
      const app = await tx.collection<AppDoc>('apps').findOne({ _id: appId });
      if (!app) throw new LilyError('NOT_FOUND', `No app ${appId}.`);
      const set: Record<string, unknown> = { [`releases.${env}`]: release };
      const current = app.releases[env];
      if (current && current.version !== release.version) set[`previous.${env}`] = current;
      if (env === 'production') set.rollout = null;
      if (app.status === 'draft') Object.assign(set, { status: 'live', statusReason: null });
      await tx.collection<AppDoc>('apps').updateOne({ _id: appId }, { $set: set });
      await this.audit.append(
        {
          action: 'app.released',
          actor,
          target: { kind: 'app', id: appId },
          ...(options.reason ? { reason: options.reason } : {}),
          data: { env, version: release.version, packageDigest: release.record.packageDigest },
        },
        tx,
      );
    });
  }

  /** Releases a version in an environment at once: signs the record and installs it. */
  async release(
    appId: string,
    env: Env,
    input: { manifest: ManifestFacts; packageDigest: string; grantedCapabilities: string[] },
    actor: AuditActor,
  ): Promise<Release> {
    const release = await this.signRelease(appId, env, input);
    await this.install(appId, env, release, actor);
    return release;
  }

  /** Starts (or changes the percentage of) a production grayscale of a signed release. */
  async startRollout(appId: string, release: Release, percent: number, actor: AuditActor): Promise<void> {
    await this.store.transaction(async (tx) => {
      const app = await tx.collection<AppDoc>('apps').findOne({ _id: appId });
      if (!app) throw new LilyError('NOT_FOUND', `No app ${appId}.`);
      if (!app.releases.production) throw new LilyError('INVALID_STATE', 'The first production release goes to everyone.');
      await tx.collection<AppDoc>('apps').updateOne({ _id: appId }, { $set: { rollout: { release, percent, startedAt: new Date(this.now()) } } });
      await this.audit.append(
        { action: 'release.grayscale', actor, target: { kind: 'app', id: appId }, data: { version: release.version, percent } },
        tx,
      );
    });
  }

  /**
   * Rolls production back: a grayscale in progress is cancelled; otherwise the previous release
   * becomes current again. INVALID_STATE when there is nothing to roll back to.
   */
  async rollback(appId: string, reason: string, actor: AuditActor, automatic: boolean): Promise<void> {
    await this.store.transaction(async (tx) => {
      const app = await tx.collection<AppDoc>('apps').findOne({ _id: appId });
      if (!app) throw new LilyError('NOT_FOUND', `No app ${appId}.`);
      let from: string;
      let to: string;
      if (app.rollout) {
        from = app.rollout.release.version;
        to = app.releases.production!.version;
        await tx.collection<AppDoc>('apps').updateOne({ _id: appId }, { $set: { rollout: null } });
      } else if (app.previous?.production && app.releases.production) {
        from = app.releases.production.version;
        to = app.previous.production.version;
        await tx.collection<AppDoc>('apps').updateOne(
          { _id: appId },
          { $set: { 'releases.production': app.previous.production, 'previous.production': null } },
        );
      } else {
        throw new LilyError('INVALID_STATE', 'There is no earlier production release to roll back to.');
      }
      await this.audit.append(
        { action: 'release.rolled_back', actor, target: { kind: 'app', id: appId }, reason, data: { from, to, automatic } },
        tx,
      );
    });
  }

  /** Sets (or clears, with null) where the app's webhooks go when an order names no notify URL. */
  async setWebhookUrl(appId: string, url: string | null, actor: AuditActor): Promise<void> {
    await this.store.transaction(async (tx) => {
      const res = await tx.collection<AppDoc>('apps').updateOne({ _id: appId }, { $set: { webhookUrl: url } });
      if (res.matchedCount === 0) throw new LilyError('NOT_FOUND', `No app ${appId}.`);
      await this.audit.append({ action: 'app.webhook', actor, target: { kind: 'app', id: appId }, data: { url } }, tx);
    });
  }

  /** Sets the users who may open the sandbox trial. */
  async setTesters(appId: string, userIds: string[], actor: AuditActor): Promise<void> {
    await this.store.transaction(async (tx) => {
      const res = await tx.collection<AppDoc>('apps').updateOne({ _id: appId }, { $set: { testers: [...new Set(userIds)] } });
      if (res.matchedCount === 0) throw new LilyError('NOT_FOUND', `No app ${appId}.`);
      await this.audit.append({ action: 'app.testers', actor, target: { kind: 'app', id: appId }, data: { count: userIds.length } }, tx);
    });
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
