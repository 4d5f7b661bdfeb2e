/**
 * The `lily` command line: `lily pack <folder> [-o file]`, `lily dev <folder>` and
 * `lily publish <folder> --server <url> --credentials <file>`.
 * Run it with `npx lily …` (bin/lily.mjs) or `npm run lily -- …`.
 */
import path from 'node:path';
import { pack, writePackageFile } from '../runtime/package/pack.ts';
import { formatError, runDev } from './dev.ts';
import { parseQuery } from '../runtime/navigation.ts';
import { describeReview, loadCredentials, publish } from './publish.ts';

const USAGE = `usage:
  lily pack <folder> [-o <file>] [--minify]
      Bundle a mini-app folder into a package file (default <appId>-<version>.lilypkg).
  lily dev <folder> [--once] [--no-watch] [--path <page>] [--query a=1&b=2] [--server <url>]
      Run a mini-app in the headless simulator: prints the view tree and logs, taps handlers
      you type, re-runs when a file changes. --once prints the first render and exits.
      --server is reserved for a later version (server-side capabilities answer UNAVAILABLE).
  lily publish <folder> --server <url> [--credentials <file>]
      Pack the folder and upload it over the signed Open API with the app's sandbox key; prints
      the automated review. The credentials file is the JSON shown when the app was created
      (or set LILY_APP_ID, LILY_SERIAL_NO, LILY_PRIVATE_KEY, LILY_BANK_PUBLIC_KEY).`;

/** Parsed `--flag value` options and positional arguments. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['-o', '--out', '--path', '--query', '--server', '--credentials']);

/** Splits argv into positionals and flags (`--flag value`, `--flag=value`, boolean `--flag`). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('-')) {
      const eq = arg.indexOf('=');
      if (eq > 0) flags.set(arg.slice(0, eq), arg.slice(eq + 1));
      else if (VALUE_FLAGS.has(arg) && i + 1 < argv.length) flags.set(arg, argv[++i]!);
      else flags.set(arg, true);
    } else positional.push(arg);
  }
  return { positional, flags };
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  const { positional, flags } = parseArgs(rest);
  const str = (name: string): string | undefined => {
    const v = flags.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  if (command === 'pack' && positional[0]) {
    try {
      const { pkg, sizes, warnings } = await pack(positional[0], { minify: flags.has('--minify') });
      for (const w of warnings) io.stderr.write(`[build warning] ${w}\n`);
      const file = str('-o') ?? str('--out') ?? `${pkg.manifest.appId}-${pkg.manifest.version}.lilypkg`;
      await writePackageFile(pkg, file);
      io.stdout.write(
        `packed ${pkg.manifest.appId} ${pkg.manifest.version} → ${path.relative(process.cwd(), path.resolve(file)) || file}\n` +
          `  script ${sizes.scriptBytes} B, assets ${sizes.assetBytes} B, total ${sizes.totalBytes} B\n` +
          `  digest (SM3) ${pkg.digest}\n` +
          `  unsigned: the bank signs it when the version is published\n`,
      );
      return 0;
    } catch (err) {
      io.stderr.write(formatError(err) + '\n');
      return 1;
    }
  }
  if (command === 'dev' && positional[0]) {
    const queryText = str('--query');
    const query = queryText === undefined ? undefined : parseQuery(queryText);
    if (queryText !== undefined && query === undefined) {
      io.stderr.write('--query must look like a=1&b=2\n');
      return 2;
    }
    const once = flags.has('--once');
    return runDev({
      folder: positional[0],
      once,
      watch: !once && !flags.has('--no-watch'),
      ...(str('--path') ? { path: str('--path')! } : {}),
      ...(query ? { query } : {}),
      ...(flags.has('--server') ? { server: str('--server') ?? '' } : {}),
      input: io.stdin,
      output: io.stdout,
    });
  }
  if (command === 'publish' && positional[0]) {
    const server = str('--server') ?? process.env.LILY_SERVER;
    if (!server) {
      io.stderr.write('lily publish needs --server <url> (or LILY_SERVER), e.g. --server http://localhost:3000\n');
      return 2;
    }
    try {
      const version = await publish(positional[0], server, await loadCredentials(str('--credentials')));
      io.stdout.write(`published\n${describeReview(version)}\n`);
      return version.report.passed ? 0 : 1;
    } catch (err) {
      const e = err as { code?: string; detail?: string; message?: string };
      io.stderr.write(`lily publish: ${e.code ? `${e.code}: ${e.detail ?? e.message}` : (e.message ?? String(err))}\n`);
      return 1;
    }
  }
  io.stderr.write(USAGE + '\n');
  return command === 'help' || command === '--help' || command === '-h' ? 0 : 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
