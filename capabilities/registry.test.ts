import { describe, expect, it } from 'vitest';
import { ERRORS, LilyError, isErrorCode } from '../protocol/errors.ts';
import system from './base/system.ts';
import { defineCapability, type CapabilityHandlers } from './define.ts';
import { createServerRegistry } from './handlers.ts';
import { capabilities, defaultRegistry } from './index.ts';
import { lintSchema } from './lint.ts';
import { createRegistry, type AnyCapability } from './registry.ts';
import { noParams, obj, okResult, str } from './schemas.ts';
import type { CapabilityContext } from './context.ts';
import { EventBus } from '../server/events.ts';
import { createMarketingHandlers } from '../server/marketing/handlers.ts';
import { Marketing } from '../server/marketing/marketing.ts';
import { createMemberHandlers } from '../server/members/handlers.ts';
import { Members, type Consents } from '../server/members/index.ts';
import { createPaymentHandlers } from '../server/payments/handlers.ts';
import { Payments } from '../server/payments/payments.ts';

const registry = defaultRegistry();
const ctx = {} as CapabilityContext; // the placeholder never touches the context

/** A small valid definition to mutate in the rejection tests. */
function sample(overrides: Record<string, unknown> = {}): AnyCapability {
  return {
    ...defineCapability({
      id: 'base.sample',
      title: 'Sample',
      titleZh: '示例',
      description: 'A sample.',
      side: 'server',
      rateTier: 'light',
      methods: {
        ping: {
          summary: 'Ping.',
          params: obj({ text: str('Text.', 10) }, ['text']),
          result: okResult,
          errors: ['NOT_FOUND'],
          examples: [{ title: 'Ping', params: { text: 'hi' }, result: { ok: true } }],
        },
      },
      openApi: [],
      docs: '# Sample',
    }),
    ...overrides,
  } as AnyCapability;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof LilyError ? err.code : `non-LilyError: ${String(err)}`;
  }
}

