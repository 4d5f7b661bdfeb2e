/**
 * JSON Schema, as Lily's capability definitions write it, and the TypeScript type a schema
 * describes.
 *
 * `FromSchema<typeof schema>` turns a schema written `as const` into the type of the values it
 * accepts, so that a handler's argument and return types come from the same schema that validates
 * them at run time. It covers the subset the capability definitions use:
 *
 * - `type` (one name or an array of names, so `['string', 'null']` is a nullable string)
 * - `object` with `properties`, `required` and `additionalProperties` (`false` or a schema)
 * - `string`, `integer`, `number`, `boolean`, `null`
 * - `array` with `items`
 * - `enum` (a union of its members) and `const`
 * - `oneOf` and `anyOf` (a union of the branches; each branch is a complete schema)
 *
 * A schema with none of these (for example `{ description: 'Any JSON value' }`) is `unknown`.
 *
 * @example
 * ```ts
 * const params = {
 *   type: 'object',
 *   additionalProperties: false,
 *   required: ['key'],
 *   properties: {
 *     key: { type: 'string', maxLength: 128, description: 'Storage key.' },
 *     ttl: { type: ['integer', 'null'], description: 'Seconds to keep the value.' },
 *   },
 * } as const;
 * type Params = FromSchema<typeof params>; // { key: string; ttl?: number | null }
 * ```
 */

/** The primitive type names of JSON Schema. */
export type JSONSchemaTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** A JSON value, as it crosses the bridge or the Open API. */
export type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };

/**
 * The JSON Schema keywords Lily uses (a subset valid in both draft-07, which ajv compiles, and
 * the 2020-12 dialect of OpenAPI 3.1). Every object and array is `readonly` so that schemas
 * written `as const` are accepted as they are.
 */
export interface JSONSchema {
  readonly $comment?: string;
  readonly title?: string;
  readonly description?: string;
  readonly type?: JSONSchemaTypeName | readonly JSONSchemaTypeName[];
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly const?: string | number | boolean | null;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly deprecated?: boolean;
  // object
  readonly properties?: { readonly [name: string]: JSONSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JSONSchema;
  readonly propertyNames?: JSONSchema;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  // array
  readonly items?: JSONSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  // string
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  // number
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
  // composition
  readonly oneOf?: readonly JSONSchema[];
  readonly anyOf?: readonly JSONSchema[];
}

/** Flattens an intersection into one object type, so editors show `{ a: string; b?: number }`. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The type of the values a schema accepts.
 *
 * @typeParam S - a schema literal, written `as const` (or captured by a `const` type parameter).
 */
export type FromSchema<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly oneOf: readonly (infer B)[] }
      ? Branches<B>
      : S extends { readonly anyOf: readonly (infer B)[] }
        ? Branches<B>
        : S extends { readonly type: infer T }
          ? FromTypes<S, T>
          : unknown;

/** Distributes over the branches of `oneOf`/`anyOf`. */
type Branches<B> = B extends unknown ? FromSchema<B> : never;

/** Distributes over `type: [...]`, so `['string', 'null']` becomes `string | null`. */
type FromTypes<S, T> = T extends readonly (infer U)[] ? EachType<S, U> : FromType<S, T>;
type EachType<S, U> = U extends unknown ? FromType<S, U> : never;

type FromType<S, T> = T extends 'string'
  ? string
  : T extends 'integer' | 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { readonly items: infer I }
            ? FromSchema<I>[]
            : unknown[]
          : T extends 'object'
            ? FromObject<S>
            : unknown;

type PropsOf<S> = S extends { readonly properties: infer P } ? P : {};
type RequiredOf<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;

type Additional<S> = S extends { readonly additionalProperties: false }
  ? {}
  : S extends { readonly additionalProperties: infer A extends JSONSchema }
    ? { [key: string]: FromSchema<A> }
    : { [key: string]: unknown };

type FromObject<S> = Simplify<
  {
    -readonly [K in keyof PropsOf<S> as K extends RequiredOf<S> ? K : never]: FromSchema<PropsOf<S>[K]>;
  } & {
    -readonly [K in keyof PropsOf<S> as K extends RequiredOf<S> ? never : K]?: FromSchema<PropsOf<S>[K]>;
  } & Additional<S>
>;

/**
 * A deeply read-only view of `T`. Examples in definitions are checked against
 * `DeepReadonly<FromSchema<...>>`, so they may be written as plain or `as const` literals alike.
 */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
