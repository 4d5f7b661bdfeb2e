/**
 * Update documents for the embedded engine: validation, operator application (mingo's update
 * operators), and the document an upsert inserts. Also the upsert `_id` rule both backends share.
 */
import { update as mingoUpdate } from 'mingo';
import * as mingoOps from 'mingo/operators/update';
import { isLiteral } from './sql.ts';
import type { Doc, Filter, Update } from './types.ts';

type Mutator = (expr: Record<string, never>) => (obj: Record<string, unknown>) => string[];

// Called one by one, mingo's operators cost a few µs per update; its `update()` entry point
// rebuilds a whole query context each call (~20× slower), so it only serves positional paths.
const OPERATORS: Record<string, Mutator> = {
  $set: mingoOps.$set as Mutator,
  $unset: mingoOps.$unset as Mutator,
  $inc: mingoOps.$inc as Mutator,
  $mul: mingoOps.$mul as Mutator,
  $min: mingoOps.$min as Mutator,
  $max: mingoOps.$max as Mutator,
  $push: mingoOps.$push as Mutator,
  $pull: mingoOps.$pull as Mutator,
  $pullAll: mingoOps.$pullAll as Mutator,
  $addToSet: mingoOps.$addToSet as Mutator,
  $pop: mingoOps.$pop as Mutator,
  $rename: mingoOps.$rename as Mutator,
  $currentDate: mingoOps.$currentDate as Mutator,
};
const SET_ON_INSERT = '$setOnInsert';

/** MongoDB's message (error code 66) when an update would change `_id`. */
export const IMMUTABLE_ID_MESSAGE =
  "Performing an update on the path '_id' would modify the immutable field '_id'";

/** True for `{ $gt: 1 }`-like objects, as opposed to literal values such as embedded documents. */
export function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (value instanceof Date || value instanceof RegExp) return false;
  const first = Object.keys(value)[0];
  return first !== undefined && first.startsWith('$');
}

/** Throws unless `update` is a non-empty document of known update operators. */
export function assertUpdateDoc(update: Update): void {
  if (update === null || typeof update !== 'object' || Array.isArray(update)) {
    throw new TypeError('Update document must be an object of update operators');
  }
  const ops = Object.keys(update);
  if (ops.length === 0 || ops.some((op) => !op.startsWith('$'))) {
    throw new Error('Update document requires atomic operators');
  }
  for (const op of ops) {
    if (op !== SET_ON_INSERT && !(op in OPERATORS)) throw new Error(`Unknown update operator: '${op}'`);
    const expr = update[op];
    if (expr === null || typeof expr !== 'object' || Array.isArray(expr)) {
      throw new Error(`Modifiers operate on fields but we found a non-object argument for ${op}`);
    }
  }
  assertNoConflicts(update);
}

function assertNoConflicts(update: Update): void {
  const paths: string[] = [];
  for (const [op, expr] of Object.entries(update)) {
    for (const [path, arg] of Object.entries(expr as Record<string, unknown>)) {
      paths.push(path);
      if (op === '$rename' && typeof arg === 'string') paths.push(arg);
    }
  }
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      const a = paths[i] as string;
      const b = paths[j] as string;
      if (a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)) {
        throw new Error(`Updating the path '${a}' would create a conflict at '${b}'`);
      }
    }
  }
}

