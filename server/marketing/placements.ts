/**
 * Home-page placements (`marketing.placement`): merchants apply over the Open API, bank ops
 * approve or reject (`decide`, behind the ops route), approved placements are live between their
 * start and end (the state is derived from the clock on read), and the host records impressions
 * and taps. An app may not hold two overlapping approved placements in one slot (CONFLICT).
 */
import { LilyError } from '../../protocol/errors.ts';
import type { Doc, Store } from '../store/types.ts';
import { ensureMarketingIndexes, MK, publicId, type Env, type Scope } from './common.ts';

/** The host's promotional slots. */
export type Slot = 'home_banner' | 'home_grid' | 'marketplace_top' | 'payment_result';
/** Longest a placement may run. */
export const MAX_PLACEMENT_MS = 31 * 24 * 3600 * 1000;

/** A placement. `status` is the review state; `live`/`ended` are derived on read. */
export interface PlacementDoc extends Doc {
  env: Env;
  appId: string;
  slot: Slot;
  title: string;
  imageUrl: string;
  path: string;
  startAt: number;
  endAt: number;
  reason: string;
  status: 'pending_review' | 'approved' | 'rejected';
  impressions: number;
  clicks: number;
  createdAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  note: string | null;
}

/** The state shown to merchants and users at `now`. */
export function placementStatus(p: PlacementDoc, now: number): 'pending_review' | 'approved' | 'rejected' | 'live' | 'ended' {
  if (p.status !== 'approved') return p.status;
  if (now >= p.endAt) return 'ended';
  return now >= p.startAt ? 'live' : 'approved';
}

const view = (p: PlacementDoc, now: number) => ({ placementId: p._id, slot: p.slot, status: placementStatus(p, now), title: p.title, startAt: p.startAt, endAt: p.endAt, impressions: p.impressions, clicks: p.clicks });

/** Placements. */
export class PlacementService {
  /** A merchant applies; INVALID_PARAMS for bad dates, CONFLICT when it overlaps its own approved placement. */
  async apply(scope: Scope, input: { slot: Slot; title: string; imageUrl: string; path: string; startAt: number; endAt: number; reason: string }) {
    await ensureMarketingIndexes(scope.store);
    const now = scope.now();
    if (input.endAt <= input.startAt || input.endAt <= now) throw new LilyError('INVALID_PARAMS', 'endAt must be after startAt and in the future.', { field: 'endAt' });
    if (input.endAt - input.startAt > MAX_PLACEMENT_MS) throw new LilyError('INVALID_PARAMS', 'A placement runs at most 31 days.', { field: 'endAt' });
    await this.checkOverlap(scope.store, { env: scope.env, appId: scope.appId, slot: input.slot, startAt: input.startAt, endAt: input.endAt });
    const doc: PlacementDoc = { _id: publicId('plc'), env: scope.env, appId: scope.appId, ...input, status: 'pending_review', impressions: 0, clicks: 0, createdAt: now, decidedAt: null, decidedBy: null, note: null };
    await scope.store.collection<PlacementDoc>(MK.placements).insertOne(doc);
    return { placementId: doc._id, status: doc.status };
  }

  /**
   * Bank ops approve or reject a pending placement (approval re-checks the overlap rule).
   * NOT_FOUND when no placement awaits review under that id.
   */
  async decide(store: Store, input: { placementId: string; approve: boolean; by: string; note?: string; at: number }) {
    const col = store.collection<PlacementDoc>(MK.placements);
    const p = await col.findOne({ _id: input.placementId, status: 'pending_review' });
    if (!p) throw new LilyError('NOT_FOUND', 'No placement awaiting review with that id.');
    if (input.approve) await this.checkOverlap(store, p);
    const res = await col.findOneAndUpdate(
      { _id: p._id, status: 'pending_review' },
      { $set: { status: input.approve ? 'approved' : 'rejected', decidedAt: input.at, decidedBy: input.by, note: input.note ?? null } },
      { returnDocument: 'after' },
    );
    if (!res) throw new LilyError('CONFLICT', 'The placement was decided meanwhile.');
    return { placementId: res._id, status: placementStatus(res, input.at) };
  }

  /** The app's placements, newest first, optionally in one state. */
  async list(scope: Scope, input: { status?: ReturnType<typeof placementStatus> }) {
    const now = scope.now();
    const docs = await scope.store.collection<PlacementDoc>(MK.placements).find({ env: scope.env, appId: scope.appId }, { sort: { createdAt: -1, _id: -1 }, limit: 500 }).toArray();
    return { placements: docs.map((p) => view(p, now)).filter((p) => input.status === undefined || p.status === input.status).slice(0, 50) };
  }

  /** What the host shows in a slot now: live placements, oldest approval first. */
  async live(store: Store, env: Env, slot: Slot, now: number) {
    const docs = await store.collection<PlacementDoc>(MK.placements).find({ env, slot, status: 'approved', startAt: { $lte: now }, endAt: { $gt: now } }, { sort: { decidedAt: 1 }, limit: 20 }).toArray();
    return docs.map((p) => ({ placementId: p._id, appId: p.appId, title: p.title, imageUrl: p.imageUrl, path: p.path }));
  }

  /** Counts one impression or tap (host). */
  async record(store: Store, placementId: string, what: 'impression' | 'click'): Promise<void> {
    await store.collection(MK.placements).updateOne({ _id: placementId, status: 'approved' }, { $inc: { [what === 'impression' ? 'impressions' : 'clicks']: 1 } });
  }

  private async checkOverlap(store: Store, p: Pick<PlacementDoc, 'env' | 'appId' | 'slot' | 'startAt' | 'endAt'>): Promise<void> {
    const clash = await store.collection<PlacementDoc>(MK.placements).findOne({ env: p.env, appId: p.appId, slot: p.slot, status: 'approved', startAt: { $lt: p.endAt }, endAt: { $gt: p.startAt } });
    if (clash) throw new LilyError('CONFLICT', 'The app already has an approved placement in this slot at that time.', { placementId: clash._id });
  }
}
