import { describe, expectTypeOf, it } from 'vitest';
import type { ParamsOf, ResultOf } from './define.ts';
import type request from './base/request.ts';
import type storage from './base/storage.ts';
import type { FromSchema } from './schema-types.ts';
import { obj, str } from './schemas.ts';

// Type-level tests: `tsc --noEmit` checks them; at run time they are no-ops.
describe('FromSchema', () => {
  it('maps primitives, nullable type arrays, enums and const', () => {
    expectTypeOf<FromSchema<{ type: 'string' }>>().toEqualTypeOf<string>();
    expectTypeOf<FromSchema<{ type: 'integer' }>>().toEqualTypeOf<number>();
    expectTypeOf<FromSchema<{ type: 'boolean' }>>().toEqualTypeOf<boolean>();
    expectTypeOf<FromSchema<{ type: readonly ['string', 'null'] }>>().toEqualTypeOf<string | null>();
    expectTypeOf<FromSchema<{ type: 'string'; enum: readonly ['a', 'b'] }>>().toEqualTypeOf<'a' | 'b'>();
    expectTypeOf<FromSchema<{ const: true }>>().toEqualTypeOf<true>();
    expectTypeOf<FromSchema<{ description: 'any JSON' }>>().toEqualTypeOf<unknown>();
  });

  it('maps objects with required and optional properties', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      required: ['key'],
      properties: {
        key: { type: 'string', maxLength: 10, description: 'k' },
        ttl: { type: ['integer', 'null'], description: 't' },
        tags: { type: 'array', items: { type: 'string', maxLength: 5 }, maxItems: 3, description: 'x' },
      },
    } as const;
    expectTypeOf<FromSchema<typeof schema>>().toEqualTypeOf<{ key: string; ttl?: number | null; tags?: string[] }>();
  });

  it('maps bounded maps and closed empty objects', () => {
    expectTypeOf<FromSchema<{ type: 'object'; additionalProperties: { type: 'string' } }>>().toEqualTypeOf<{ [key: string]: string }>();
    expectTypeOf<FromSchema<{ type: 'object'; additionalProperties: false; properties: {} }>>().toEqualTypeOf<{}>();
  });

  it('maps oneOf and anyOf to unions', () => {
    const schema = {
      oneOf: [obj({ points: { type: 'integer', description: 'p' } }, ['points']), obj({ couponStockId: str('c', 40) }, ['couponStockId'])],
    } as const;
    expectTypeOf<FromSchema<typeof schema>>().toEqualTypeOf<{ points: number } | { couponStockId: string }>();
    expectTypeOf<FromSchema<{ anyOf: readonly [{ type: 'string' }, { type: 'null' }] }>>().toEqualTypeOf<string | null>();
  });

  it('infers handler types from the capability definitions', () => {
    type SetParams = ParamsOf<(typeof storage)['methods']['setStorage']>;
    expectTypeOf<SetParams>().toEqualTypeOf<{ key: string; data: unknown }>();
    type Info = ResultOf<(typeof storage)['methods']['getStorageInfo']>;
    expectTypeOf<Info>().toEqualTypeOf<{ keys: string[]; currentSize: number; limitSize: number }>();
    type Req = ParamsOf<(typeof request)['methods']['request']>;
    expectTypeOf<Req['method']>().toEqualTypeOf<'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | undefined>();
    expectTypeOf<Req['headers']>().toEqualTypeOf<{ [key: string]: string } | undefined>();
  });
});
