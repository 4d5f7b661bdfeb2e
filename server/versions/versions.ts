/**
 * Versions of a mini-app: upload (merchant portal or `lily publish`), automated review, ops
 * review, release (sandbox at once as a trial; production after approval, full or grayscale),
 * automatic and manual rollback.
 */
import semver from 'semver';
import { LilyError } from '../../protocol/errors.ts';
import type { AuditActor, AuditLog } from '../audit/audit.ts';
import type { AppDoc, AppService, ManifestFacts, Release } from '../apps/apps.ts';
import type { GrantService } from '../grants/grants.ts';
import type { Env } from '../policies/gates.ts';
import type { Doc, Store } from '../store/types.ts';
import { capabilityDiff, type ReviewReport } from './review.ts';

/** What a package inspector learns from package bytes (see `inspector.ts`). */
export interface InspectedPackage {
  digest: string;
  manifest: ManifestFacts;
  size: number;
}

/** Opens and reviews packages; backed by the runtime (package format and headless host). */
export interface PackageInspector {
  /** Parses and verifies package bytes; PACKAGE_INVALID or PACKAGE_TAMPERED when they are not a sound package. */
  open(bytes: Uint8Array): Promise<InspectedPackage>;
  /** The automated review of a package against the version that is live now (if any). */
  review(bytes: Uint8Array, pkg: InspectedPackage, live: ManifestFacts | null): Promise<ReviewReport>;
}

/** A version's review state. */
export type VersionStatus = 'pending_review' | 'approved' | 'rejected';

/** A stored version. */
export interface VersionDoc extends Doc {
  appId: string;
  version: string;
  manifest: ManifestFacts;
  packageDigest: string;
  size: number;
  uploadedAt: Date;
  uploadedBy: AuditActor;
  status: VersionStatus;
  report: ReviewReport;
  decision: { by: string; reason: string; at: Date } | null;
}

/** Settings of automatic rollback. */
export interface RollbackPolicy {
  /** Launches of the new version needed before its health is judged. */
  minLaunches: number;
  /** Failure (crash, limit breach, guest error) ratio above which it is rolled back. */
  maxFailureRatio: number;
  /** Only reports this recent count. */
  windowMs: number;
}

const DEFAULT_ROLLBACK: RollbackPolicy = { minLaunches: 20, maxFailureRatio: 0.2, windowMs: 10 * 60 * 1000 };

interface HealthDoc extends Doc {
  appId: string;
  version: string;
  windowStart: Date;
  launches: number;
  failures: number;
}

/** The id of a version document. */
export const versionId = (appId: string, version: string) => `${appId}@${version}`;

/**
 * The version service.
 *
 * @example
 * ```ts
 * const v = await versions.upload('ride', bytes, { kind: 'merchant', id });
 * await versions.decide(v._id, { approve: true, reason: 'ok' }, ops);
 * await versions.releaseProduction('ride', v.version, 10, merchantActor); // 10 % grayscale
 * ```
 */
export class VersionService {
  private readonly policy: RollbackPolicy;

