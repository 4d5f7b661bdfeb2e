/**
 * The `lily` command line for merchants: start a mini-app (`init`), run it in the simulator
 * (`dev`), pack it (`pack`), sign up and log in (`merchant`), manage the app (`app`) and upload
 * versions (`publish`). Run it with `npx lily …` (bin/lily.mjs) or `npm run lily -- …`.
 * Each command's module is loaded only when it runs, so the quick ones start quickly.
 */
import path from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { flagValue, parseArgs } from './args.ts';
import { CliError, sandboxFile, type CliIo } from './portal.ts';

export { parseArgs, type ParsedArgs } from './args.ts';

const USAGE = `usage:
  lily init <folder> --app-id <id> [--name <name>] [--category <category>] [--backend <url>]
      Start a mini-app that takes a payment, with its back end (server/backend.ts, which uses
      lily-open-client). --backend is where the back end listens (default http://localhost:4200).
  lily dev <folder> [--once] [--no-watch] [--path <page>] [--query a=1&b=2]
      Run a mini-app in the headless simulator: prints the view tree and logs, taps handlers
      you type, re-runs when a file changes. --once prints the first render and exits.
      Server-side capabilities (payment, login, requests) answer UNAVAILABLE there.
  lily pack <folder> [-o <file>] [--minify]
      Bundle a mini-app folder into a package file (default <appId>-<version>.lilypkg).

  lily merchant signup --server <url> --username <name> [--password <pw>] --business <name>
                       --licence <18-character code> --contact <name> --phone <phone> --email <email>
      Create a merchant account, log in and submit the business for admission by the bank.
  lily merchant login --server <url> --username <name> [--password <pw>]
  lily merchant status
      The session is saved in .lily/session.json (mode 0600) of the current folder (or --dir).
      Without --password, LILY_PASSWORD or a prompt supplies it.

  lily app create                 register the app app.json names; saves its sandbox key to .lily/sandbox.json (0600)
  lily app apply [capability …] [--env sandbox|production]
                                  apply for the capabilities app.json declares (default all, in the sandbox)
  lily app testers <username …>   bank-app users who may open the sandbox version
  lily app webhook <url>|none     where the bank sends the app's webhooks
  lily app status                 the app, its releases, capabilities and versions
  lily app release <version> [--percent <1-100>]
                                  release an approved version in production (all users, or a share)
      In the mini-app's folder, or with --dir <folder>; --app-id <id> names another app.

  lily publish [<folder>] [--server <url>] [--credentials <file>]
      Pack the folder (default .) and upload it over the signed Open API with the app's sandbox
      key; prints the automated review. The version is live in the sandbox for the testers at
      once. Credentials: --credentials <file>, else LILY_APP_ID, LILY_SERIAL_NO,
      LILY_PRIVATE_KEY and LILY_BANK_PUBLIC_KEY, else <folder>/.lily/sandbox.json (which also
      names the server).

Exit status: 0 done, 1 refused or failed (the message says why), 2 wrong usage.`;

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], terminal: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), ...terminal };
  const [command, ...rest] = argv;
  const args = parseArgs(rest);
  const str = (name: string) => flagValue(args, name);
  const { positional, flags } = args;
  const dir = path.resolve(io.cwd, str('--dir') ?? '.');
  try {
    if (command === 'init') return (await import('./init.ts')).initCommand(args, io);
    if (command === 'merchant') return await (await import('./merchant.ts')).merchantCommand(args, io, dir);
    if (command === 'app') return await (await import('./app.ts')).appCommand(args, io, dir);
    if (command === 'pack' && positional[0]) {
      const { pack, writePackageFile } = await import('../runtime/package/pack.ts');
      const { formatError } = await import('./dev.ts');
      try {
        const { pkg, sizes, warnings } = await pack(path.resolve(io.cwd, positional[0]), { minify: flags.has('--minify') });
        for (const w of warnings) io.stderr.write(`[build warning] ${w}\n`);
        const file = path.resolve(io.cwd, str('-o') ?? str('--out') ?? `${pkg.manifest.appId}-${pkg.manifest.version}.lilypkg`);
        await writePackageFile(pkg, file);
        io.stdout.write(
          `packed ${pkg.manifest.appId} ${pkg.manifest.version} → ${path.relative(io.cwd, file) || file}\n` +
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
      const { parseQuery } = await import('../runtime/navigation.ts');
      const { runDev } = await import('./dev.ts');
      const queryText = str('--query');
      const query = queryText === undefined ? undefined : parseQuery(queryText);
      if (queryText !== undefined && query === undefined) throw new CliError('--query must look like a=1&b=2', 2);
      const once = flags.has('--once');
      return await runDev({
        folder: path.resolve(io.cwd, positional[0]),
        once,
        watch: !once && !flags.has('--no-watch'),
        ...(str('--path') ? { path: str('--path')! } : {}),
        ...(query ? { query } : {}),
        ...(flags.has('--server') ? { server: str('--server') ?? '' } : {}),
        input: io.stdin,
        output: io.stdout as Writable,
      });
    }
    if (command === 'publish') return await publishCommand(path.resolve(io.cwd, positional[0] ?? '.'), str('--server'), str('--credentials'), io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`lily ${command}${command === 'merchant' || command === 'app' ? ` ${positional[0] ?? ''}` : ''}: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
  io.stderr.write(USAGE + '\n');
  return command === 'help' || command === '--help' || command === '-h' ? 0 : 2;
}

async function publishCommand(folder: string, serverFlag: string | undefined, credentialsFlag: string | undefined, io: CliIo): Promise<number> {
  const { describeReview, loadCredentials, publish } = await import('./publish.ts');
  let credentials;
  try {
    credentials = await loadCredentials(credentialsFlag ? path.resolve(io.cwd, credentialsFlag) : undefined, io.env, sandboxFile(folder));
  } catch (err) {
    if (!serverFlag && !io.env.LILY_SERVER) throw new CliError('lily publish needs --server <url> (or LILY_SERVER), e.g. --server http://localhost:3000', 2);
    throw new CliError((err as Error).message);
  }
  const server = serverFlag ?? io.env.LILY_SERVER ?? credentials.server;
  if (!server) throw new CliError('lily publish needs --server <url> (or LILY_SERVER), e.g. --server http://localhost:3000', 2);
  try {
    const version = await publish(folder, server, credentials);
    io.stdout.write(`published\n${describeReview(version)}\n`);
    if (version.report.passed) io.stdout.write(`live in the sandbox for the app's testers: ${server.replace(/\/+$/, '')}/apps/${version.appId}?env=sandbox\n`);
    return version.report.passed ? 0 : 1;
  } catch (err) {
    const e = err as { code?: string; detail?: string; message?: string; cause?: { code?: string } };
    if (e.cause?.code === 'ECONNREFUSED') throw new CliError(`cannot reach the Lily server at ${server} (ECONNREFUSED); is it running (npm start)?`);
    throw new CliError(e.code ? `${e.code}: ${e.detail ?? e.message}` : (e.message ?? String(err)));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
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
