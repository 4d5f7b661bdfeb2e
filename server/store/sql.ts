/**
 * How documents map onto SQLite for the embedded engine: table and index names, index key
 * expressions, partial-index filters, and the SQL pre-filter that narrows a query to the rows an
 * index can find (mingo then applies the full filter to those rows).
 *
 * An indexed field's key is `IFNULL(doc->'$."field"', 'null')`: the field's JSON text, so values
 * of different types never collide (`1`, `"1"`, `true` differ), and a missing field keys as
 * `null`, as in MongoDB (two documents without the field collide in a unique index unless a
 * partial filter leaves them out).
 */
import type { Filter } from './types.ts';
import { encode } from './serialize.ts';
import { isOperatorObject } from './update.ts';

/** A stored index definition (the options MongoDB's `createIndex` takes, normalised). */
export interface IndexSpec {
  name: string;
  keys: Array<[field: string, direction: 1 | -1]>;
  unique: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Filter;
}

/** Double-quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Single-quotes an SQL string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Throws unless `name` is a valid collection name. */
export function assertCollectionName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200 || /[\0$]/.test(name) || name.startsWith('system.')) {
    throw new Error(`Invalid collection name: ${JSON.stringify(name)}`);
  }
}

/** The table holding a collection. */
export function tableName(collection: string): string {
  return quoteIdent(`c:${collection}`);
}

/** The SQLite name of a collection's index (the prefix lets a constraint error name it back). */
export function sqliteIndexName(collection: string, index: string): string {
  return `i:${collection}:${index}`;
}

function pathText(field: string): string {
  const segs = field.split('.');
  for (const seg of segs) {
    if (seg.length === 0 || seg.includes('"') || seg.startsWith('$')) {
      throw new Error(`Unsupported field path in an index: ${JSON.stringify(field)}`);
    }
  }
  return `$${segs.map((s) => `."${s}"`).join('')}`;
}

/** A field path as an SQL literal holding an SQLite JSON path: `a.b` → `'$."a"."b"'`. */
export function jsonPath(field: string): string {
  return quoteLiteral(pathText(field));
}

/** The index key of a field: its JSON text, `'null'` when missing. */
export function keyExpr(field: string): string {
  return `IFNULL(doc->${jsonPath(field)}, 'null')`;
}

/** True when the field is present (even if null): MongoDB's `{$exists: true}`. */
export function presentExpr(field: string): string {
  return `doc->${jsonPath(field)} IS NOT NULL`;
}

/** The milliseconds of a Date field (stored as `{"$date": ms}`), NULL for anything else. */
export function dateExpr(field: string): string {
  return `json_extract(doc, ${quoteLiteral(`${pathText(field)}."$date"`)})`;
}

/** MongoDB's default index name: `a_1_b_-1`. */
export function defaultIndexName(keys: Array<[string, 1 | -1]>): string {
  return keys.map(([f, d]) => `${f}_${d}`).join('_');
}

const COMPARE: Record<string, string> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

function partialTerm(field: string, op: string, arg: unknown): string {
  if (op === '$exists' && (arg === true || arg === 1)) return presentExpr(field);
  if (op === '$eq' && arg === null) return `${keyExpr(field)} = 'null'`;
  if (op === '$eq' && isLiteral(arg)) return `doc->${jsonPath(field)} = ${quoteLiteral(encode(arg))}`;
  const cmp = COMPARE[op];
  if (cmp && typeof arg === 'number' && Number.isFinite(arg)) {
    const p = jsonPath(field);
    return `json_type(doc, ${p}) IN ('integer', 'real') AND json_extract(doc, ${p}) ${cmp} ${arg}`;
  }
  if (cmp && arg instanceof Date && !Number.isNaN(arg.getTime())) return `${dateExpr(field)} ${cmp} ${arg.getTime()}`;
  throw new Error(
    `Unsupported partialFilterExpression on '${field}': ${op} ${encode(arg)} ` +
      '(supported: equality, $eq, $exists: true, $gt/$gte/$lt/$lte on numbers or dates, $and)',
  );
}

/** Translates a `partialFilterExpression` into the WHERE clause of a partial SQLite index. */
export function partialSql(filter: Filter): string {
  const terms: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const sub of value) terms.push(partialSql(sub as Filter));
    } else if (key.startsWith('$')) {
      throw new Error(`Unsupported operator in partialFilterExpression: ${key}`);
    } else if (isOperatorObject(value)) {
      for (const [op, arg] of Object.entries(value)) terms.push(partialTerm(key, op, arg));
    } else {
      terms.push(partialTerm(key, '$eq', value));
    }
  }
  if (terms.length === 0) throw new Error('partialFilterExpression must not be empty');
  return terms.map((t) => `(${t})`).join(' AND ');
}

