/**
 * `lily init <folder> --app-id <id>`: a new mini-app that takes a payment, with its back end. It
 * copies `cli/template/` (a working project for `com.example.shop`) and sets the app id, name,
 * category and back end address in it.
 */
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_CATEGORIES, isAppId } from '../protocol/apps.ts';
import { validateManifest } from '../runtime/package/manifest.ts';
import { flagValue, type ParsedArgs } from './args.ts';
import { CliError, type CliIo } from './portal.ts';

/** The project `lily init` copies. */
export const TEMPLATE_DIR = fileURLToPath(new URL('./template/', import.meta.url));
const OPEN_CLIENT = fileURLToPath(new URL('../open-client/index.ts', import.meta.url));
/** The template's own values, replaced in its README. */
const TEMPLATE = { appId: 'com.example.shop', name: 'Example Shop', backend: 'http://localhost:4200' } as const;

/** What {@link init} makes. */
export interface InitOptions {
  folder: string;
  appId: string;
  name?: string;
  category?: string;
  /** Where the back end listens and the mini-app calls it (default http://localhost:4200). */
  backend?: string;
}

/** A name from the app id's last word: `com.example.coffee-shop` → `Coffee Shop`. */
const nameFrom = (appId: string) =>
  appId
    .split('.')
    .pop()!
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');

/**
 * Writes the project; throws a {@link CliError} for bad options or a folder that is not empty.
 *
 * @example
 * ```ts
 * const files = init({ folder: 'my-shop', appId: 'com.myshop.coffee', name: 'My Coffee' });
 * ```
 */
export function init(options: InitOptions): string[] {
  if (!isAppId(options.appId)) throw new CliError(`--app-id ${options.appId} is not an app id: 3-64 characters, lower-case words of letters and digits joined by dots or dashes (e.g. com.example.shop)`, 2);
  const name = (options.name ?? nameFrom(options.appId)).trim();
  if (name.length < 1 || name.length > 40) throw new CliError('--name must be 1-40 characters', 2);
  const category = options.category ?? 'shopping';
  if (!(APP_CATEGORIES as readonly string[]).includes(category)) throw new CliError(`--category must be one of ${APP_CATEGORIES.join(', ')}`, 2);
  let backend: URL;
  try {
    backend = new URL(options.backend ?? TEMPLATE.backend);
  } catch {
    throw new CliError(`--backend ${options.backend} is not a URL (e.g. http://localhost:4200)`, 2);
  }
  if ((backend.protocol !== 'http:' && backend.protocol !== 'https:') || backend.pathname !== '/' || backend.search || backend.username) {
    throw new CliError('--backend must be an http(s) origin such as http://localhost:4200 or https://api.example.com', 2);
  }
  const target = path.resolve(options.folder);
  if (existsSync(target) && readdirSync(target).length > 0) throw new CliError(`${options.folder} exists and is not empty; choose a new folder`);

  const manifest = JSON.parse(readFileSync(path.join(TEMPLATE_DIR, 'app.json'), 'utf8')) as Record<string, unknown>;
  Object.assign(manifest, { appId: options.appId, name, category, domains: [backend.host] });
  try {
    validateManifest(manifest);
  } catch (err) {
    // The host part of --backend must be a domain name or localhost (base.request matches it).
    throw new CliError(`${(err as Error).message} (from --backend ${backend.origin}?)`, 2);
  }

  cpSync(TEMPLATE_DIR, target, { recursive: true });
  renameSync(path.join(target, 'gitignore'), path.join(target, '.gitignore'));
  writeFileSync(path.join(target, 'app.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(target, 'config.ts'), `/** Where the mini-app reaches your back end, and where the back end listens. */\nexport const BACKEND = ${JSON.stringify(backend.origin)};\n`);
  const readme = readFileSync(path.join(target, 'README.md'), 'utf8')
    .replaceAll(TEMPLATE.backend, backend.origin)
    .replaceAll(TEMPLATE.appId, options.appId)
    .replaceAll(TEMPLATE.name, name);
  writeFileSync(path.join(target, 'README.md'), readme);
  // `lily-open-client` is the client in this checkout; tsx and editors find it through `paths`.
  const openClient = path.relative(target, OPEN_CLIENT).split(path.sep).join('/');
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      paths: { 'lily-open-client': [openClient.startsWith('.') ? openClient : `./${openClient}`] },
    },
    include: ['server', 'config.ts'],
  };
  writeFileSync(path.join(target, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  return listFiles(target).sort();
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name)).split(path.sep).join('/')],
  );
}

/** Runs `lily init`; returns the exit code. */
export function initCommand(args: ParsedArgs, io: CliIo): number {
  const folder = args.positional[0];
  const appId = flagValue(args, '--app-id');
  if (!folder || !appId) throw new CliError('usage: lily init <folder> --app-id <id> [--name <name>] [--category <category>] [--backend <url>]', 2);
  const name = flagValue(args, '--name');
  const category = flagValue(args, '--category');
  const backend = flagValue(args, '--backend');
  const files = init({ folder: path.resolve(io.cwd, folder), appId, ...(name ? { name } : {}), ...(category ? { category } : {}), ...(backend ? { backend } : {}) });
  const manifest = JSON.parse(readFileSync(path.resolve(io.cwd, folder, 'app.json'), 'utf8')) as { name: string; domains: string[] };
  io.stdout.write(
    `created ${folder}: mini-app ${appId} "${manifest.name}" and its back end (${manifest.domains[0]})\n` +
      files.map((f) => `  ${f}\n`).join('') +
      `next: cd ${folder}, then \`npx lily dev .\` to try it, and \`npx lily merchant signup …\` to publish it (see ${path.join(folder, 'README.md')})\n`,
  );
  return 0;
}
