/**
 * The mini-app runtime's Web Worker: one QuickJS WebAssembly module (the release-sync variant's
 * `.wasm`, bundled by Vite as a local asset so the app works without any CDN), any number of
 * instances, each verified against the bank key before a line of it runs.
 *
 * The page talks to it only through the typed messages of `./protocol.ts`. A busy or hostile guest
 * blocks this worker, never the shell; the page can terminate the worker and start a new one.
 */
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync';
import wasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import type { BridgeAnswer, BridgeCall } from '../../../protocol/bridge.ts';
import { LilyError, toErrorPayload } from '../../../protocol/errors.ts';
import type { SandboxModule } from '../../../runtime/engine.ts';
import { isEngineFaulted, MiniAppInstance } from '../../../runtime/instance.ts';
import { verifyLaunch } from '../../../runtime/package/release.ts';
import { verifySignedRecord, type VerifiedPackage } from '../../../runtime/package/sign.ts';
import { isPageMessage, type AssetBytes, type OpenMessage, type PageToWorker, type WorkerToPage } from './protocol.ts';

interface WorkerScope {
  postMessage(message: WorkerToPage, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}

const scope = self as unknown as WorkerScope;
const post = (message: WorkerToPage, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

/** Verified packages by digest, most recently used last; reopening skips the SM2 checks. */
const packages = new Map<string, VerifiedPackage>();
/** Release records whose bank signature verified, keyed by record, signature and key. */
const releases = new Set<string>();
const MAX_CACHED_PACKAGES = 12;

const instances = new Map<string, MiniAppInstance>();
const pending = new Map<string, (answer: BridgeAnswer) => void>();
const callKey = (instanceId: string, callId: number) => `${instanceId}#${callId}`;

let engine: Promise<SandboxModule> | undefined;

function loadModule(): Promise<SandboxModule> {
  return newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmLocation: wasmUrl }));
}

async function currentEngine(): Promise<SandboxModule> {
  engine ??= loadModule();
  let module = await engine;
  if (isEngineFaulted(module)) {
    engine = loadModule();
    module = await engine;
  }
  return module;
}

function remember(verified: VerifiedPackage): void {
  const digest = verified.digests.package;
  packages.delete(digest);
  packages.set(digest, verified);
  while (packages.size > MAX_CACHED_PACKAGES) packages.delete(packages.keys().next().value!);
}

/**
 * The verified package for an open request: from the cache when the same digest verified before
 * (the release record is still checked, once per record), else parsed and verified in full.
 */
function verifiedFor(msg: OpenMessage): { verified: VerifiedPackage; cached: boolean } {
  const releaseKey = `${JSON.stringify(msg.release.record)}|${msg.release.signature}|${String(msg.bankPublicKey)}`;
  const cached = packages.get(msg.digest);
  if (cached) {
    const { record, signature } = msg.release;
    if (!releases.has(releaseKey)) {
      if (!verifySignedRecord(record, signature, msg.bankPublicKey)) {
        throw new LilyError('PACKAGE_TAMPERED', 'The release record is not signed by the bank; the mini-app was not run.', { reason: 'bad-release-signature' });
      }
      releases.add(releaseKey);
    }
    const d = cached.digests;
    if (record.packageDigest !== d.package || record.manifestDigest !== d.manifest || record.appId !== cached.manifest.appId || record.version !== cached.manifest.version) {
      throw new LilyError('PACKAGE_TAMPERED', 'The release record does not match the package; the mini-app was not run.', { reason: 'release-mismatch' });
    }
    remember(cached);
    return { verified: cached, cached: true };
  }
  if (msg.packageText === undefined) throw Object.assign(new LilyError('NOT_FOUND', 'The package is not cached.'), { needsPackage: true });
  let pkg: unknown;
  try {
    pkg = JSON.parse(msg.packageText);
  } catch {
    throw new LilyError('PACKAGE_INVALID', 'The mini-app package is not valid JSON.');
  }
  const { verified } = verifyLaunch(pkg, msg.release, msg.bankPublicKey);
  if (verified.digests.package !== msg.digest) {
    throw new LilyError('PACKAGE_TAMPERED', 'The package is not the one the server announced.', { reason: 'digest-mismatch' });
  }
  releases.add(releaseKey);
  remember(verified);
  return { verified, cached: false };
}

function dropPending(instanceId: string): void {
  for (const key of [...pending.keys()]) if (key.startsWith(`${instanceId}#`)) pending.delete(key);
}