/** The CREATE INDEX statements for an index (a TTL index gets a second one, on the date). */
export function indexDdl(collection: string, spec: IndexSpec): string[] {
  const where = spec.partialFilterExpression ? ` WHERE ${partialSql(spec.partialFilterExpression)}` : '';
  const cols = spec.keys.map(([f, d]) => `${keyExpr(f)}${d === -1 ? ' DESC' : ''}`).join(', ');
  const table = tableName(collection);
  const ddl = [
    `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(sqliteIndexName(collection, spec.name))} ON ${table} (${cols})${where}`,
  ];
  const ttlField = spec.expireAfterSeconds !== undefined ? spec.keys[0]?.[0] : undefined;
  if (ttlField !== undefined) {
    ddl.push(`CREATE INDEX ${quoteIdent(`t:${collection}:${spec.name}`)} ON ${table} (${dateExpr(ttlField)})${where}`);
  }
  return ddl;
}

/** SQL that is true when a document holds an array anywhere along `field`'s path. */
export function arrayAlongSql(field: string): string {
  const segs = field.split('.');
  return segs.map((_, i) => `json_type(doc, ${jsonPath(segs.slice(0, i + 1).join('.'))}) = 'array'`).join(' OR ');
}

/** Whether `doc` holds an array anywhere along `field`'s path (MongoDB calls such an index multikey). */
export function isMultikey(doc: Record<string, unknown>, field: string): boolean {
  let cur: unknown = doc;
  for (const seg of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<string, unknown>)[seg];
    if (Array.isArray(cur)) return true;
  }
  return false;
}

/**
 * A value whose JSON text identifies it exactly, so that key equality is MongoDB equality:
 * strings, booleans, null, finite numbers, valid Dates, and plain objects of such values (arrays
 * allowed inside objects). Top-level arrays are left to mingo (they match elements too).
 */
export function isLiteral(value: unknown, nested = false): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (value instanceof Date) return !Number.isNaN(value.getTime());
      if (Array.isArray(value)) return nested && value.every((v) => isLiteral(v, true));
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      return Object.entries(value).every(([k, v]) => !k.startsWith('$') && isLiteral(v, true));
    }
    default:
      return false;
  }
}

/** The values a condition accepts when it is an equality or `$in` of exact values. */
function equalityValues(cond: unknown): unknown[] | undefined {
  if (!isOperatorObject(cond)) return isLiteral(cond) ? [cond] : undefined;
  const ops = Object.keys(cond);
  if (ops.length !== 1) return undefined;
  const values = ops[0] === '$eq' ? [cond.$eq] : ops[0] === '$in' && Array.isArray(cond.$in) ? cond.$in : undefined;
  return values?.every((v) => isLiteral(v)) ? values : undefined;
}

/** The SQL pre-filter for a query. */
export interface Plan {
  /** AND-ed SQL terms, or `''` for all rows. */
  where: string;
  params: unknown[];
  /** True when `where` is exactly the filter, so rows need no further mingo test. */
  exact: boolean;
}

/**
 * Turns the equality and `$in` conditions of a filter (top level and inside `$and`) on `_id` and
 * on `usable` indexed fields into SQL terms that SQLite's planner can answer from an index. The
 * terms select a superset of the matches; the rest of the filter is left to mingo.
 *
 * A field is usable only while no stored document holds an array along its path: MongoDB's
 * `{tags: 'x'}` also matches `tags: ['x', 'y']`, which a whole-value key would miss.
 */
export function planQuery(filter: Filter, usable: (field: string) => boolean): Plan {
  const terms: string[] = [];
  const params: unknown[] = [];
  let exact = true;
  const visit = (f: Filter): void => {
    for (const [field, cond] of Object.entries(f)) {
      if (field === '$and' && Array.isArray(cond) && cond.length > 0) {
        for (const sub of cond) visit(sub as Filter);
        continue;
      }
      const values = field.startsWith('$') ? undefined : equalityValues(cond);
      const isId = field === '_id' && values?.every((v) => typeof v === 'string');
      if (!values || (!isId && !usable(field))) {
        exact = false;
        continue;
      }
      if (values.length === 0) {
        terms.push('0');
        continue;
      }
      const lhs = isId ? 'id' : keyExpr(field);
      terms.push(values.length === 1 ? `${lhs} = ?` : `${lhs} IN (${values.map(() => '?').join(', ')})`);
      params.push(...(isId ? values : values.map(encode)));
      // Names the same term as a `{$exists: true}` partial index, so SQLite may use that index.
      if (!isId && !values.includes(null)) terms.push(presentExpr(field));
    }
  };
  visit(filter);
  return { where: terms.join(' AND '), params, exact };
}
