/**
 * Subscription messages (`marketing.subscribe`) and the user's inbox.
 *
 * Templates belong to an app and are approved by bank ops. On a user tap the host lists the
 * templates; each one the user accepts becomes one unused one-time subscription. `sendMessage`
 * consumes exactly one of them (a conditional update) in the same transaction that puts the
 * message in the `inbox` collection, then announces `message.delivered` on the event bus, which
 * the socket gateway pushes live to the user's host. Users may turn off an app's messages.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { EventBus } from '../events.ts';
import type { Doc, Store } from '../store/types.ts';
import { decodeCursor, encodeCursor, ensureMarketingIndexes, MK, pageSize, publicId, randomCode, type PickerConfirmation, type Scope, type UserScope } from './common.ts';

/** A message template: `content` names its fields as `{{field}}`. */
export interface TemplateDoc extends Doc {
  appId: string;
  title: string;
  content: string;
  fields: string[];
  status: 'pending_review' | 'approved' | 'rejected';
  createdAt: number;
}

/** A message in a user's inbox. */
export interface InboxDoc extends Doc {
  userId: string;
  appId: string;
  env: string;
  templateId: string;
  title: string;
  body: string;
  page: string | null;
  createdAt: number;
  readAt: number | null;
}

interface SubscriptionDoc extends Doc {
  env: string;
  appId: string;
  userId: string;
  templateId: string;
  status: 'unused' | 'used';
  acceptedAt: number;
  usedAt: number | null;
}

/** Templates, one-time subscriptions and the inbox. */
export class MessageService {
  constructor(private readonly bus: Pick<EventBus, 'emit'>) {}

  /** Registers a template for an app (merchant portal); `approved` skips review (demo data). */
  async registerTemplate(store: Store, input: { appId: string; title: string; content: string; templateId?: string; approved?: boolean }, at = Date.now()): Promise<string> {
    await ensureMarketingIndexes(store);
    const fields = [...new Set([...input.content.matchAll(/\{\{([a-z][a-zA-Z0-9]{0,31})\}\}/g)].map((m) => m[1]!))];
    const id = input.templateId ?? `tpl_${randomCode(16)}`;
    await store.collection<TemplateDoc>(MK.templates).updateOne(
      { _id: id },
      { $set: { appId: input.appId, title: input.title, content: input.content, fields, status: input.approved ? 'approved' : 'pending_review' }, $setOnInsert: { createdAt: at } },
      { upsert: true },
    );
    return id;
  }

  /** Bank ops' decision on a template. */
  async reviewTemplate(store: Store, input: { templateId: string; approve: boolean }): Promise<void> {
    const res = await store.collection(MK.templates).updateOne({ _id: input.templateId }, { $set: { status: input.approve ? 'approved' : 'rejected' } });
    if (res.matchedCount !== 1) throw new LilyError('NOT_FOUND', 'No such template.');
  }

  /** Turns an app's messages off (or on again) for a user (host settings). */
  async setBlocked(store: Store, userId: string, appId: string, blocked: boolean): Promise<void> {
    const col = store.collection(MK.messageBans);
    if (blocked) await col.updateOne({ _id: `${userId}|${appId}` }, { $set: { userId, appId } }, { upsert: true });
    else await col.deleteOne({ _id: `${userId}|${appId}` });
  }

  /**
   * Records the user's answers from the host sheet: `host.pickedIds` are the accepted templates
   * (all of them when the sheet confirmed without a list). NOT_FOUND for templates that are not
   * this app's approved ones; USER_CANCELLED when the sheet was closed.
   */
  async requestSubscribe(scope: UserScope, input: { templateIds: string[] }, host: PickerConfirmation | undefined) {
    await ensureMarketingIndexes(scope.store);
    const found = await scope.store.collection<TemplateDoc>(MK.templates).find({ _id: { $in: input.templateIds }, appId: scope.appId, status: 'approved' }).toArray();
    if (found.length !== input.templateIds.length) throw new LilyError('NOT_FOUND', 'Unknown or unapproved template.');
    if (!host || host.confirmed !== true) throw new LilyError('USER_CANCELLED', 'The user closed the subscription sheet.');
    if (await scope.store.collection(MK.messageBans).findOne({ _id: `${scope.userId}|${scope.appId}` })) {
      return { results: input.templateIds.map((templateId) => ({ templateId, status: 'ban' as const })) };
    }
    const accepted = new Set(host.pickedIds ?? input.templateIds);
    const now = scope.now();
    const results = input.templateIds.map((templateId) => ({ templateId, status: accepted.has(templateId) ? ('accept' as const) : ('reject' as const) }));
    await scope.store.transaction(async (tx) => {
      for (const r of results.filter((x) => x.status === 'accept')) {
        await tx.collection<SubscriptionDoc>(MK.subscriptions).insertOne({ _id: publicId('sub'), env: scope.env, appId: scope.appId, userId: scope.userId, templateId: r.templateId, status: 'unused', acceptedAt: now, usedAt: null });
      }
    });
    return { results };
  }

