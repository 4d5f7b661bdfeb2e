/**
 * Server handler of `base.support`: answers from a BM25 index over the FAQ, the capability docs
 * and the method summaries of the catalog, and on `handoff` opens (or adds to) the user's ticket
 * in `support_tickets`, the queue bank ops work from.
 */
import { LilyError } from '../../protocol/errors.ts';
import { DuplicateKeyError, type Doc, type Store } from '../../server/store/types.ts';
import type { CapabilityContext } from '../context.ts';
import { defineHandlers, type CapabilityHandlers } from '../define.ts';
import { randomId } from '../ids.ts';
import type { AnyCapability } from '../registry.ts';
import { buildBm25, type IndexedDoc } from './bm25.ts';
import { FAQ, type FaqEntry } from './faq.ts';
import support from './support.ts';

/** The ops queue. */
export const TICKET_COLLECTION = 'support_tickets';
/** Messages one open ticket holds before the user must wait for an answer. */
export const MAX_TICKET_MESSAGES = 50;

/** A support ticket as ops read it. */
export interface TicketDoc extends Doc {
  env: string;
  appId: string;
  userId: string;
  openId: string;
  status: 'open' | 'closed';
  messages: { from: 'user' | 'agent'; text: string; at: Date }[];
  /** Titles of the answers the assistant offered before the hand-off, for the agent. */
  suggested: string[];
  createdAt: Date;
  updatedAt: Date;
}

