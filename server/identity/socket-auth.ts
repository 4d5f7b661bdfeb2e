/**
 * socket.io authentication: a namespace middleware that accepts a session token in
 * `handshake.auth.token` or the web app's session cookie, and only principals of one kind.
 */
import type { Socket } from 'socket.io';
import { LilyError, toErrorPayload } from '../../protocol/errors.ts';
import type { Identity, Principal, PrincipalKind } from './identity.ts';
import { readCookie, SESSION_COOKIE } from './middleware.ts';

/**
 * Builds the middleware; `onAuthenticated` stores what the namespace needs on `socket.data`.
 * Refusals reach the client as a connect error whose `data` is `{code, message}`.
 *
 * @example
 * ```ts
 * nsp.use(socketAuth(identity, 'ops', 'The ops console is for bank ops.'));
 * ```
 */
export function socketAuth(
  identity: Identity,
  kind: PrincipalKind,
  refusal: string,
  onAuthenticated?: (socket: Socket, principal: Principal) => void,
): (socket: Socket, next: (err?: Error) => void) => Promise<void> {
  return async (socket, next) => {
    try {
      const auth = socket.handshake.auth as { token?: unknown };
      const token = typeof auth?.token === 'string' ? auth.token : readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
      if (!token) throw new LilyError('UNAUTHENTICATED');
      const principal = await identity.authenticate(token);
      if (principal.kind !== kind) throw new LilyError('FORBIDDEN', refusal);
      onAuthenticated?.(socket, principal);
      next();
    } catch (err) {
      const payload = toErrorPayload(err);
      next(Object.assign(new Error(payload.message), { data: payload }));
    }
  };
}
