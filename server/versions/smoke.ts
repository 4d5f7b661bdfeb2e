/**
 * The smoke launch of the automated review: the package runs in the headless host with the
 * standard sandbox limits, every server-side capability answered `UNAVAILABLE` and every host
 * sheet dismissed, long enough to launch and render its first page and settle. What it called
 * and whether it crashed or broke a limit go into the review report.
 */
import { toErrorPayload } from '../../protocol/errors.ts';
import { signPackage } from '../../runtime/package/sign.ts';
import type { LilyPackage } from '../../runtime/package/format.ts';
import { HeadlessHost } from '../../runtime/headless/index.ts';
import type { ViewNode } from '../../runtime/view/tree.ts';
import { generateSm2KeyPair } from '../../runtime/crypto/sm.ts';
import type { SmokeResult, SmokeRunner } from './inspector.ts';

/** How long the smoke launch may take to settle after the first render. */
const SETTLE_MS = 2_000;

function countNodes(node: ViewNode | undefined): number {
  if (!node) return 0;
  let n = 1;
  for (const child of node.children ?? []) if (typeof child === 'object' && child !== null) n += countNodes(child as ViewNode);
  return n;
}

/**
 * Builds the smoke runner. It signs packages with a throwaway review key of its own (the package
 * is not released by this), so the runtime's signature check runs exactly as in production.
 *
 * @example
 * ```ts
 * const smoke = await createSmokeRunner();
 * const result = await smoke(pkg); // { ok: true, pagesRendered: 1, nodes: 12, called: ['base.storage'], … }
 * ```
 */
export async function createSmokeRunner(): Promise<SmokeRunner> {
  const reviewKey = generateSm2KeyPair();
  const host = await HeadlessHost.create({
    bankPublicKey: reviewKey.publicKey,
    bridge: async () => ({ error: { code: 'UNAVAILABLE', message: 'Not available during the automated review.' } }),
  });
  return async (pkg: LilyPackage): Promise<SmokeResult> => {
    const started = performance.now();
    const signed = signPackage(pkg, reviewKey.privateKey, 'review', reviewKey.publicKey);
    let app;
    try {
      app = await host.open(signed);
      await app.idle(SETTLE_MS).catch(() => undefined);
      const stop = app.stopReason;
      const called = [...new Set(app.calls.map((c) => c.call.capability))].sort();
      return {
        ok: stop === undefined,
        ms: Math.round(performance.now() - started),
        pagesRendered: app.pages.length,
        nodes: countNodes(app.tree),
        called,
        error: stop ? { code: stop.code, message: stop.message } : null,
      };
    } catch (err) {
      const payload = toErrorPayload(err);
      return { ok: false, ms: Math.round(performance.now() - started), pagesRendered: 0, nodes: 0, called: [], error: { code: payload.code, message: payload.message } };
    } finally {
      app?.close();
    }
  };
}