interface Entry {
  readonly title: string;
  readonly text: string;
  readonly source: 'faq' | 'capability' | 'method';
  readonly capabilityId: string | null;
  /** Path below the docs base URL. */
  readonly path: string;
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const plain = (md: string) =>
  md.replace(/```[\s\S]*?```/g, ' ').replace(/[*`>]/g, '').replace(/\s+/g, ' ').trim();

/** Splits markdown docs into plain-text paragraphs and list items, without headings or code. */
export function docSections(md: string): string[] {
  const out: string[] = [];
  for (const block of md.replace(/```[\s\S]*?```/g, '\n\n').split(/\n\s*\n/)) {
    if (block.trim().startsWith('|')) {
      // A table: keep its body rows as "cell: cell" facts.
      const rows = block.trim().split('\n').slice(2).map((r) => r.split('|').map((c) => c.trim()).filter(Boolean).join(': '));
      if (rows.length) out.push(plain(rows.join('; ')));
      continue;
    }
    const items = block.split(/\n(?=\s*(?:[-*]|\d+\.) )/);
    for (const item of items) {
      const text = plain(item.replace(/^\s*(?:[-*]|\d+\.) /, '').replace(/^#+ .*$/gm, ''));
      if (text.length >= 20) out.push(text);
    }
  }
  return out;
}

/** Builds the searchable entries and their index. */
export function buildSupportIndex(capabilities: readonly AnyCapability[], faq: readonly FaqEntry[] = FAQ) {
  const entries = new Map<string, Entry>();
  const docs: IndexedDoc[] = [];
  for (const f of faq) {
    const path = f.capabilityId ? `/capabilities/${f.capabilityId}` : `/faq#${f.id}`;
    entries.set(`faq:${f.id}`, { title: f.question, text: f.answer, source: 'faq', capabilityId: f.capabilityId ?? null, path });
    docs.push({ id: `faq:${f.id}`, fields: [{ text: f.question, weight: 3 }, { text: f.also.join(' '), weight: 2 }, { text: f.answer, weight: 1 }] });
  }
  for (const cap of capabilities) {
    const names = `${cap.titleZh} ${cap.title}`;
    const title = clip(`${cap.titleZh}（${cap.title}）`, 120);
    entries.set(`cap:${cap.id}`, { title, text: clip(cap.description, 800), source: 'capability', capabilityId: cap.id, path: `/capabilities/${cap.id}` });
    docs.push({ id: `cap:${cap.id}`, fields: [{ text: `${names} ${cap.id}`, weight: 3 }, { text: cap.description, weight: 2 }] });
    // Each paragraph or bullet of the docs is its own answer, so a question finds the rule it asks about.
    docSections(cap.docs).forEach((section, i) => {
      const id = `doc:${cap.id}:${i}`;
      entries.set(id, { title, text: clip(section, 800), source: 'capability', capabilityId: cap.id, path: `/capabilities/${cap.id}` });
      docs.push({ id, fields: [{ text: section, weight: 2 }, { text: names, weight: 1 }] });
    });
    for (const [name, spec] of Object.entries(cap.methods)) {
      const id = `method:${cap.id}.${name}`;
      entries.set(id, {
        title: clip(`${cap.titleZh} · ${name}`, 120),
        text: clip(`${spec.summary} (lily.${cap.id}.${name})`, 800),
        source: 'method',
        capabilityId: cap.id,
        path: `/capabilities/${cap.id}#${name}`,
      });
      docs.push({ id, fields: [{ text: `${name} ${spec.summary}`, weight: 2 }, { text: `${names} ${spec.description ?? ''}`, weight: 1 }] });
    }
  }
  return { entries, index: buildBm25(docs) };
}

const indexed = new WeakMap<Store, Promise<unknown>>();
function ensureIndexes(store: Store): Promise<unknown> {
  let p = indexed.get(store);
  if (!p) {
    const col = store.collection(TICKET_COLLECTION);
    p = Promise.all([
      // One open ticket per user × app: concurrent hand-offs meet on the same ticket.
      col.createIndex({ env: 1, appId: 1, userId: 1 }, { unique: true, name: 'one_open_ticket', partialFilterExpression: { status: 'open' } }),
      col.createIndex({ status: 1, createdAt: 1 }),
    ]);
    indexed.set(store, p);
  }
  return p;
}

async function handoff(ctx: CapabilityContext, question: string, suggested: string[]): Promise<{ ticketId: string; queuePosition: number }> {
  await ensureIndexes(ctx.store);
  const col = ctx.store.collection<TicketDoc>(TICKET_COLLECTION);
  const owner = { env: ctx.env, appId: ctx.appId, userId: ctx.userId, status: 'open' as const };
  const at = new Date(ctx.now());
  const message = { from: 'user' as const, text: question, at };
  for (let attempt = 0; attempt < 3; attempt++) {
    const open = await col.findOneAndUpdate(
      { ...owner, [`messages.${MAX_TICKET_MESSAGES - 1}`]: { $exists: false } },
      { $push: { messages: message }, $set: { updatedAt: at } },
      { returnDocument: 'after' },
    );
    if (open) {
      const queuePosition = await position(ctx, open);
      ctx.notifyOps?.('support.ticket', { ticketId: open._id, appId: ctx.appId, env: ctx.env, text: question, queuePosition });
      return { ticketId: open._id, queuePosition };
    }
    if (await col.findOne(owner)) {
      throw new LilyError('LIMIT_EXCEEDED', 'Your conversation is waiting for the service team; please wait for their answer.');
    }
    const doc: TicketDoc = { _id: randomId('tk', 16), ...owner, openId: ctx.openId, messages: [message], suggested, createdAt: at, updatedAt: at };
    try {
      await col.insertOne(doc);
      await ctx.audit('support.handoff', { ticketId: doc._id });
      const queuePosition = await position(ctx, doc);
      ctx.notifyOps?.('support.ticket', { ticketId: doc._id, appId: ctx.appId, env: ctx.env, text: question, queuePosition });
      return { ticketId: doc._id, queuePosition };
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      // Another hand-off opened the ticket first: add to it on the next pass.
    }
  }
  throw new LilyError('CONFLICT', 'The ticket changed while we were updating it; try again.');
}

function position(ctx: CapabilityContext, ticket: TicketDoc): Promise<number> {
  return ctx.store.collection<TicketDoc>(TICKET_COLLECTION).countDocuments({ env: ctx.env, status: 'open', createdAt: { $lte: ticket.createdAt } });
}

/**
 * Handlers of `base.support`, answering from `capabilities` (the catalog) and `faq`.
 * The index is built on the first question.
 */
export function createSupportHandlers(capabilities: readonly AnyCapability[], faq: readonly FaqEntry[] = FAQ): CapabilityHandlers {
  let built: ReturnType<typeof buildSupportIndex> | undefined;
  return defineHandlers(support, {
    async openCustomerService(ctx, params) {
      built ??= buildSupportIndex(capabilities, faq);
      const base = ctx.config.docsBaseUrl ?? '/dev';
      const answers = built.index.search(params.question, params.limit ?? 3).map((hit) => {
        const e = built!.entries.get(hit.id)!;
        return { title: e.title, text: e.text, source: e.source, capabilityId: e.capabilityId, link: `${base}${e.path}`, score: Math.round(hit.score * 100) / 100 };
      });
      if (!params.handoff) return { answers, ticketId: null, queuePosition: null };
      const { ticketId, queuePosition } = await handoff(ctx, params.question, answers.map((a) => a.title));
      return { answers, ticketId, queuePosition };
    },
  });
}
