/**
 * Builds the host app (`dist/host-app`) when it is missing or stale, and does nothing otherwise.
 * `npm start` runs it before the server; the browser tests call {@link ensureHostBuild}.
 *
 * Stale means: the SHA-256 over every input file (the host app's sources and config, and the
 * `protocol/`, `runtime/`, `open-client/` and docs it bundles, plus the lock file) differs from
 * the one recorded in `dist/host-app/.build-hash` by the last build. Concurrent callers (parallel
 * test files) share one build through a lock directory.
 *
 * ```sh
 * tsx host-app/scripts/ensure-host-build.ts           # build if needed
 * tsx host-app/scripts/ensure-host-build.ts --force   # build anyway
 * ```
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the build goes. */
export const HOST_DIST = path.join(ROOT, 'dist/host-app');
const HASH_FILE = path.join(HOST_DIST, '.build-hash');
const LOCK_DIR = path.join(ROOT, 'dist/.host-build.lock');
const LOCK_STALE_MS = 5 * 60_000;

/** Inputs of the build, relative to the root: folders are walked, skipping tests. */
const INPUTS = ['host-app/index.html', 'host-app/vite.config.ts', 'host-app/tsconfig.json', 'host-app/build', 'host-app/public', 'host-app/src', 'protocol', 'runtime', 'open-client', 'docs/open-api-signing.md', 'README.md', 'package-lock.json'];

function walk(rel: string, out: string[]): void {
  const abs = path.join(ROOT, rel);
  let st;
  try {
    st = statSync(abs);
  } catch {
    return;
  }
  if (st.isFile()) {
    if (!/\.test\.ts$/.test(rel)) out.push(rel);
    return;
  }
  for (const name of readdirSync(abs).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    walk(path.posix.join(rel, name), out);
  }
}

/** The hash of the build's inputs. */
export function sourceHash(): string {
  const files: string[] = [];
  for (const input of INPUTS) walk(input, files);
  const hash = createHash('sha256');
  for (const rel of files) {
    hash.update(rel).update('\0').update(readFileSync(path.join(ROOT, rel))).update('\0');
  }
  return hash.digest('hex');
}

/** True when `dist/host-app` holds a build of the current sources. */
export function isHostBuildFresh(hash = sourceHash()): boolean {
  try {
    return existsSync(path.join(HOST_DIST, 'index.html')) && readFileSync(HASH_FILE, 'utf8').trim() === hash;
  } catch {
    return false;
  }
}

function runViteBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
    const child = spawn(process.execPath, [vite, 'build', '--config', path.join(ROOT, 'host-app/vite.config.ts'), '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed with exit code ${code}`))));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tryLock(): boolean {
  mkdirSync(path.dirname(LOCK_DIR), { recursive: true });
  try {
    mkdirSync(LOCK_DIR);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(LOCK_DIR).mtimeMs > LOCK_STALE_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch {
      // released meanwhile
    }
    return false;
  }
}

/**
 * Builds the host app unless a build of the current sources exists. Resolves with whether it
 * built and how long that took.
 *
 * @example
 * ```ts
 * await ensureHostBuild(); // in a test's beforeAll
 * ```
 */
export async function ensureHostBuild(options: { force?: boolean; timeoutMs?: number } = {}): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 180_000);
  const hash = sourceHash();
  if (!options.force && isHostBuildFresh(hash)) return { built: false, ms: 0 };
  for (;;) {
    if (tryLock()) {
      try {
        if (!options.force && isHostBuildFresh(hash)) return { built: false, ms: Date.now() - started };
        await runViteBuild();
        writeFileSync(HASH_FILE, `${hash}\n`);
        return { built: true, ms: Date.now() - started };
      } finally {
        rmSync(LOCK_DIR, { recursive: true, force: true });
      }
    }
    // Someone else is building: wait for them, then check again.
    if (Date.now() > deadline) throw new Error('timed out waiting for another host app build to finish');
    await sleep(250);
    if (!options.force && isHostBuildFresh(hash)) return { built: false, ms: Date.now() - started };
  }
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  ensureHostBuild({ force: process.argv.includes('--force') })
    .then(({ built, ms }) => {
      process.stdout.write(built ? `host app: built in ${(ms / 1000).toFixed(1)} s\n` : 'host app: up to date\n');
    })
    .catch((err: unknown) => {
      process.stderr.write(`lily: could not build the host app: ${(err as Error).message}\n`);
      process.exit(1);
    });
}
