/**
 * `lily publish`: packs a mini-app folder and uploads it over the signed Open API with the app's
 * sandbox key, then prints the automated review. The credentials are the JSON the merchant portal
 * shows when the app is created (`sandboxCredentials`), read from a file, the environment, or the
 * project's `.lily/sandbox.json` that `lily app create` saved.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LilyOpenClient } from '../open-client/index.ts';
import { pack } from '../runtime/package/pack.ts';

/** The credentials `lily publish` signs with. */
export interface PublishCredentials {
  appId: string;
  serialNo: string;
  privateKey: string;
  bank: { publicKey: string; serial?: string };
  /** The Lily server, as `lily app create` saves it beside the keys. */
  server?: string;
}

/** What the server answers about the uploaded version. */
export interface PublishedVersion {
  id: string;
  appId: string;
  version: string;
  status: string;
  packageDigest: string;
  report: {
    passed: boolean;
    checks: { id: string; ok: boolean; message: string; severity: string }[];
    diff: { base: string | null; addedCapabilities: string[]; removedCapabilities: string[]; addedDomains: string[]; addedScopes: string[] };
  };
}

/**
 * Reads credentials from a JSON file, or from `LILY_APP_ID`, `LILY_SERIAL_NO`,
 * `LILY_PRIVATE_KEY` and `LILY_BANK_PUBLIC_KEY`, or else from `fallbackFile` (the project's
 * `.lily/sandbox.json`) when it exists.
 */
export async function loadCredentials(file: string | undefined, env: NodeJS.ProcessEnv = process.env, fallbackFile?: string): Promise<PublishCredentials> {
  if (!file && !env.LILY_APP_ID && fallbackFile && existsSync(fallbackFile)) file = fallbackFile;
  if (file) {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read credentials from ${file}: ${(err as Error).message}`);
    }
    const c = ((data as { sandboxCredentials?: unknown }).sandboxCredentials ?? data) as Partial<PublishCredentials>;
    if (!c.appId || !c.serialNo || !c.privateKey || !c.bank?.publicKey) {
      throw new Error(`${file} must hold appId, serialNo, privateKey and bank.publicKey (the sandbox credentials from the merchant portal)`);
    }
    return c as PublishCredentials;
  }
  const { LILY_APP_ID, LILY_SERIAL_NO, LILY_PRIVATE_KEY, LILY_BANK_PUBLIC_KEY } = env;
  if (!LILY_APP_ID || !LILY_SERIAL_NO || !LILY_PRIVATE_KEY || !LILY_BANK_PUBLIC_KEY) {
    throw new Error('give --credentials <file>, or set LILY_APP_ID, LILY_SERIAL_NO, LILY_PRIVATE_KEY and LILY_BANK_PUBLIC_KEY, or run `lily app create` in the folder first (it saves .lily/sandbox.json)');
  }
  return { appId: LILY_APP_ID, serialNo: LILY_SERIAL_NO, privateKey: LILY_PRIVATE_KEY, bank: { publicKey: LILY_BANK_PUBLIC_KEY } };
}

/**
 * Packs `folder` and uploads it.
 *
 * @example
 * ```ts
 * const v = await publish('sample-miniapps/hello', 'http://localhost:3000', await loadCredentials('hello.credentials.json'));
 * console.log(v.status, v.report.passed);
 * ```
 */
export async function publish(folder: string, server: string, credentials: PublishCredentials): Promise<PublishedVersion> {
  const { pkg } = await pack(folder);
  if (pkg.manifest.appId !== credentials.appId) {
    throw new Error(`app.json says appId ${pkg.manifest.appId}, but the credentials are for ${credentials.appId}`);
  }
  const client = new LilyOpenClient({
    baseUrl: server,
    appId: credentials.appId,
    serialNo: credentials.serialNo,
    privateKey: credentials.privateKey,
    bankPublicKey: credentials.bank.publicKey,
    ...(credentials.bank.serial ? { bankSerial: credentials.bank.serial } : {}),
    timeoutMs: 120_000,
  });
  return (await client.post(`/open/v1/apps/${encodeURIComponent(credentials.appId)}/versions`, pkg)) as PublishedVersion;
}

/** A readable summary of a published version's review, one line per check. */
export function describeReview(v: PublishedVersion): string {
  const lines = [`${v.appId} ${v.version}: ${v.status} (review ${v.report.passed ? 'passed' : 'FAILED'})`];
  for (const c of v.report.checks) lines.push(`  ${c.ok ? 'ok  ' : c.severity === 'warning' ? 'warn' : 'FAIL'} ${c.id}: ${c.message}`);
  const d = v.report.diff;
  lines.push(`  diff against ${d.base ?? 'nothing (first version)'}: +${d.addedCapabilities.join(', +') || 'no new capabilities'}`);
  if (d.addedScopes.length) lines.push(`  new consent scopes: ${d.addedScopes.join(', ')}`);
  return lines.join('\n');
}
