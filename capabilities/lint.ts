/**
 * House rules for capability schemas, checked by the registry when it loads the definitions:
 *
 * - objects are closed (`additionalProperties: false`), or are bounded maps (a schema for the
 *   values plus `maxProperties`);
 * - strings are bounded (`maxLength`, or an `enum`/`const`);
 * - arrays have `items` and `maxItems`;
 * - every property has a `description` (the catalog renders it);
 * - money (`amount`, `balance`, `price`, `fee`, `…Fen` properties) is an integer number of fen
 *   with a `minimum`;
 * - only the keywords `FromSchema` understands are used, so handler types stay exact.
 */
import type { JSONSchema } from './schema-types.ts';

const MONEY = /(amount|balance|price|fee|fen)$/i;

const KNOWN = new Set([
  '$comment', 'title', 'description', 'type', 'enum', 'const', 'default', 'examples', 'deprecated',
  'properties', 'required', 'additionalProperties', 'propertyNames', 'minProperties', 'maxProperties',
  'items', 'minItems', 'maxItems', 'uniqueItems', 'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'oneOf', 'anyOf',
]);

function types(schema: JSONSchema): readonly string[] {
  if (schema.type === undefined) return [];
  return typeof schema.type === 'string' ? [schema.type] : schema.type;
}

/**
 * Returns the rule violations of `schema`, each prefixed with where it is (`at`).
 *
 * @example
 * ```ts
 * lintSchema({ type: 'string' }, 'base.log.log params'); // ['base.log.log params: string without maxLength']
 * ```
 */
export function lintSchema(schema: JSONSchema, at: string): string[] {
  const problems: string[] = [];
  const walk = (s: JSONSchema, path: string): void => {
    for (const key of Object.keys(s)) if (!KNOWN.has(key)) problems.push(`${path}: unsupported keyword "${key}"`);
    const t = types(s);
    if (s.oneOf) s.oneOf.forEach((b, i) => walk(b, `${path}.oneOf[${i}]`));
    if (s.anyOf) s.anyOf.forEach((b, i) => walk(b, `${path}.anyOf[${i}]`));
    if (t.includes('object')) {
      const ap = s.additionalProperties;
      if (ap === undefined || ap === true) problems.push(`${path}: object must set additionalProperties: false (or be a bounded map)`);
      if (typeof ap === 'object') {
        if (s.maxProperties === undefined) problems.push(`${path}: map without maxProperties`);
        walk(ap, `${path}.*`);
      }
      for (const req of s.required ?? []) {
        if (!s.properties || !(req in s.properties)) problems.push(`${path}: required "${req}" is not a property`);
      }
      for (const [name, prop] of Object.entries(s.properties ?? {})) {
        const where = `${path}.${name}`;
        if (typeof prop.description !== 'string' || prop.description.trim() === '') problems.push(`${where}: missing description`);
        if (MONEY.test(name) && prop.const === undefined) {
          const pt = types(prop);
          if (!pt.includes('integer') || pt.includes('number') || prop.minimum === undefined) {
            problems.push(`${where}: money must be an integer number of fen with a minimum`);
          }
        }
        walk(prop, where);
      }
    }
    if (t.includes('string') && s.maxLength === undefined && s.enum === undefined && s.const === undefined) {
      problems.push(`${path}: string without maxLength`);
    }
    if (t.includes('array')) {
      if (s.items === undefined) problems.push(`${path}: array without items`);
      else walk(s.items, `${path}[]`);
      if (s.maxItems === undefined) problems.push(`${path}: array without maxItems`);
    }
  };
  walk(schema, at);
  return problems;
}
