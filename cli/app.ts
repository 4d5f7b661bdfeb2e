/**
 * `lily app create|apply|testers|webhook|status|release`: thin commands over the merchant REST
 * API for the app that `app.json` of the project folder names (or `--app-id`), with the session
 * `lily merchant login` saved there.
 */
import path from 'node:path';
import { flagValue, type ParsedArgs } from './args.ts';
import { api, CliError, readJson, readSession, sandboxFile, writeSecret, type CliIo, type Session } from './portal.ts';

interface Manifest {
  appId: string;
  name: string;
  category: string;
  description?: string;
  version: string;
  capabilities: { id: string; reason: string }[];
}

interface AppView {
  appId: string;
  name: string;
  status: string;
  statusReason: string | null;
  releases: Record<'sandbox' | 'production', { version: string } | null>;
  webhookUrl?: string | null;
}

interface Application {
  env: string;
  capability: string;
  status: string;
  decisionReason: string | null;
}

interface Version {
  version: string;
  status: string;
  report: { passed: boolean };
  decision: { reason: string } | null;
}

const USAGE = 'usage: lily app create|apply [capability …] [--env sandbox|production]|testers <username …>|webhook <url>|status|release <version> [--percent n] [--dir <folder>] [--app-id <id>]';

function manifestOf(dir: string): Manifest | undefined {
  return readJson<Manifest>(path.join(dir, 'app.json'));
}

/**
 * Runs `lily app <sub>`; returns the exit code.
 *
 * @example
 * ```ts
 * await appCommand(parseArgs(['create']), io, '/path/to/my-shop');
 * ```
 */
