/**
 * Test kit for the base-capability bridge suites: the base-tour fixture packed under any app id
 * and released through the real services, fresh users, a connected headless host per test, and
 * readers for what the tour renders (one `text#out-<method>` per method, one
 * `text#burst-<label>` per burst).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultRegistry } from '../../capabilities/index.ts';
import { utf8 } from '../../runtime/crypto/sm.ts';
import { ConnectedHost, type ConnectedApp, type ConnectedHostOptions } from '../../runtime/headless/connected.ts';
import type { HeadlessApp } from '../../runtime/headless/host.ts';
import { serializePackage, type LilyPackage } from '../../runtime/package/format.ts';
import { pack } from '../../runtime/package/pack.ts';
import type { ViewNode } from '../../runtime/view/tree.ts';
import type { ManifestFacts } from '../../server/apps/apps.ts';
import type { Env } from '../../server/policies/gates.ts';
import { http, login, type TestServer } from '../helpers/server.ts';

const OPS = { kind: 'ops' as const, id: 'ops-test' };
const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/miniapps/base-tour');

/** The 14 base capabilities with their methods, in catalog order. */
export const BASE = defaultRegistry()
  .byCategory()
  .base.map((c) => ({ id: c.id, side: c.side, rateTier: c.rateTier, methods: Object.keys(c.methods) }));

/** Every base method as `[capability, method]`. */
export const BASE_METHODS: [string, string][] = BASE.flatMap((c) => c.methods.map((m): [string, string] => [c.id, m]));

/** Packs the base-tour fixture with another app id, name or domains. */
export async function packTour(appId: string, overrides: { name?: string; domains?: string[] } = {}): Promise<LilyPackage> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lily-base-tour-'));
  try {
    cpSync(FIXTURE, dir, { recursive: true });
    const file = path.join(dir, 'app.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...manifest, appId, ...overrides }));
    return (await pack(dir)).pkg;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Releases a packed tour in the given environments through the real services (upload and bank
 * signature, signed release record, grants), and names the sandbox testers.
 */
export async function releaseTour(
  srv: TestServer,
  pkg: LilyPackage,
  options: { name: string; granted: readonly string[]; envs?: Env[]; testers?: string[] },
): Promise<void> {
  const { apps, grants } = srv.booted.deps;
  const appId = pkg.manifest.appId;
  await apps.create({ merchantId: 'm-test', name: options.name, category: 'travel', appId }, OPS);
  const packageDigest = await apps.storePackage(utf8(serializePackage(pkg)));
  for (const env of options.envs ?? ['production', 'sandbox']) {
    await apps.release(appId, env, { manifest: pkg.manifest as unknown as ManifestFacts, packageDigest, grantedCapabilities: [...options.granted] }, OPS);
    for (const capability of options.granted) await grants.grant({ appId, env, capability, quota: null }, OPS);
  }
  if (options.testers?.length) await apps.setTesters(appId, options.testers, OPS);
}

/** Registers a bank-app user and logs in: the session token and the user id. */
export async function newUser(srv: TestServer, username: string): Promise<{ token: string; id: string }> {
  const reg = await http(srv.baseUrl, 'POST', '/api/auth/register', { body: { kind: 'user', username, password: `${username}-pass` } });
  if (reg.status !== 201) throw new Error(`register ${username}: ${reg.status} ${JSON.stringify(reg.body)}`);
  return { token: await login(srv.baseUrl, 'user', username, `${username}-pass`), id: reg.body.id as string };
}

/** A connected host for one user with one app open in it. */
export interface TourSession extends ConnectedApp {
  connected: ConnectedHost;
}

/** Connects a headless host for `token` and opens `appId` in `env`. */
export async function openTour(
  srv: TestServer,
  token: string,
  appId: string,
  options: Partial<ConnectedHostOptions> & { env?: Env } = {},
): Promise<TourSession> {
  const { env, ...hostOptions } = options;
  const connected = await ConnectedHost.create({
    baseUrl: srv.baseUrl,
    sessionToken: token,
    // Pinned, as a host build pins the bank key.
    bankPublicKey: srv.booted.deps.bankKeys.publicKey,
    ...hostOptions,
    limits: { maxInFlightCalls: 256, ...hostOptions.limits },
  });
  try {
    const opened = await connected.open(appId, { env: env ?? 'production' });
    return { ...opened, connected };
  } catch (err) {
    await connected.close();
    throw err;
  }
}

/** The text of the node with `id` in a tree. */
export function textOf(tree: ViewNode | undefined, id: string): string | undefined {
  const stack: ViewNode[] = tree ? [tree] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.props.id === id) return node.children.filter((c): c is string => typeof c === 'string').join('');
    for (const child of node.children) if (typeof child !== 'string') stack.push(child);
  }
  return undefined;
}

