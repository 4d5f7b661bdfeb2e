/**
 * Document ⇄ JSON text for the embedded engine.
 *
 * JSON has no Date, so a Date is stored as the tagged object `{"$date": <ms since epoch>}` and
 * revived on read. An object whose only key is `$date` is therefore reserved (MongoDB's extended
 * JSON uses the same tag). `undefined` is stored as `null`, as the MongoDB driver does by default
 * (`ignoreUndefined: false`); functions and symbols are dropped. Non-finite numbers become `null`
 * (a JSON limitation).
 */

const DATE_TAG = '$date';

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // `this[key]` is the value before `Date.prototype.toJSON` turned it into a string.
  const raw = this[key];
  if (raw instanceof Date) {
    const ms = raw.getTime();
    return { [DATE_TAG]: Number.isNaN(ms) ? null : ms };
  }
  return value === undefined ? null : value;
}

/** Serializes a document (or any value) to JSON text, tagging Dates. */
export function encode(value: unknown): string {
  return JSON.stringify(value, replacer);
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === DATE_TAG) {
      const ms = obj[DATE_TAG];
      if (typeof ms === 'number') return new Date(ms);
      if (ms === null) return new Date(Number.NaN);
    }
    for (const k of keys) obj[k] = revive(obj[k]);
  }
  return value;
}

/** Parses JSON text written by {@link encode}, reviving tagged Dates. */
export function decode<T = unknown>(text: string): T {
  const value: unknown = JSON.parse(text);
  // Most documents hold no Date: skip the walk when the tag cannot occur.
  return (text.includes('"$date"') ? revive(value) : value) as T;
}