  constructor(
    private readonly deps: {
      store: Store;
      apps: AppService;
      grants: GrantService;
      audit: AuditLog;
      inspector: PackageInspector;
      now?: () => number;
      rollback?: Partial<RollbackPolicy>;
    },
  ) {
    this.policy = { ...DEFAULT_ROLLBACK, ...deps.rollback };
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  async init(): Promise<void> {
    await this.deps.store.collection('versions').createIndex({ appId: 1, uploadedAt: -1 });
    await this.deps.store.collection('versions').createIndex({ status: 1, uploadedAt: 1 });
  }

  /**
   * Uploads a package: verifies digest and manifest, stores it, runs the automated review
   * (against the live production version), and releases it at once in the sandbox as a trial.
   */
  async upload(appId: string, bytes: Uint8Array, actor: AuditActor): Promise<VersionDoc> {
    const app = await this.deps.apps.get(appId);
    if (app.status === 'delisted') throw new LilyError('INVALID_STATE', 'The app is delisted.');
    const pkg = await this.deps.inspector.open(bytes);
    if (pkg.manifest.appId !== appId) {
      throw new LilyError('PACKAGE_INVALID', `The package is for app ${pkg.manifest.appId}, not ${appId}.`, {
        errors: [{ path: '/appId', message: `must be ${appId}` }],
      });
    }
    const versions = this.deps.store.collection<VersionDoc>('versions');
    const latest = (await versions.find({ appId }, { sort: { uploadedAt: -1 }, limit: 50 }).toArray())
      .map((v) => v.version)
      .sort(semver.rcompare)[0];
    if (latest && !semver.gt(pkg.manifest.version, latest)) {
      throw new LilyError('DUPLICATE', `Version ${pkg.manifest.version} is not above the last uploaded version ${latest}; bump the version in app.json.`);
    }
    await this.deps.apps.storePackage(bytes);
    const live = app.releases.production?.manifest ?? null;
    const report = await this.deps.inspector.review(bytes, pkg, live);
    const doc: VersionDoc = {
      _id: versionId(appId, pkg.manifest.version),
      appId,
      version: pkg.manifest.version,
      manifest: pkg.manifest,
      packageDigest: pkg.digest,
      size: pkg.size,
      uploadedAt: new Date(this.now()),
      uploadedBy: actor,
      status: 'pending_review',
      report,
      decision: null,
    };
    await this.deps.store.transaction(async (tx) => {
      if (await tx.collection('versions').findOne({ _id: doc._id })) throw new LilyError('DUPLICATE', `Version ${doc.version} was already uploaded.`);
      await tx.collection<VersionDoc>('versions').insertOne(doc);
      await this.deps.audit.append(
        {
          action: 'version.uploaded',
          actor,
          target: { kind: 'app', id: appId },
          data: { version: doc.version, packageDigest: doc.packageDigest, passed: report.passed, diff: report.diff },
        },
        tx,
      );
    });
    // The sandbox runs every upload at once (a trial for the merchant's testers); only smoke-tested ones.
    if (report.smoke.ok) await this.release(appId, 'sandbox', doc, actor);
    return doc;
  }

  /** A version, or NOT_FOUND. */
  async get(id: string): Promise<VersionDoc> {
    const doc = await this.deps.store.collection<VersionDoc>('versions').findOne({ _id: id });
    if (!doc) throw new LilyError('NOT_FOUND', `No version ${id}.`);
    return doc;
  }

  /** Versions of an app, newest first. */
  async list(appId: string): Promise<VersionDoc[]> {
    return this.deps.store.collection<VersionDoc>('versions').find({ appId }, { sort: { uploadedAt: -1 }, limit: 100 }).toArray();
  }

  /** The ops review queue, oldest first. */
  async pending(): Promise<VersionDoc[]> {
    return this.deps.store.collection<VersionDoc>('versions').find({ status: 'pending_review' }, { sort: { uploadedAt: 1 }, limit: 200 }).toArray();
  }

  /** Approves or rejects a pending version with a reason. */
  async decide(id: string, decision: { approve: boolean; reason: string }, actor: AuditActor): Promise<VersionDoc> {
    return this.deps.store.transaction(async (tx) => {
      const updated = await tx.collection<VersionDoc>('versions').findOneAndUpdate(
        { _id: id, status: 'pending_review' },
        { $set: { status: decision.approve ? 'approved' : 'rejected', decision: { by: actor.id, reason: decision.reason, at: new Date(this.now()) } } },
        { returnDocument: 'after' },
      );
      if (!updated) {
        const current = await tx.collection<VersionDoc>('versions').findOne({ _id: id });
        if (!current) throw new LilyError('NOT_FOUND', `No version ${id}.`);
        throw new LilyError('INVALID_STATE', `The version is already ${current.status}.`);
      }
      await this.deps.audit.append(
        {
          action: decision.approve ? 'version.approved' : 'version.rejected',
          actor,
          target: { kind: 'app', id: updated.appId },
          reason: decision.reason,
          data: { version: updated.version, packageDigest: updated.packageDigest },
        },
        tx,
      );
      return updated;
    });
  }

  /** Signs and installs a release of a version in an environment (grants ∩ declared capabilities). */
  private async release(appId: string, env: Env, v: VersionDoc, actor: AuditActor): Promise<Release> {
    const granted = await this.deps.grants.snapshot(appId, env);
    const declared = v.manifest.capabilities.map((c) => c.id);
    return this.deps.apps.release(appId, env, { manifest: v.manifest, packageDigest: v.packageDigest, grantedCapabilities: declared.filter((id) => id in granted) }, actor);
  }

  /**
   * Releases an approved version in production: to everyone (`percent` 100, or the first release)
   * or as a grayscale to `percent` % of users, chosen stably per user.
   */
  async releaseProduction(appId: string, version: string, percent: number, actor: AuditActor): Promise<AppDoc> {
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) throw new LilyError('INVALID_PARAMS', 'percent must be 1-100', { field: 'percent' });
    const v = await this.get(versionId(appId, version));
    if (v.status !== 'approved') throw new LilyError('INVALID_STATE', `Version ${version} is ${v.status}; only approved versions can be released.`);
    const app = await this.deps.apps.get(appId);
    const current = app.releases.production;
    if (current && !semver.gt(version, current.version) && app.rollout?.release.version !== version) {
      throw new LilyError('INVALID_STATE', `Version ${version} is not newer than the live version ${current.version}; use rollback to go back.`);
    }
    const release = await this.signed(appId, v);
    if (!current || percent === 100) {
      await this.deps.apps.install(appId, 'production', release, actor, { reason: `release ${version} to everyone` });
    } else {
      await this.deps.apps.startRollout(appId, release, percent, actor);
    }
    await this.deps.store.collection<HealthDoc>('release_health').deleteMany({ appId, version });
    return this.deps.apps.get(appId);
  }