async function open(msg: OpenMessage): Promise<void> {
  const started = performance.now();
  const { instanceId } = msg;
  try {
    const module = await currentEngine();
    const { verified, cached } = verifiedFor(msg);
    const bridge = (call: BridgeCall): Promise<BridgeAnswer> =>
      new Promise((resolve) => {
        pending.set(callKey(instanceId, call.callId), resolve);
        post({ type: 'call', instanceId, call });
      });
    const instance = MiniAppInstance.start(module, {
      package: verified,
      bankPublicKey: msg.bankPublicKey,
      capabilities: msg.capabilities,
      bridge,
      instanceId,
      launch: { ...(msg.launch.path ? { path: msg.launch.path } : {}), query: msg.launch.query, scene: msg.launch.scene },
      events: {
        onRender: (u) => post({ type: 'render', instanceId, pageId: u.pageId, route: u.route, tree: u.tree }),
        onPages: (pages) => post({ type: 'pages', instanceId, pages: pages.map((p) => ({ ...p, query: { ...p.query } })) }),
        onLog: (entry) => post({ type: 'log', instanceId, entry }),
        onStop: (reason) => {
          instances.delete(instanceId);
          dropPending(instanceId);
          post({ type: 'stopped', instanceId, reason });
        },
      },
    });
    instances.set(instanceId, instance);
    const assets: AssetBytes[] = [];
    for (const [path, bytes] of verified.assets) assets.push({ path, bytes: bytes.slice().buffer as ArrayBuffer });
    post(
      { type: 'opened', instanceId, appId: instance.appId, pages: instance.pages.map((p) => ({ ...p, query: { ...p.query } })), assets, cached, ms: Math.round(performance.now() - started) },
      assets.map((a) => a.bytes),
    );
    // The first render happened inside start(), before `opened`; send the tree again after it.
    const top = instance.pages.at(-1);
    const tree = instance.tree();
    if (top && tree) post({ type: 'render', instanceId, pageId: top.pageId, route: top.route, tree });
  } catch (err) {
    const needsPackage = (err as { needsPackage?: boolean }).needsPackage === true;
    post({ type: 'open-failed', instanceId, error: toErrorPayload(err), ...(needsPackage ? { needsPackage } : {}) });
  }
}

function handle(msg: PageToWorker): void {
  switch (msg.type) {
    case 'open':
      void open(msg);
      return;
    case 'ping':
      post({ type: 'pong', seq: msg.seq, cached: [...packages.keys()] });
      return;
    case 'answer': {
      const key = callKey(msg.instanceId, msg.callId);
      const resolve = pending.get(key);
      pending.delete(key);
      resolve?.(msg.answer);
      return;
    }
    case 'navigate-answer': {
      const key = callKey(msg.instanceId, msg.callId);
      const resolve = pending.get(key);
      pending.delete(key);
      const instance = instances.get(msg.instanceId);
      if (!resolve) return;
      // Answered from a fresh task, so the runtime is between entries and may move the stack.
      resolve(instance ? instance.navigate(msg.request) : { error: { code: 'INSTANCE_CLOSED', message: 'The mini-app is closed.' } });
      return;
    }
    case 'event': {
      const instance = instances.get(msg.instanceId);
      const outcome = instance
        ? instance.dispatchEvent(msg.event)
        : ({ status: 'refused', error: { code: 'INSTANCE_CLOSED', message: 'The mini-app is closed.' } } as const);
      post({ type: 'event-done', instanceId: msg.instanceId, seq: msg.seq, outcome });
      return;
    }
    case 'host-event':
      // Fire and forget: an app that is gone or busy simply misses the event, as on a phone.
      instances.get(msg.instanceId)?.deliverHostEvent(msg.capability, msg.method, msg.payload);
      return;
    case 'back': {
      const instance = instances.get(msg.instanceId);
      const res = instance ? instance.navigate({ method: 'navigateBack', delta: 1 }) : { error: { code: 'INSTANCE_CLOSED' as const, message: 'The mini-app is closed.' } };
      post({ type: 'back-done', instanceId: msg.instanceId, seq: msg.seq, ok: !res.error, ...(res.error ? { error: res.error } : {}) });
      return;
    }
    case 'show':
      instances.get(msg.instanceId)?.show();
      return;
    case 'hide':
      instances.get(msg.instanceId)?.hide();
      return;
    case 'close': {
      const instance = instances.get(msg.instanceId);
      instances.delete(msg.instanceId);
      dropPending(msg.instanceId);
      instance?.close();
      return;
    }
  }
}

scope.addEventListener('message', (event) => {
  if (!isPageMessage(event.data)) return;
  try {
    handle(event.data);
  } catch {
    // A failing message must not take the worker down; the page times out and recovers.
  }
});

// Compile the WebAssembly early, so the first open is quick.
void currentEngine().catch(() => undefined);