/** The value at a dotted path of a document (undefined through arrays or missing fields). */
export function valueAt(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

// mingo skips `$inc` on a non-number silently; MongoDB rejects the whole update.
function assertNumericTargets(doc: Doc, update: Update): void {
  for (const op of ['$inc', '$mul'] as const) {
    const expr = update[op] as Record<string, unknown> | undefined;
    if (!expr) continue;
    for (const [path, amount] of Object.entries(expr)) {
      if (typeof amount !== 'number') throw new Error(`Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument`);
      if (path.includes('$')) continue;
      const current = valueAt(doc, path);
      if (current !== undefined && typeof current !== 'number') {
        throw new Error(`Cannot apply ${op} to a value of non-numeric type. The field '${path}' is of type ${current === null ? 'null' : typeof current}`);
      }
    }
  }
}

/**
 * Applies `update` to `doc` in place and reports whether anything changed. `$setOnInsert` applies
 * only when `inserting`. Throws MongoDB's error when the update would change `_id`; while
 * inserting, `$set`/`$setOnInsert` may supply the `_id` of the new document.
 */
export function applyUpdate(doc: Doc, update: Update, filter: Filter, inserting: boolean): boolean {
  const ops: Record<string, Record<string, unknown>> = {};
  for (const [op, expr] of Object.entries(update)) {
    if (op === SET_ON_INSERT && !inserting) continue;
    const target = op === SET_ON_INSERT ? '$set' : op;
    ops[target] = { ...ops[target], ...(expr as Record<string, unknown>) };
  }
  // mingo refuses any `_id` path; MongoDB allows setting it to its current value, or choosing it
  // on insert.
  const set = ops.$set;
  if (set && '_id' in set) {
    const { _id: id, ...rest } = set;
    if (inserting && doc._id === undefined) doc._id = id as string;
    else if (id !== doc._id) throw new Error(IMMUTABLE_ID_MESSAGE);
    ops.$set = rest;
  }
  assertNumericTargets(doc, ops);
  const idBefore = doc._id;
  let modified = false;
  const positional = Object.values(ops).some((expr) => Object.keys(expr).some((p) => p.includes('$')));
  if (positional) {
    modified = mingoUpdate(doc, ops, [], filter).length > 0;
  } else {
    for (const [op, expr] of Object.entries(ops)) {
      if (Object.keys(expr).length === 0) continue;
      if (op === '$set' && isPlainSet(expr)) {
        if (setPlain(doc, expr)) modified = true;
        continue;
      }
      const mutate = OPERATORS[op] as Mutator;
      if (mutate(expr as Record<string, never>)(doc).length > 0) modified = true;
    }
  }
  if (doc._id !== idBefore) throw new Error(IMMUTABLE_ID_MESSAGE);
  return modified;
}

/** A value `$set` may store as is and compare exactly: a literal scalar or a valid date. */
function isScalar(value: unknown): boolean {
  return isLiteral(value) && (typeof value !== 'object' || value === null || value instanceof Date);
}

/**
 * True for the most common update, `$set` of top-level fields to scalars or dates, which
 * {@link setPlain} applies without mingo (whose operator machinery costs more than the rest of a
 * small update together).
 */
function isPlainSet(expr: Record<string, unknown>): boolean {
  for (const path in expr) {
    if (path.includes('.') || path.includes('$') || !isScalar(expr[path])) return false;
  }
  return true;
}

/** Applies a plain `$set` (see {@link isPlainSet}); true when some field changed. */
function setPlain(doc: Record<string, unknown>, expr: Record<string, unknown>): boolean {
  let changed = false;
  for (const path in expr) {
    const next = expr[path];
    const current = doc[path];
    const same =
      next instanceof Date ? current instanceof Date && current.getTime() === next.getTime() : current === next;
    if (same) continue;
    doc[path] = next instanceof Date ? new Date(next.getTime()) : next;
    changed = true;
  }
  return changed;
}

function forEachEquality(filter: Filter, visit: (path: string, value: unknown) => void): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const sub of value) forEachEquality(sub as Filter, visit);
    } else if (key.startsWith('$') || value instanceof RegExp) {
      continue;
    } else if (isOperatorObject(value)) {
      if ('$eq' in value) visit(key, value.$eq);
    } else {
      visit(key, value);
    }
  }
}

/** The `_id` an upsert takes from its filter (`{_id: 'x'}` or `{_id: {$eq: 'x'}}`), if any. */
export function filterId(filter: Filter): unknown {
  let id: unknown;
  forEachEquality(filter, (path, value) => {
    if (path === '_id') id = value;
  });
  return id;
}

/**
 * The document an upsert starts from: the equality conditions of the filter (top level and inside
 * `$and`), dotted paths expanded, as MongoDB builds it. The update is applied on top.
 */
export function upsertSeed(filter: Filter): Doc {
  const seed: Record<string, unknown> = {};
  forEachEquality(filter, (path, value) => {
    const segs = path.split('.');
    let cur = seed;
    for (const seg of segs.slice(0, -1)) {
      const next = cur[seg];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[seg] = {};
      cur = cur[seg] as Record<string, unknown>;
    }
    // A copy: operators such as $push must not mutate the caller's filter.
    cur[segs[segs.length - 1] as string] = structuredClone(value);
  });
  return seed as Doc;
}

/**
 * The update an upsert should send so that the inserted document gets a string `_id`: unchanged
 * when the filter or the update already chooses one, otherwise with `$setOnInsert._id` added.
 */
export function withUpsertId(filter: Filter, update: Update, makeId: () => string): Update {
  if (filterId(filter) !== undefined) return update;
  for (const op of ['$set', SET_ON_INSERT]) {
    const expr = update[op] as Record<string, unknown> | undefined;
    if (expr && '_id' in expr) return update;
  }
  const soi = (update[SET_ON_INSERT] ?? {}) as Record<string, unknown>;
  return { ...update, [SET_ON_INSERT]: { ...soi, _id: makeId() } };
}
