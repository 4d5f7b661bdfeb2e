/**
 * `lily merchant signup|login|status`: a merchant account, its session (saved in `.lily/` of the
 * project folder), and the business registration the bank admits, over the merchant REST API.
 */
import path from 'node:path';
import { flagValue, type ParsedArgs } from './args.ts';
import { api, CliError, PortalError, readPassword, readSession, serverUrl, sessionFile, writeSecret, type CliIo, type Session } from './portal.ts';

/** The business registration as the server shows it. */
interface Business {
  id: string;
  businessName: string;
  licenceNo: string;
  status: 'pending' | 'admitted' | 'rejected';
  reason: string | null;
}

const SIGNUP_FLAGS = ['--username', '--business', '--licence', '--contact', '--phone', '--email'] as const;

function describeBusiness(b: Business | null): string {
  if (!b) return 'no business registered yet: run `lily merchant signup …` with the business flags';
  if (b.status === 'admitted') return `business "${b.businessName}" is admitted: create apps with \`lily app create\``;
  if (b.status === 'rejected') return `business "${b.businessName}" was rejected${b.reason ? ` (${b.reason})` : ''}: run \`lily merchant signup …\` again with corrected details`;
  return `business "${b.businessName}" is pending: the bank admits it in the ops console (Admission)`;
}

class WrongPassword extends CliError {}

async function logIn(server: string, username: string, password: string, dir: string): Promise<Session> {
  let login: { token: string; expiresAt: string };
  try {
    login = await api(server, 'POST', '/api/auth/login', { body: { kind: 'merchant', username, password } });
  } catch (err) {
    if (err instanceof PortalError && err.code === 'INVALID_CREDENTIALS') throw new WrongPassword(`wrong username or password for merchant ${username}`);
    throw err;
  }
  const session: Session = { server, username, token: login.token, expiresAt: login.expiresAt };
  writeSecret(sessionFile(dir), session);
  return session;
}

async function business(session: Session): Promise<Business | null> {
  return (await api<{ merchant: Business | null }>(session.server, 'GET', '/api/merchant/me', { token: session.token })).merchant;
}

/**
 * Runs `lily merchant <sub>`; returns the exit code.
 *
 * @example
 * ```ts
 * await merchantCommand(parseArgs(['signup', '--server', url, '--username', 'my-shop', …]), io, dir);
 * ```
 */
export async function merchantCommand(args: ParsedArgs, io: CliIo, dir: string): Promise<number> {
  const sub = args.positional[0];
  const str = (name: string) => flagValue(args, name);
  const out = (line: string) => io.stdout.write(`${line}\n`);

  if (sub === 'signup' || sub === 'login') {
    const server = serverUrl(str('--server') ?? io.env.LILY_SERVER);
    const missing = (sub === 'signup' ? SIGNUP_FLAGS : (['--username'] as const)).filter((f) => !str(f));
    if (missing.length) throw new CliError(`lily merchant ${sub} needs ${missing.map((f) => `${f} <…>`).join(' ')}`, 2);
    const username = str('--username')!.trim().toLowerCase();
    const password = await readPassword(str('--password'), io);

    let session: Session | undefined;
    if (sub === 'signup') {
      // Signing up again after a failed step goes on from where it stopped.
      try {
        await api(server, 'POST', '/api/auth/register', { body: { kind: 'merchant', username, password, displayName: str('--business')!.slice(0, 64) } });
        out(`merchant account ${username} created`);
      } catch (err) {
        if (!(err instanceof PortalError && err.code === 'ACCOUNT_EXISTS')) throw err;
        session = await logIn(server, username, password, dir).catch((e: unknown) => {
          if (e instanceof WrongPassword) throw new CliError(`the username ${username} is taken: choose another --username, or \`lily merchant login\` if it is yours`);
          throw e;
        });
        out(`merchant account ${username} exists`);
      }
    }
    session ??= await logIn(server, username, password, dir);
    out(`logged in to ${server} as ${username} (session in ${path.relative(io.cwd, sessionFile(dir)) || sessionFile(dir)}, mode 0600)`);
    let current = await business(session);
    if (sub === 'signup' && (!current || current.status === 'rejected')) {
      current = await api<Business>(server, 'POST', '/api/merchant/register', {
        token: session.token,
        body: { businessName: str('--business'), licenceNo: str('--licence'), contact: { name: str('--contact'), phone: str('--phone'), email: str('--email') } },
      });
    }
    out(describeBusiness(current));
    return 0;
  }

  if (sub === 'status') {
    const session = readSession(dir);
    out(`${session.username} on ${session.server}: ${describeBusiness(await business(session))}`);
    return 0;
  }

  throw new CliError('usage: lily merchant signup|login|status (see lily help)', 2);
}