  private async signed(appId: string, v: VersionDoc): Promise<Release> {
    const granted = await this.deps.grants.snapshot(appId, 'production');
    const declared = v.manifest.capabilities.map((c) => c.id);
    return this.deps.apps.signRelease(appId, 'production', {
      manifest: v.manifest,
      packageDigest: v.packageDigest,
      grantedCapabilities: declared.filter((id) => id in granted),
    });
  }

  /** Manual rollback: back to the previous production release (or cancel a grayscale). */
  async rollback(appId: string, reason: string, actor: AuditActor): Promise<AppDoc> {
    await this.deps.apps.rollback(appId, reason, actor, false);
    return this.deps.apps.get(appId);
  }

  /**
   * Records the health of a running version: a launch, or a failure (crash, limit breach, guest
   * error). When a new version fails too often, it is rolled back automatically.
   */
  async report(appId: string, version: string, kind: 'launch' | 'failure'): Promise<{ rolledBack: boolean }> {
    const now = this.now();
    const health = this.deps.store.collection<HealthDoc>('release_health');
    const id = versionId(appId, version);
    const doc = await health.findOneAndUpdate(
      { _id: id },
      { $inc: { launches: kind === 'launch' ? 1 : 0, failures: kind === 'failure' ? 1 : 0 }, $setOnInsert: { appId, version, windowStart: new Date(now) } },
      { upsert: true, returnDocument: 'after' },
    );
    if (!doc) return { rolledBack: false };
    if (now - doc.windowStart.getTime() > this.policy.windowMs) {
      await health.updateOne({ _id: id }, { $set: { launches: 0, failures: 0, windowStart: new Date(now) } });
      return { rolledBack: false };
    }
    if (doc.launches < this.policy.minLaunches || doc.failures / doc.launches <= this.policy.maxFailureRatio) return { rolledBack: false };
    const app = await this.deps.apps.get(appId);
    const isNew = app.rollout?.release.version === version || (app.releases.production?.version === version && app.previous?.production);
    if (!isNew) return { rolledBack: false };
    await this.deps.apps.rollback(
      appId,
      `automatic: ${doc.failures} failures in ${doc.launches} launches of ${version}`,
      { kind: 'system', id: 'release-guard' },
      true,
    );
    await health.deleteOne({ _id: id });
    return { rolledBack: true };
  }
}

export { capabilityDiff };
