import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, problem } from '../test-support/fetch.ts';
import { useConsentsStore } from './consents.ts';

const list = { apps: [{ appId: 'ride', appName: 'Ride', scopes: [{ scope: 'scope.location', title: 'Location', titleZh: '位置信息', status: 'granted', purpose: { zh: 'p', en: 'p' }, decidedAt: 'x', expiresAt: null }] }] };

describe('consents store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('lists consents per app and revokes one', async () => {
    const calls = fakeFetch({ 'GET /api/consents': list, 'DELETE /api/consents/ride/scope.location': { status: 204 } });
    const c = useConsentsStore();
    await c.load();
    expect(c.apps[0]!.scopes[0]!.status).toBe('granted');
    expect(await c.revoke('ride', 'scope.location')).toBe(true);
    expect(c.apps[0]!.scopes[0]!.status).toBe('revoked');
    expect(calls.at(-1)).toMatchObject({ method: 'DELETE', headers: { 'x-lily-client': 'web' } });
    expect(c.busy).toBeNull();
  });

  it('keeps the consent and the error when revoking fails', async () => {
    fakeFetch({ 'GET /api/consents': list, 'DELETE /api/consents/ride/scope.location': problem(503, 'UNAVAILABLE') });
    const c = useConsentsStore();
    await c.load();
    expect(await c.revoke('ride', 'scope.location')).toBe(false);
    expect(c.apps[0]!.scopes[0]!.status).toBe('granted');
    expect(c.error).toMatchObject({ code: 'UNAVAILABLE' });
  });
});
