// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, problem } from '../test-support/fetch.ts';
import { useSessionStore } from './session.ts';

const alice = { kind: 'user', id: 'u1', username: 'alice', displayName: '李小花', roles: [] };

describe('session store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('reads the session once; nobody is logged in on 401', async () => {
    const calls = fakeFetch({ 'GET /api/auth/me': problem(401, 'UNAUTHENTICATED') });
    const s = useSessionStore();
    await s.load();
    await s.load();
    expect(s.loaded).toBe(true);
    expect(s.principal).toBeNull();
    expect(s.error).toBeNull();
    expect(calls).toHaveLength(1);
  });

  it('logs in with the CSRF header and keeps the principal', async () => {
    const calls = fakeFetch({ 'POST /api/auth/login': { token: 't', expiresAt: 'x', principal: alice } });
    const s = useSessionStore();
    expect(await s.login('user', ' alice ', 'alice-demo')).toBe(true);
    expect(s.is('user')).toBe(true);
    expect(s.is('ops')).toBe(false);
    expect(calls[0]).toMatchObject({ method: 'POST', body: { kind: 'user', username: 'alice', password: 'alice-demo' }, headers: { 'x-lily-client': 'web' } });
  });

  it('keeps the error of a failed login for the form', async () => {
    fakeFetch({ 'POST /api/auth/login': problem(401, 'INVALID_CREDENTIALS') });
    const s = useSessionStore();
    expect(await s.login('user', 'alice', 'nope')).toBe(false);
    expect(s.error).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    expect(s.busy).toBe(false);
  });

  it('logs out even when the server cannot be reached', async () => {
    fakeFetch({ 'POST /api/auth/login': { principal: alice } });
    const s = useSessionStore();
    await s.login('user', 'alice', 'x');
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('offline');
    });
    await s.logout();
    expect(s.principal).toBeNull();
  });
});
