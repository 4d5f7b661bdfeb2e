/**
 * The user's address book and invoice titles (`member.address`, `member.invoice`): managed by the
 * user in the host (list, save, delete), and shared one at a time: the host's picker sends the
 * picked id as `ctx.host.pickedId` and only that entry reaches the mini-app.
 */
import type { Address, InvoiceTitle, SavedEntry } from '../../protocol/entries.ts';
import { LilyError } from '../../protocol/errors.ts';
import type { Doc, Store } from '../store/types.ts';
import { MC, publicId } from './common.ts';
import { ensureMemberIndexes } from './indexes.ts';

/** Most entries of each kind per user. */
export const MAX_ENTRIES = 20;

export type { Address, InvoiceTitle } from '../../protocol/entries.ts';

type Rule = { max: number; min?: number; pattern?: RegExp };
const ADDRESS_RULES: Record<keyof Address, Rule> = {
  recipientName: { max: 40, min: 1 },
  phoneNumber: { max: 20, pattern: /^\+?[0-9 -]{5,20}$/ },
  province: { max: 20, min: 1 },
  city: { max: 20, min: 1 },
  district: { max: 20 },
  detail: { max: 120, min: 1 },
  postalCode: { max: 6, pattern: /^[0-9]{6}$/ },
};
const INVOICE_RULES: Record<keyof InvoiceTitle, Rule> = {
  type: { max: 8, pattern: /^(personal|company)$/ },
  title: { max: 100, min: 1 },
  taxNumber: { max: 20, pattern: /^([0-9A-Z]{15,20})?$/ },
  companyAddress: { max: 120 },
  telephone: { max: 20 },
  bankName: { max: 60 },
  bankAccount: { max: 32 },
};

function clean<T extends object>(input: Record<string, unknown>, rules: Record<keyof T, Rule>): T {
  const out: Record<string, string> = {};
  for (const [field, rule] of Object.entries(rules) as [string, Rule][]) {
    const v = input[field] ?? '';
    if (typeof v !== 'string' || v.length > rule.max || v.length < (rule.min ?? 0) || (rule.pattern && !rule.pattern.test(v))) {
      throw new LilyError('INVALID_PARAMS', `${field} is invalid.`, { field });
    }
    out[field] = v;
  }
  return out as T;
}

interface EntryDoc extends Doc {
  userId: string;
  createdAt: number;
  updatedAt: number;
}

/** One kind of personal list (addresses or invoice titles). */
class Book<T extends object> {
  constructor(
    private readonly collection: string,
    private readonly prefix: string,
    private readonly rules: Record<keyof T, Rule>,
  ) {}

  /** The user's entries, oldest first, with their ids. */
  async list(store: Store, userId: string): Promise<SavedEntry<T>[]> {
    const docs = await store.collection<EntryDoc & T>(this.collection).find({ userId }, { sort: { createdAt: 1 }, limit: MAX_ENTRIES }).toArray();
    return docs.map((d) => ({ ...this.strip(d), id: d._id }));
  }

  /** Adds an entry, or replaces the user's entry `id`; LIMIT_EXCEEDED past {@link MAX_ENTRIES}. */
  async save(store: Store, userId: string, input: Record<string, unknown>, options: { id?: string; at?: number } = {}): Promise<string> {
    await ensureMemberIndexes(store);
    const entry = clean<T>(input, this.rules);
    const at = options.at ?? Date.now();
    const col = store.collection<EntryDoc>(this.collection);
    if (options.id !== undefined) {
      const res = await col.updateOne({ _id: options.id, userId }, { $set: { ...entry, updatedAt: at } });
      if (res.matchedCount !== 1) throw new LilyError('NOT_FOUND', 'No such entry.');
      return options.id;
    }
    if ((await col.countDocuments({ userId })) >= MAX_ENTRIES) throw new LilyError('LIMIT_EXCEEDED', `At most ${MAX_ENTRIES} entries.`, { limit: MAX_ENTRIES });
    const id = publicId(this.prefix);
    await col.insertOne({ ...entry, _id: id, userId, createdAt: at, updatedAt: at });
    return id;
  }

  /** Deletes one of the user's entries; NOT_FOUND when not theirs. */
  async remove(store: Store, userId: string, id: string): Promise<void> {
    const res = await store.collection(this.collection).deleteOne({ _id: id, userId });
    if (res.deletedCount !== 1) throw new LilyError('NOT_FOUND', 'No such entry.');
  }

  /** The entry the user picked; USER_CANCELLED without a pick, NOT_FOUND for an id not theirs. */
  async pick(store: Store, userId: string, pickedId: string | undefined): Promise<T> {
    if (!pickedId) throw new LilyError('USER_CANCELLED', 'The user closed the picker.');
    const doc = await store.collection<EntryDoc & T>(this.collection).findOne({ _id: pickedId, userId });
    if (!doc) throw new LilyError('NOT_FOUND', 'The picked entry does not exist.');
    return this.strip(doc);
  }

  /** Seeds entries for a user who has none (demo data). */
  async seed(store: Store, userId: string, entries: readonly Record<string, unknown>[], at = Date.now()): Promise<void> {
    if ((await store.collection(this.collection).countDocuments({ userId })) > 0) return;
    for (const [i, e] of entries.entries()) await this.save(store, userId, e, { at: at + i });
  }

  private strip(doc: EntryDoc & T): T {
    return Object.fromEntries(Object.keys(this.rules).map((k) => [k, (doc as Record<string, unknown>)[k] ?? ''])) as T;
  }
}

/** The address book. */
export const addressBook = new Book<Address>(MC.addresses, 'addr', ADDRESS_RULES);
/** The invoice titles. */
export const invoiceTitles = new Book<InvoiceTitle>(MC.invoiceTitles, 'inv', INVOICE_RULES);
