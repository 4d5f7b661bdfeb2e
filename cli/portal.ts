/**
 * What the merchant commands share: the project's `.lily/` folder (the merchant session and the
 * app's sandbox credentials, each a file of mode 0600), calls to the merchant REST API with the
 * session's bearer token (README "Sessions and CSRF"), and errors a person can act on.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';

/** The terminal a command talks to, and where it runs. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: Pick<Writable, 'write'>;
  stderr: Pick<Writable, 'write'>;
  env: NodeJS.ProcessEnv;
  /** The directory relative paths start from. */
  cwd: string;
}

/** A failure to report in one line; `exitCode` 2 means the command was used wrongly. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A refusal of the Lily server, with its stable code (`protocol/errors.ts`). */
export class PortalError extends CliError {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly status: number,
    readonly fields: string[] = [],
  ) {
    super(`${detail} (${code})${fields.length ? `\n  ${fields.join('\n  ')}` : ''}`);
    this.name = 'PortalError';
  }
}

/** A merchant session, as `lily merchant signup|login` saves it. */
export interface Session {
  server: string;
  username: string;
  token: string;
  expiresAt: string;
}

/** The `.lily/` folder of a project. */
export const lilyDir = (dir: string) => path.join(dir, '.lily');
/** Where the session is kept. */
export const sessionFile = (dir: string) => path.join(lilyDir(dir), 'session.json');
/** Where `lily app create` keeps the app's sandbox credentials (and `lily publish` finds them). */
export const sandboxFile = (dir: string) => path.join(lilyDir(dir), 'sandbox.json');

/** Writes JSON readable by the owner only (the folder 0700, the file 0600), also over an older file. */
export function writeSecret(file: string, data: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Reads a JSON file, or undefined when it is not there. */
export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The saved session of the project in `dir`, or a hint to log in. */
export function readSession(dir: string): Session {
  const session = readJson<Session>(sessionFile(dir));
  if (!session?.token || !session.server) {
    throw new CliError(`not logged in here (no ${path.relative(process.cwd(), sessionFile(dir)) || sessionFile(dir)}): run \`lily merchant login --server <url> --username <name>\` (or \`lily merchant signup …\`) in this folder`);
  }
  return session;
}

/** A server URL without a trailing slash, or a usage error. */
export function serverUrl(value: string | undefined, hint = '--server <url> (e.g. http://localhost:3000)'): string {
  if (!value) throw new CliError(`give ${hint}`, 2);
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new CliError(`${value} is not an http(s) URL; give ${hint}`, 2);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/**
 * Calls the Lily REST API. Problems become {@link PortalError}s; an unreachable server a
 * {@link CliError} that says so.
 *
 * @example
 * ```ts
 * const { merchant } = await api<{ merchant: unknown }>(session.server, 'GET', '/api/merchant/me', { token: session.token });
 * ```
 */
export async function api<T>(server: string, method: string, route: string, options: { token?: string; body?: unknown } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(server + route, {
      method,
      headers: {
        accept: 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new CliError(`cannot reach the Lily server at ${server} (${cause}); is it running (npm start) and is the URL right?`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body as T;
  const problem = (body ?? {}) as { code?: string; detail?: string; title?: string; details?: { errors?: { field?: string; path?: string; message?: string }[] } };
  if (res.status === 401 && options.token && problem.code !== 'INVALID_CREDENTIALS') {
    throw new CliError('your session has expired or was ended: run `lily merchant login` again in this folder');
  }
  const fields = (problem.details?.errors ?? []).map((e) => `${e.field ?? e.path ?? ''} ${e.message ?? ''}`.trim());
  throw new PortalError(problem.code ?? `HTTP_${res.status}`, problem.detail ?? problem.title ?? `${server} answered HTTP ${res.status}`, res.status, fields);
}

/**
 * The password: `--password`, else `LILY_PASSWORD`, else asked on the terminal (not echoed), else
 * the first line of standard input (`… --password-stdin` style, for scripts).
 */
export async function readPassword(flag: string | undefined, io: CliIo, prompt = 'Password: '): Promise<string> {
  if (flag) return flag;
  if (io.env.LILY_PASSWORD) return io.env.LILY_PASSWORD;
  const rl = createInterface({ input: io.stdin, ...(io.stdin.isTTY ? { output: io.stdout as Writable, terminal: true } : {}) });
  try {
    if (io.stdin.isTTY) {
      io.stdout.write(prompt);
      // Echo nothing of what is typed.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    }
    const line = await new Promise<string | undefined>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(undefined));
    });
    if (io.stdin.isTTY) io.stdout.write('\n');
    if (!line) throw new CliError('give --password <password> (or set LILY_PASSWORD)', 2);
    return line;
  } finally {
    rl.close();
  }
}