/** What the tour rendered for one call. */
export interface Outcome {
  ok: boolean;
  result?: any;
  error?: { code: string; message: string; details: Record<string, unknown> | null };
  /** Sequence number: each rendered result gets a higher one. */
  n: number;
}

/** The last outcome of `method` as the top page shows it. */
export function outOf(app: HeadlessApp, method: string): Outcome | undefined {
  const text = textOf(app.tree, `out-${method}`);
  return text === undefined ? undefined : (JSON.parse(text) as Outcome);
}

/**
 * Taps the tour's button for `method` (a user gesture) with `params` (default: the tour's
 * defaults) and returns the outcome it rendered.
 */
export async function tapCall(app: HeadlessApp, method: string, params?: unknown): Promise<Outcome> {
  return run(app, method, params, () => app.tap(method));
}

/** Calls `method` from an input event (not a user gesture) and returns the outcome it rendered. */
export async function inputCall(app: HeadlessApp, method: string, params?: unknown): Promise<Outcome> {
  return run(app, method, params, () => app.input('callWithoutTap', method));
}

async function run(app: HeadlessApp, method: string, params: unknown, fire: () => Promise<{ status: string }>): Promise<Outcome> {
  const before = outOf(app, method)?.n ?? 0;
  const set = await app.input('onArgs', JSON.stringify(params === undefined ? { method } : { method, params }));
  if (set.status !== 'handled') throw new Error(`setting params for ${method}: ${JSON.stringify(set)}`);
  const fired = await fire();
  if (fired.status !== 'handled') throw new Error(`${method}: ${JSON.stringify(fired)}`);
  const out = outOf(app, method);
  if (!out || out.n <= before) throw new Error(`${method}: no new result on ${app.route} (${app.stopReason?.code ?? 'running'})`);
  return out;
}

/** Outcome codes per method of one burst (`ok` for successes), with the first retry hint. */
export type Tally = Record<string, Record<string, number> & { retryAfterSeconds?: number }>;

/** Runs a burst in the tour: `times` calls round-robin over `methods`, `chunk` at a time. */
export async function burst(app: HeadlessApp, spec: { label: string; methods: string[]; times: number; chunk?: number }): Promise<Tally> {
  const set = await app.input('onBurst', JSON.stringify(spec));
  if (set.status !== 'handled') throw new Error(`burst spec: ${JSON.stringify(set)}`);
  const fired = await app.tap('burst');
  if (fired.status !== 'handled') throw new Error(`burst: ${JSON.stringify(fired)}`);
  // A burst may run past the tap's calls (later chunks are new calls): wait for its result.
  for (let i = 0; i < 600; i++) {
    const text = textOf(app.tree, `burst-${spec.label}`);
    if (text !== undefined) return (JSON.parse(text) as { tally: Tally }).tally;
    if (app.state !== 'running') break;
    await app.idle();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`burst ${spec.label} did not finish (${app.stopReason?.code ?? 'running'})`);
}

/** Throws unless `outcome` succeeded with a result valid against the method's result schema. */
export function expectValidResult(capability: string, method: string, outcome: Outcome): any {
  if (!outcome.ok) throw new Error(`${capability}.${method} failed: ${JSON.stringify(outcome.error)}`);
  defaultRegistry().validateResult(capability, method, outcome.result);
  return outcome.result;
}

/** Waits until `check` holds (polling), or throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
