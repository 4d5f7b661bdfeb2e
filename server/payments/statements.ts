/**
 * Daily reconciliation statements per app and environment, built from the ledger journal: every
 * entry of the CST day that moved the app's settlement account appears once, with its signed
 * amount (positive to the merchant) and the bank fee. A statement is published once, from 09:00
 * the next day, and never changes afterwards (it is stored the first time it is asked for).
 *
 * The SM3 checksum covers the exact statement bytes: for CSV the CSV text; for JSON the entries
 * array serialized canonically (keys sorted, no spaces) — the entries are returned with their keys
 * already in that order, so `JSON.stringify(entries)` on the parsed response gives the same bytes.
 */
import { LilyError } from '../../protocol/errors.ts';
import { canonicalJson } from '../../runtime/package/canonical.ts';
import { sm3 } from '../crypto/sm3.ts';
import { accounts } from '../ledger/accounts.ts';
import { JOURNAL_COLLECTION, type JournalDoc } from '../ledger/ledger.ts';
import type { Doc } from '../store/types.ts';
import { C, cstDayRange, ensurePaymentIndexes, type Scope } from './common.ts';

/** Kinds of statement entry. */
export type StatementEntryType = 'payment' | 'refund' | 'capture' | 'split' | 'escrow' | 'fee';

/** One statement line; keys in sorted order (see the module comment). */
export interface StatementEntry {
  amount: number;
  at: number;
  feeAmount: number;
  id: string;
  orderId: string;
  outTradeNo: string;
  type: StatementEntryType;
}

interface StatementDoc extends Doc {
  env: string;
  appId: string;
  date: string;
  type: 'all' | 'payment' | 'refund';
  entries: StatementEntry[];
  publishedAt: number;
}

/** Statements are published this long after the day ends (09:00 CST the next day). */
export const STATEMENT_DELAY_MS = 9 * 3600 * 1000;

/** The CSV columns, in order. */
export const CSV_COLUMNS = ['type', 'id', 'orderId', 'outTradeNo', 'amount', 'feeAmount', 'at'] as const;

const TYPES: ReadonlySet<string> = new Set<StatementEntryType>(['payment', 'refund', 'capture', 'split', 'escrow', 'fee']);

/** Builds the entries of one day from the journal. */
async function buildEntries(scope: Scope, start: number, end: number, type: StatementDoc['type']): Promise<StatementEntry[]> {
  const merchant = accounts.merchant(scope.env, scope.appId);
  const fees = accounts.fees(scope.env);
  const journal = await scope.store
    .collection<JournalDoc>(JOURNAL_COLLECTION)
    .find({ env: scope.env, appId: scope.appId, at: { $gte: start, $lt: end } }, { sort: { at: 1, _id: 1 } })
    .toArray();
  const out: StatementEntry[] = [];
  for (const e of journal) {
    const kind = e.meta.type;
    if (typeof kind !== 'string' || !TYPES.has(kind)) continue;
    if (type !== 'all' && kind !== type) continue;
    let toMerchant = 0;
    let fee = 0;
    for (const p of e.postings) {
      if (p.account === merchant) toMerchant += p.amount;
      else if (p.account === fees) fee += p.amount;
    }
    if (toMerchant === 0 && fee === 0) continue;
    out.push({
      amount: toMerchant + fee,
      at: e.at,
      feeAmount: fee,
      id: String(e.meta.id ?? ''),
      orderId: String(e.meta.orderId ?? ''),
      outTradeNo: String(e.meta.outTradeNo ?? ''),
      type: kind as StatementEntryType,
    });
  }
  return out;
}

/** The statement as CSV text with a header row, one line per entry, `\n` line ends. */
export function statementCsv(entries: readonly StatementEntry[]): string {
  const rows = entries.map((e) => CSV_COLUMNS.map((c) => String(e[c])).join(','));
  return `${[CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

/** Input of {@link getStatement} (the `getStatement` params). */
export interface GetStatementInput {
  date: string;
  format?: 'json' | 'csv';
  type?: 'all' | 'payment' | 'refund';
}

/**
 * The statement of one CST day. INVALID_STATE before 09:00 the next day; NOT_FOUND for a day
 * that ended before the app existed.
 */
export async function getStatement(scope: Scope, input: GetStatementInput) {
  await ensurePaymentIndexes(scope.store);
  const range = cstDayRange(input.date);
  if (!range) throw new LilyError('INVALID_PARAMS', 'date must be a real day, YYYY-MM-DD.', { field: 'date' });
  const format = input.format ?? 'json';
  const type = input.type ?? 'all';
  const now = scope.now();
  if (now < range.end + STATEMENT_DELAY_MS) {
    throw new LilyError('INVALID_STATE', `The statement of ${input.date} is published at 09:00 (CST) the next day.`, {
      readyAt: range.end + STATEMENT_DELAY_MS,
    });
  }
  const app = await scope.store.collection<Doc & { createdAt?: Date }>('apps').findOne({ _id: scope.appId });
  if (!app || (app.createdAt instanceof Date && range.end <= app.createdAt.getTime())) {
    throw new LilyError('NOT_FOUND', 'The app did not exist on that day.');
  }
  const col = scope.store.collection<StatementDoc>(C.statements);
  const id = `${scope.env}|${scope.appId}|${input.date}|${type}`;
  let doc = await col.findOne({ _id: id });
  if (!doc) {
    const entries = await buildEntries(scope, range.start, range.end, type);
    await col.updateOne(
      { _id: id },
      { $setOnInsert: { env: scope.env, appId: scope.appId, date: input.date, type, entries, publishedAt: now } },
      { upsert: true },
    );
    doc = (await col.findOne({ _id: id }))!;
  }
  const entries = doc.entries;
  const totals = { paymentAmount: 0, refundAmount: 0, feeAmount: 0, netAmount: 0 };
  for (const e of entries) {
    if (e.type === 'payment' || e.type === 'capture') totals.paymentAmount += e.amount;
    if (e.type === 'refund') totals.refundAmount -= e.amount;
    totals.feeAmount += e.feeAmount;
    totals.netAmount += e.amount - e.feeAmount;
  }
  const base = { date: input.date, count: entries.length, totals };
  if (format === 'csv') {
    const csv = statementCsv(entries);
    return { ...base, format: 'csv' as const, sm3: sm3(csv), csv };
  }
  return { ...base, format: 'json' as const, sm3: sm3(canonicalJson(entries)), entries };
}
