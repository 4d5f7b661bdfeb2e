/**
 * The double-entry ledger: account ids per environment, `postEntry` inside callers' transactions,
 * replay and invariant checks.
 */
export { accountId, accounts, ENVS, mayGoNegative, parseAccountId, type AccountKind, type AccountRef } from './accounts.ts';
export {
  ACCOUNTS_COLLECTION,
  ensureLedgerIndexes,
  JOURNAL_COLLECTION,
  Ledger,
  LedgerError,
  normalizePostings,
  postEntry,
  type AccountDoc,
  type EntryInput,
  type EntryMeta,
  type InvariantReport,
  type JournalDoc,
  type Mismatch,
  type Posting,
  type ReplayReport,
} from './ledger.ts';
