/**
 * The socket.io bridge gateway: the typed `/bridge` namespace that carries guest calls from the
 * host app to the server and pushes grant, app-status, consent and inbox events back.
 *
 * Rooms: `user:<userId>` (all of a user's sockets), `app:<appId>:<env>` (every open instance of
 * an app), `instance:<instanceId>`. With several processes, socket.io's Redis adapter makes the
 * same `to(room).emit` reach sockets held by other processes.
 */
import type { Namespace, Server as SocketServer, Socket } from 'socket.io';
import { LilyError, toErrorPayload, type Response } from '../../protocol/errors.ts';
import {
  BRIDGE_NAMESPACE,
  type BridgeSocketData,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../../protocol/socket.ts';
import type { EventBus } from '../events.ts';
import type { Identity } from '../identity/identity.ts';
import { socketAuth } from '../identity/socket-auth.ts';
import type { LaunchTokens } from '../launch/tokens.ts';
import type { Logger } from '../log.ts';
import type { BridgeDispatcher } from './dispatch.ts';

/** The typed bridge namespace. */
export type BridgeNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, BridgeSocketData>;
type BridgeSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, BridgeSocketData>;

/** Room names. */
export const rooms = {
  user: (userId: string) => `user:${userId}`,
  app: (appId: string, env: string) => `app:${appId}:${env}`,
  instance: (instanceId: string) => `instance:${instanceId}`,
};

/** Calls at once per socket; more are refused at once rather than queued without bound. */
const MAX_IN_FLIGHT_PER_SOCKET = 64;

/**
 * Attaches the bridge namespace to a socket.io server.
 *
 * @example
 * ```ts
 * const bridge = attachBridge(io, { identity, tokens, dispatcher, bus, log });
 * bridge.pushToUser(userId, 'message', {...});
 * ```
 */
export function attachBridge(
  io: SocketServer,
  deps: { identity: Identity; tokens: LaunchTokens; dispatcher: BridgeDispatcher; bus: EventBus; log: Logger },
): { nsp: BridgeNamespace; pushToUser(userId: string, event: keyof ServerToClientEvents, payload: unknown): void; dispose(): void } {
  const nsp = io.of(BRIDGE_NAMESPACE) as unknown as BridgeNamespace;

  // Only a logged-in bank-app user may open the bridge: bearer token in `auth.token`, or the
  // session cookie of the web app.
  nsp.use(
    socketAuth(deps.identity, 'user', 'The bridge is for bank-app users.', (socket, principal) => {
      socket.data.userId = principal.id;
      socket.data.sessionId = principal.sessionId;
    }) as never,
  );

  nsp.on('connection', (socket: BridgeSocket) => {
    const userId = socket.data.userId;
    void socket.join(rooms.user(userId));
    let inFlight = 0;

    socket.on('instance:attach', (req, ack) => {
      if (typeof ack !== 'function') return;
      try {
        const claims = deps.tokens.verify(req?.launchToken);
        if (claims.u !== userId) throw new LilyError('LAUNCH_TOKEN_INVALID');
        void socket.join([rooms.app(claims.a, claims.e), rooms.instance(claims.i)]);
        ack({ result: { appId: claims.a, instanceId: claims.i } });
      } catch (err) {
        ack({ error: toErrorPayload(err) });
      }
    });

    socket.on('instance:detach', (req, ack) => {
      if (typeof ack !== 'function') return;
      try {
        const claims = deps.tokens.verify(req?.launchToken);
        if (claims.u !== userId) throw new LilyError('LAUNCH_TOKEN_INVALID');
        void socket.leave(rooms.instance(claims.i));
        ack({ result: { ok: true } });
      } catch (err) {
        ack({ error: toErrorPayload(err) });
      }
    });

    socket.on('call', async (req, ack) => {
      if (typeof ack !== 'function') return;
      if (inFlight >= MAX_IN_FLIGHT_PER_SOCKET) {
        ack({ error: new LilyError('RATE_LIMITED', 'Too many calls in flight; wait for answers before sending more.').toPayload() });
        return;
      }
      inFlight++;
      let answer: Response<unknown>;
      try {
        answer = await deps.dispatcher.dispatch(userId, req);
      } finally {
        inFlight--;
      }
      ack(answer);
    });
  });

  const offs = [
    deps.bus.on('grant.changed', (e) => nsp.to(rooms.app(e.appId, e.env)).emit('grant:changed', e)),
    deps.bus.on('app.status', (e) =>
      nsp.to(rooms.app(e.appId, 'sandbox')).to(rooms.app(e.appId, 'production')).emit('app:status', e),
    ),
    deps.bus.on('consent.changed', (e) =>
      nsp.to(rooms.user(e.userId)).emit('consent:changed', { appId: e.appId, scope: e.scope, status: e.status }),
    ),
    deps.bus.on('message.delivered', (e) =>
      nsp.to(rooms.user(e.userId)).emit('message', { messageId: e.messageId, appId: e.appId, title: e.title, body: e.body, at: e.at }),
    ),
  ];

  return {
    nsp,
    pushToUser(userId, event, payload) {
      (nsp.to(rooms.user(userId)).emit as (e: string, p: unknown) => boolean)(event, payload);
    },
    dispose() {
      for (const off of offs) off();
    },
  };
}