  /**
   * Sends one message to the user's inbox, consuming one unused subscription. NOT_FOUND for
   * unknown templates, INVALID_PARAMS unless `data` fills exactly the template's fields,
   * CONSENT_REQUIRED without an unused subscription or when the user turned messages off.
   */
  async send(scope: Scope, input: { userId: string; openId: string; templateId: string; data: Record<string, string>; page?: string }) {
    await ensureMarketingIndexes(scope.store);
    const template = await scope.store.collection<TemplateDoc>(MK.templates).findOne({ _id: input.templateId, appId: scope.appId, status: 'approved' });
    if (!template) throw new LilyError('NOT_FOUND', 'Unknown or unapproved template.');
    const keys = Object.keys(input.data).sort();
    if (keys.join(',') !== [...template.fields].sort().join(',')) throw new LilyError('INVALID_PARAMS', `data must fill exactly the fields ${template.fields.join(', ')}.`, { field: 'data' });
    if (await scope.store.collection(MK.messageBans).findOne({ _id: `${input.userId}|${scope.appId}` })) throw new LilyError('CONSENT_REQUIRED', 'The user turned off messages from this app.');
    const body = template.content.replace(/\{\{([a-z][a-zA-Z0-9]{0,31})\}\}/g, (_, f: string) => input.data[f] ?? '');
    const now = scope.now();
    const message: InboxDoc = { _id: publicId('msg'), userId: input.userId, appId: scope.appId, env: scope.env, templateId: template._id, title: template.title, body, page: input.page ?? null, createdAt: now, readAt: null };
    await scope.store.transaction(async (tx) => {
      const sub = await tx
        .collection<SubscriptionDoc>(MK.subscriptions)
        .findOneAndUpdate({ env: scope.env, appId: scope.appId, userId: input.userId, templateId: template._id, status: 'unused' }, { $set: { status: 'used', usedAt: now } }, { sort: { acceptedAt: 1 } });
      if (!sub) throw new LilyError('CONSENT_REQUIRED', 'The user has no unused subscription to this template.');
      await tx.collection<InboxDoc>(MK.inbox).insertOne(message);
    });
    this.bus.emit('message.delivered', { userId: input.userId, messageId: message._id, appId: scope.appId, title: message.title, body, at: new Date(now).toISOString() });
    return { messageId: message._id, deliveredAt: now };
  }

  /** The user's inbox, newest first (host). */
  async inbox(store: Store, userId: string, input: { limit?: number; cursor?: string } = {}) {
    const n = pageSize(input.limit);
    const query: Record<string, unknown> = { userId };
    if (input.cursor !== undefined) {
      const c = decodeCursor(input.cursor);
      query['$or'] = [{ createdAt: { $lt: c.at } }, { createdAt: c.at, _id: { $lt: c.id } }];
    }
    const docs = await store.collection<InboxDoc>(MK.inbox).find(query, { sort: { createdAt: -1, _id: -1 }, limit: n + 1 }).toArray();
    const page = docs.slice(0, n);
    const last = page[page.length - 1];
    return { messages: page.map(({ userId: _u, ...m }) => m), nextCursor: docs.length > n && last ? encodeCursor(last.createdAt, last._id) : null };
  }

  /** Marks one of the user's messages read (host); NOT_FOUND for another user's message. A message read before keeps its first read time. */
  async markRead(store: Store, userId: string, messageId: string, at: number): Promise<void> {
    const col = store.collection(MK.inbox);
    const res = await col.updateOne({ _id: messageId, userId, readAt: null }, { $set: { readAt: at } });
    if (res.matchedCount !== 1 && !(await col.findOne({ _id: messageId, userId }))) throw new LilyError('NOT_FOUND', 'No such message.');
  }

  /** Marks every unread message of the user read (host); answers how many changed. */
  async markAllRead(store: Store, userId: string, at: number): Promise<number> {
    await ensureMarketingIndexes(store);
    return (await store.collection(MK.inbox).updateMany({ userId, readAt: null }, { $set: { readAt: at } })).modifiedCount;
  }

  /** How many of the user's messages are unread (host badge). */
  async unreadCount(store: Store, userId: string): Promise<number> {
    await ensureMarketingIndexes(store);
    return store.collection(MK.inbox).countDocuments({ userId, readAt: null });
  }
}
