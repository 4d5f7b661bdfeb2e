/**
 * The smoke launch, inside a worker thread: the package runs in a headless host with the standard
 * sandbox limits; server-side capabilities answer UNAVAILABLE and host sheets are dismissed. The
 * parent posts `{ pkg }` and gets one `SmokeResult` back; if the package blocks the thread (a
 * native call the sandbox cannot interrupt), the parent's watchdog terminates this worker.
 */
import { parentPort } from 'node:worker_threads';
import { toErrorPayload } from '../../protocol/errors.ts';
import { generateSm2KeyPair } from '../../runtime/crypto/sm.ts';
import { HeadlessHost } from '../../runtime/headless/index.ts';
import type { LilyPackage } from '../../runtime/package/format.ts';
import { signPackage } from '../../runtime/package/sign.ts';
import type { ViewNode } from '../../runtime/view/tree.ts';
import type { SmokeResult } from './inspector.ts';

/** How long the app may take to settle after its first render. */
const SETTLE_MS = 2_000;

function countNodes(node: ViewNode | undefined): number {
  if (!node) return 0;
  let n = 1;
  for (const child of node.children) if (typeof child !== 'string') n += countNodes(child);
  return n;
}

async function smoke(pkg: LilyPackage): Promise<SmokeResult> {
  const started = performance.now();
  // A throwaway review key: the runtime's signature check runs exactly as in production.
  const reviewKey = generateSm2KeyPair();
  const host = await HeadlessHost.create({
    bankPublicKey: reviewKey.publicKey,
    bridge: async () => ({ error: { code: 'UNAVAILABLE', message: 'Not available during the automated review.' } }),
  });
  let app;
  try {
    app = await host.open(signPackage(pkg, reviewKey.privateKey, 'review', reviewKey.publicKey));
    await app.idle(SETTLE_MS).catch(() => undefined);
    const stop = app.stopReason;
    return {
      ok: stop === undefined,
      ms: Math.round(performance.now() - started),
      pagesRendered: app.pages.length,
      nodes: countNodes(app.tree),
      called: [...new Set(app.calls.map((c) => c.call.capability))].sort(),
      error: stop ? { code: stop.code, message: stop.message } : null,
    };
  } catch (err) {
    const payload = toErrorPayload(err);
    return { ok: false, ms: Math.round(performance.now() - started), pagesRendered: 0, nodes: 0, called: [], error: { code: payload.code, message: payload.message } };
  } finally {
    app?.close();
  }
}

parentPort?.once('message', (message: { pkg: LilyPackage }) => {
  void smoke(message.pkg).then((result) => parentPort?.postMessage(result));
});