describe('the capability set', () => {
  it('has exactly 48 capabilities: 13 payment, 11 member, 10 marketing, 14 base', () => {
    expect(registry.list()).toHaveLength(48);
    const counts = Object.fromEntries(Object.entries(registry.byCategory()).map(([c, list]) => [c, list.length]));
    expect(counts).toEqual({ payment: 13, member: 11, marketing: 10, base: 14 });
  });

  it('lists the base capabilities of CAPABILITIES.md with the right side', () => {
    const base = registry.byCategory().base.map((c) => `${c.id}:${c.side}`);
    expect(base).toEqual([
      'base.system:host', 'base.navigate:host', 'base.ui:host', 'base.storage:server', 'base.request:server',
      'base.location:host', 'base.scan:host', 'base.clipboard:host', 'base.openApp:host', 'base.log:server',
      'base.network:host', 'base.phone:host', 'base.image:host', 'base.support:server',
    ]);
    expect(registry.list().filter((c) => !c.id.startsWith('base.')).every((c) => c.side === 'server')).toBe(true);
  });

  it('gives every method at least one example that validates against its own schemas', () => {
    let checked = 0;
    for (const cap of registry.list()) {
      for (const name of Object.keys(cap.methods)) {
        const m = registry.method(cap.id, name)!;
        expect(m.spec.examples.length, `${cap.id}.${name}`).toBeGreaterThan(0);
        for (const ex of m.spec.examples) {
          expect(m.validateParams(ex.params), `${cap.id}.${name} "${ex.title}" params`).toBe(true);
          expect(m.validateResult(ex.result), `${cap.id}.${name} "${ex.title}" result`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(73);
  });

  it('lists only error codes that exist in the catalogue', () => {
    for (const cap of registry.list()) {
      for (const [name, spec] of Object.entries(cap.methods)) for (const code of spec.errors) expect(isErrorCode(code), `${cap.id}.${name}: ${code}`).toBe(true);
      for (const route of cap.openApi) for (const code of route.errors) expect(code in ERRORS, `${route.operationId}: ${code}`).toBe(true);
    }
  });

  it('keeps the house rules in every schema and documents every capability', () => {
    for (const cap of registry.list()) {
      expect(cap.titleZh).toMatch(/[\u4e00-\u9fff]/);
      expect(cap.docs.startsWith('# ')).toBe(true);
      for (const [name, spec] of Object.entries(cap.methods)) {
        expect(lintSchema(spec.params, `${cap.id}.${name}`)).toEqual([]);
        expect(lintSchema(spec.result, `${cap.id}.${name}`)).toEqual([]);
      }
    }
  });

  it('has a unique flat alias for every method', () => {
    expect(registry.resolveAlias('requestPayment')).toEqual({ id: 'payment.cashier', method: 'requestPayment' });
    expect(registry.resolveAlias('setStorage')).toEqual({ id: 'base.storage', method: 'setStorage' });
    expect(registry.resolveAlias('nope')).toBeUndefined();
  });

  it('resolves per-method scope and confirm overrides', () => {
    expect(registry.method('base.clipboard', 'getClipboardData')!.scope?.id).toBe('scope.clipboard');
    expect(registry.method('base.clipboard', 'setClipboardData')!.scope).toBeNull();
    expect(registry.method('base.location', 'chooseLocation')!.scope?.id).toBe('scope.location');
    expect(registry.method('member.card', 'addCard')!.confirm?.kind).toBe('card');
    expect(registry.method('member.card', 'getCards')!.confirm).toBeNull();
    expect(registry.method('marketing.subscribe', 'requestSubscribe')!.spec.userGesture).toBe(true);
  });
});

describe('validateParams', () => {
  it('names the missing field', () => {
    const err = (() => {
      try {
        registry.validateParams('payment.cashier', 'requestPayment', {});
      } catch (e) {
        return e as LilyError;
      }
      throw new Error('expected a throw');
    })();
    expect(err.code).toBe('INVALID_PARAMS');
    expect(err.message).toContain('prepayId is required');
    expect(err.details).toEqual({ errors: [{ path: '/prepayId', field: 'prepayId', message: 'is required' }] });
  });

  it('names nested, extra and badly typed fields', () => {
    try {
      registry.validateParams('base.image', 'previewImage', { urls: ['a', 7], extra: true });
      expect.unreachable();
    } catch (e) {
      const errors = (e as LilyError).details!['errors'] as { path: string; field: string }[];
      expect(errors.map((x) => x.field).sort()).toEqual(['extra', 'urls[1]']);
      expect((e as LilyError).message).toMatch(/urls\[1\] must be string/);
    }
  });

  it('answers UNKNOWN_CAPABILITY for unknown methods', () => {
    expect(() => registry.validateParams('base.nope', 'x', {})).toThrow(expect.objectContaining({ code: 'UNKNOWN_CAPABILITY' }));
  });
});

describe('handlers', () => {
  it('has a real handler for every method of all 48 capabilities (host-side ones are answered by the host)', () => {
    const members = new Members({ secret: 'registry-test-secret-0123456789abcdef', consents: {} as Consents, verifyPin: async () => undefined });
    const marketing = new Marketing({ members, bus: new EventBus() });
    const server = createServerRegistry([
      ...createPaymentHandlers({ payments: new Payments(), verifyPin: async () => undefined }),
      ...createMemberHandlers({ members }),
      ...createMarketingHandlers({ marketing }),
    ]);
    expect(server.list()).toHaveLength(48);
    let handled = 0;
    for (const cap of server.list()) {
      for (const name of Object.keys(cap.methods)) {
        expect(server.hasHandler(cap.id, name), `${cap.id}.${name}`).toBe(cap.side === 'server');
        if (cap.side === 'server') handled++;
      }
    }
    expect(handled).toBeGreaterThan(40);
  });

  it('has real handlers for every server-side base method and none for host-side ones', () => {
    const server = createServerRegistry();
    for (const cap of registry.byCategory().base) {
      for (const name of Object.keys(cap.methods)) expect(server.hasHandler(cap.id, name), `${cap.id}.${name}`).toBe(cap.side === 'server');
    }
  });

  it('validates params before a handler runs', async () => {
    let ran = false;
    const set: CapabilityHandlers = { id: 'base.sample', handlers: { ping: async () => ((ran = true), { ok: true }) } };
    const r = createRegistry([sample()], { handlers: [set] });
    expect(await codeOf(r.invoke(ctx, 'base.sample', 'ping', { text: 'way too long text' }))).toBe('INVALID_PARAMS');
    expect(ran).toBe(false);
    expect(await r.invoke(ctx, 'base.sample', 'ping', { text: 'hi' })).toEqual({ ok: true });
  });

  it('refuses a handler result outside the result schema', async () => {
    const set: CapabilityHandlers = { id: 'base.sample', handlers: { ping: async () => ({ ok: 'yes' }) } };
    const r = createRegistry([sample()], { handlers: [set] });
    expect(await codeOf(r.invoke(ctx, 'base.sample', 'ping', { text: 'hi' }))).toBe('INTERNAL');
  });
});

describe('createRegistry rejects', () => {
  it('duplicate capability ids', () => {
    expect(() => createRegistry([system, system])).toThrow(/base\.system: duplicate capability id/);
  });

  it('duplicate method names (their flat aliases would clash)', () => {
    const clash = sample({ methods: { getSystemInfo: sample().methods['ping'] } });
    expect(() => createRegistry([system, clash])).toThrow(/duplicate method name/);
  });

  it('duplicate operation ids and routes', () => {
    const route = { method: 'GET', path: '/open/v1/samples', operationId: 'listSamples', summary: 'List.', result: okResult, errors: [], idempotent: true };
    const a = sample({ openApi: [route] });
    const b = sample({ id: 'base.other', methods: {}, openApi: [route] });
    expect(() => createRegistry([a, b])).toThrow(/duplicate operationId "listSamples"[\s\S]*duplicate route/);
  });

  it('invalid definitions, listing every problem', () => {
    const bad = sample({
      id: 'Base.Bad',
      rateTier: 'ludicrous',
      scope: { id: 'scope.everything', purpose: { zh: '', en: '' } },
      methods: {
        ping: {
          ...sample().methods['ping']!,
          params: obj({ text: { type: 'string', description: 'Unbounded.' } }, ['text']),
          errors: ['NO_SUCH_CODE'],
          examples: [{ title: 'Wrong', params: { text: 1 }, result: { ok: true } }],
        },
      },
    });
    let message = '';
    try {
      createRegistry([bad]);
    } catch (e) {
      message = (e as Error).message;
    }
    for (const expected of ['id must be', 'unknown rate tier', 'unknown scope', 'scope needs a purpose', 'string without maxLength', 'unknown error code "NO_SUCH_CODE"', 'example "Wrong": params']) {
      expect(message).toContain(expected);
    }
  });

  it('handlers for host-side capabilities or unknown methods', () => {
    expect(() => createRegistry([system], { handlers: [{ id: 'base.system', handlers: { getSystemInfo: async () => ({}) } }] })).toThrow(/host-side/);
    expect(() => createRegistry([sample()], { handlers: [{ id: 'base.sample', handlers: { nope: async () => ({}) } }] })).toThrow(/unknown method/);
  });

  it('schemas that ajv strict mode refuses', () => {
    const bad = sample({ methods: { ping: { ...sample().methods['ping']!, params: { ...noParams, propertie: {} } } } });
    expect(() => createRegistry([bad])).toThrow(/unsupported keyword "propertie"/);
  });
});
