/**
 * Sessions: log in (the server sets the HttpOnly session cookie), who am I, log out, register.
 */
import { get, post } from './http.ts';
import type { Principal } from './types.ts';

/** The session API. */
export const authApi = {
  /** Logs in; the answer's token stays in the HttpOnly cookie, never in script. */
  async login(kind: Principal['kind'], username: string, password: string): Promise<Principal> {
    const res = await post<{ principal: Principal }>('/api/auth/login', { kind, username, password });
    return res.principal;
  },
  /** The current principal, or null when nobody is logged in. */
  async me(): Promise<Principal | null> {
    try {
      return (await get<{ principal: Principal }>('/api/auth/me')).principal;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'UNAUTHENTICATED' || code === 'SESSION_EXPIRED') return null;
      throw err;
    }
  },
  logout(): Promise<void> {
    return post<void>('/api/auth/logout');
  },
  register(kind: 'user' | 'merchant', username: string, password: string, displayName?: string): Promise<{ id: string; username: string }> {
    return post('/api/auth/register', { kind, username, password, ...(displayName ? { displayName } : {}) });
  },
};
