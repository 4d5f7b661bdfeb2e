/** Starting and stopping a sample back end's HTTP server. */
import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * Listens on `host:port` (0: a free port); resolves once listening, rejects when the port is
 * taken.
 *
 * @example
 * ```ts
 * const server = await listenOn(app, 4101, '127.0.0.1');
 * ```
 */
export async function listenOn(app: RequestListener, port: number, host: string): Promise<Server> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Closes `server` (if any), ending kept-alive connections at once. */
export async function stopServer(server: Server | null): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
