import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../capabilities/index.ts';
import { LilyError } from '../../protocol/errors.ts';
import { RouteTable } from './routes.ts';

const noop = async () => ({});
const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['appId'],
  properties: { appId: { type: 'string', maxLength: 64, description: 'App.' } },
} as const;

describe('RouteTable', () => {
  it('holds every capability route, unhandled until a handler is set', () => {
    const table = new RouteTable(defaultRegistry().routes());
    const routes = table.list();
    expect(routes.length).toBe(defaultRegistry().routes().length);
    expect(routes.every((r) => !r.handled && r.capability !== null && r.bodyLimit === 1024 * 1024)).toBe(true);
    table.setHandler('queryOrder', noop);
    expect(table.list().find((r) => r.operationId === 'queryOrder')!.handled).toBe(true);
    expect(() => table.setHandler('queryOrder', noop)).toThrow(/already has a handler/);
    expect(() => table.setHandler('nope', noop)).toThrow(/No Open API route/);
  });

  it('matches raw paths, decodes params, reports wrong methods, prefers literal segments', () => {
    const table = new RouteTable([]);
    table.addPlatformRoute({ method: 'GET', path: '/open/v1/apps/{appId}/versions', operationId: 'listV', params: idParams }, noop);
    table.addPlatformRoute({ method: 'GET', path: '/open/v1/apps/current/versions', operationId: 'listCurrent' }, noop);
    const m = table.match('GET', '/open/v1/apps/app%5Fx/versions');
    expect(m).toMatchObject({ kind: 'found', pathParams: { appId: 'app_x' } });
    expect(table.match('GET', '/open/v1/apps/current/versions')).toMatchObject({ kind: 'found', route: { operationId: 'listCurrent' } });
    expect(table.match('POST', '/open/v1/apps/a/versions')).toEqual({ kind: 'wrong-method', allow: ['GET'] });
    expect(table.match('GET', '/open/v1/apps//versions')).toEqual({ kind: 'none' });
    expect(table.match('GET', '/open/v1/apps/a/versions/')).toEqual({ kind: 'none' });
    expect(() => table.match('GET', '/open/v1/apps/%E0%A4%A/versions')).toThrow(LilyError);
  });

  it('validates platform routes when they are added', () => {
    const table = new RouteTable(defaultRegistry().routes());
    expect(() => table.addPlatformRoute({ method: 'GET', path: '/open/v1/ping2', operationId: 'queryOrder' }, noop)).toThrow(/Duplicate/);
    expect(() => table.addPlatformRoute({ method: 'GET', path: '/open/v1/payments/orders/{x}', operationId: 'other', params: { type: 'object', additionalProperties: false, required: ['x'], properties: { x: { type: 'string', maxLength: 9, description: 'x' } } } }, noop)).toThrow(/clashes/);
    expect(() => table.addPlatformRoute({ method: 'GET', path: '/open/v1/a/{id}', operationId: 'noParam' }, noop)).toThrow(/path param "id"/);
    expect(() => table.addPlatformRoute({ method: 'GET', path: '/open/v1/b', operationId: 'withBody', body: { type: 'object' } }, noop)).toThrow(/takes no body/);
    expect(() => table.addPlatformRoute({ method: 'POST', path: '/open/v1/c', operationId: 'huge', bodyLimit: 1e12 }, noop)).toThrow(/bodyLimit/);
    expect(() => table.addPlatformRoute({ method: 'POST', path: '/open/v1/d', operationId: 'bad', body: { type: 'object', nope: 1 } as never }, noop)).toThrow(/schema/);
    expect(() => table.addPlatformRoute({ method: 'POST', path: '/api/e' as never, operationId: 'e' }, noop)).toThrow(/start with \/open\/v1/);
  });

  it('coerces query params, refuses repeated or undeclared ones', () => {
    const table = new RouteTable(defaultRegistry().routes());
    const route = table.get('listMerchantOrders')!;
    expect(table.parseParams(route, {}, new URLSearchParams('limit=7&from=0'))).toEqual({ limit: 7, from: 0 });
    expect(() => table.parseParams(route, {}, new URLSearchParams('limit=1&limit=2'))).toThrow(/repeated/);
    expect(() => table.parseParams(route, {}, new URLSearchParams('x=1'))).toThrow(/x is not an allowed field/);
    expect(() => table.parseParams(table.get('createPrepay')!, {}, new URLSearchParams('x=1'))).toThrow(/takes no query/);
  });

  it('checks bodies and results', () => {
    const table = new RouteTable(defaultRegistry().routes());
    const prepay = table.get('createPrepay')!;
    expect(() => table.parseBody(prepay, undefined)).toThrow(/needs a JSON request body/);
    expect(() => table.parseBody(prepay, { amount: '1' })).toThrow(LilyError);
    const close = table.get('closeOrder')!;
    expect(table.parseBody(close, {})).toBeUndefined();
    expect(() => table.parseBody(close, { a: 1 })).toThrow(/takes no request body/);
    expect(table.checkResult(prepay, { prepayId: 'pp_123456', orderId: 'ord_123456', expiresAt: 1 })).toBeNull();
    expect(table.checkResult(prepay, { prepayId: 'nope' })).not.toBeNull();
  });
});