export async function appCommand(args: ParsedArgs, io: CliIo, dir: string): Promise<number> {
  const [sub, ...rest] = args.positional;
  const out = (line: string) => io.stdout.write(`${line}\n`);
  if (!sub || !['create', 'apply', 'testers', 'webhook', 'status', 'release'].includes(sub)) throw new CliError(USAGE, 2);
  const manifest = manifestOf(dir);
  const appId = flagValue(args, '--app-id') ?? manifest?.appId;
  if (!appId) throw new CliError(`no app.json in ${dir}: run this in the mini-app's folder, or give --dir <folder> or --app-id <id>`, 2);
  const session = readSession(dir);
  const call = <T>(method: string, route: string, body?: unknown) =>
    api<T>(session.server, method, `/api/merchant/apps/${encodeURIComponent(appId)}${route}`, { token: session.token, ...(body === undefined ? {} : { body }) });
  const needManifest = (): Manifest => {
    if (!manifest || manifest.appId !== appId) throw new CliError(`lily app ${sub} reads app.json of ${appId}; run it in that mini-app's folder`, 2);
    return manifest;
  };

  switch (sub) {
    case 'create': {
      const m = needManifest();
      const file = sandboxFile(dir);
      const shown = path.relative(io.cwd, file) || file;
      const held = readJson<{ appId?: string }>(file);
      // Never write over a private key: the bank cannot show it again.
      if (held) throw new CliError(`${shown} already holds the sandbox key of ${held.appId ?? 'an app'}; \`lily app status\` shows the app (move the file away to create another)`);
      const created = await api<{ app: AppView; sandboxCredentials: Record<string, unknown> & { serialNo: string } }>(session.server, 'POST', '/api/merchant/apps', {
        token: session.token,
        body: { appId, name: m.name, category: m.category, ...(m.description ? { description: m.description } : {}) },
      });
      writeSecret(file, { ...created.sandboxCredentials, server: session.server });
      out(`app ${appId} "${created.app.name}" created (${created.app.status})`);
      out(`sandbox key ${created.sandboxCredentials.serialNo} saved to ${shown} (mode 0600): the bank shows its private key only this once, so keep the file safe and out of git`);
      return 0;
    }
    case 'apply': {
      const m = needManifest();
      const env = flagValue(args, '--env') ?? 'sandbox';
      if (env !== 'sandbox' && env !== 'production') throw new CliError('--env must be sandbox or production', 2);
      const unknown = rest.filter((id) => !m.capabilities.some((c) => c.id === id));
      if (unknown.length) throw new CliError(`app.json does not declare ${unknown.join(', ')}; declare a capability (with its reason) before you apply for it`, 2);
      const items = m.capabilities.filter((c) => rest.length === 0 || rest.includes(c.id)).map((c) => ({ capability: c.id, reason: c.reason }));
      if (items.length === 0) throw new CliError('app.json declares no capabilities', 2);
      const { applications } = await call<{ applications: Application[] }>('POST', '/applications', { env, items });
      out(`applied in the ${env} for ${applications.map((a) => a.capability).join(', ')}: the bank grants them in the ops console (Applications); \`lily app status\` shows the decisions`);
      return 0;
    }
    case 'testers': {
      if (rest.length === 0) throw new CliError('usage: lily app testers <username> … (bank-app users who may open the sandbox version)', 2);
      const { testers } = await call<{ testers: string[] }>('PUT', '/testers', { usernames: rest });
      out(`sandbox testers of ${appId}: ${testers.join(', ')}; they open it at ${session.server}/apps/${appId}?env=sandbox`);
      return 0;
    }
    case 'webhook': {
      const url = rest[0];
      if (!url) throw new CliError('usage: lily app webhook <url>|none (where the bank sends payment notifications)', 2);
      const { webhookUrl } = await call<{ webhookUrl: string | null }>('PUT', '/webhook', { url: url === 'none' ? null : url });
      out(webhookUrl ? `the bank sends ${appId}'s webhooks to ${webhookUrl}` : `${appId} has no webhook URL`);
      return 0;
    }
    case 'release': {
      const version = rest[0];
      if (!version) throw new CliError('usage: lily app release <version> [--percent 1-100]', 2);
      const percentText = flagValue(args, '--percent');
      const percent = percentText === undefined ? undefined : Number(percentText);
      if (percent !== undefined && !(Number.isInteger(percent) && percent >= 1 && percent <= 100)) throw new CliError('--percent must be a whole number from 1 to 100', 2);
      const r = await call<{ production: string | null; rollout: { version: string; percent: number } | null }>('POST', '/releases', { version, ...(percent ? { percent } : {}) });
      out(r.rollout ? `${appId} ${r.rollout.version} released to ${r.rollout.percent} % of users (the others keep ${r.production ?? 'nothing'})` : `${appId} ${r.production} is live in production`);
      return 0;
    }
    default:
      return status(session, appId, call, out);
  }
}

async function status(
  session: Session,
  appId: string,
  call: <T>(method: string, route: string) => Promise<T>,
  out: (line: string) => void,
): Promise<number> {
  const { app, applications } = await call<{ app: AppView; applications: Application[] }>('GET', '');
  const { versions } = await call<{ versions: Version[] }>('GET', '/versions');
  out(`${app.appId} "${app.name}": ${app.status}${app.statusReason ? ` (${app.statusReason})` : ''}`);
  for (const env of ['sandbox', 'production'] as const) {
    const live = app.releases[env]?.version;
    out(`  ${env.padEnd(10)} ${live ? `${live} live${env === 'sandbox' ? ` (testers open ${session.server}/apps/${appId}?env=sandbox)` : ''}` : 'nothing released'}`);
  }
  out(`  webhook    ${app.webhookUrl ?? 'none'}`);
  out(applications.length ? '  capabilities:' : '  capabilities: none applied for (lily app apply)');
  for (const a of applications) out(`    ${a.env.padEnd(10)} ${a.capability.padEnd(24)} ${a.status}${a.decisionReason ? ` (${a.decisionReason})` : ''}`);
  out(versions.length ? '  versions:' : '  versions: none uploaded (lily publish)');
  for (const v of versions) out(`    ${v.version.padEnd(10)} ${v.status}${v.report.passed ? '' : ' (automated review failed)'}${v.decision ? ` (${v.decision.reason})` : ''}`);
  return 0;
}
