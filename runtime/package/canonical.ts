/**
 * Canonical JSON (RFC 8785, JCS): the one byte sequence that digests and signatures cover.
 * Object keys sorted by UTF-16 code units, no whitespace, strings and numbers exactly as
 * ECMAScript `JSON.stringify` writes them. Keys whose value is `undefined` are left out, as
 * `JSON.stringify` does; any other non-JSON value throws.
 */

/**
 * The canonical JSON text of `value`.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, 'x'] }); // '{"a":[true,"x"],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, 0);
  return parts.join('');
}

function write(value: unknown, out: string[], depth: number): void {
  if (depth > 64) throw new TypeError('canonical JSON: nesting deeper than 64');
  if (value === null) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON: numbers must be finite');
      out.push(JSON.stringify(value));
      return;
    case 'object': {
      if (Array.isArray(value)) {
        out.push('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(',');
          write(value[i], out, depth + 1);
        }
        out.push(']');
        return;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new TypeError('canonical JSON: only plain objects');
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      out.push('{');
      keys.forEach((k, i) => {
        if (i > 0) out.push(',');
        out.push(JSON.stringify(k), ':');
        write(record[k], out, depth + 1);
      });
      out.push('}');
      return;
    }
    default:
      throw new TypeError(`canonical JSON: cannot encode a ${typeof value}`);
  }
}
