/**
 * `lily dev <folder>`: the mini-app simulator. Packs the folder, signs the package with a
 * throwaway key the simulator trusts, runs it in the headless host, prints the view tree, logs,
 * toasts and sheets, lets you tap handlers by typing their name, and re-runs on file change.
 */
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import { LilyError } from '../protocol/errors.ts';
import { generateSm2KeyPair } from '../runtime/crypto/sm.ts';
import { HeadlessHost, type HeadlessApp, type SheetKind } from '../runtime/headless/index.ts';
import type { EventType } from '../runtime/view/components.ts';
import { pack } from '../runtime/package/pack.ts';
import { signPackage } from '../runtime/package/sign.ts';

/** Options of {@link runDev}. */
export interface DevOptions {
  folder: string;
  /** Print the first render and exit. */
  once: boolean;
  /** Re-run on file changes (default true unless `once`). */
  watch: boolean;
  /** Launch page and query. */
  path?: string;
  query?: Record<string, string>;
  /** Reserved: a Lily server for server-side capabilities. */
  server?: string;
  input: NodeJS.ReadableStream;
  output: Writable;
}

const CATALOG = fileURLToPath(new URL('../capabilities/generated/catalog.json', import.meta.url));

/** Method lists per capability from the generated catalog, when it is there. */
export function catalogMethods(file = CATALOG): Record<string, string[]> {
  if (!existsSync(file)) return {};
  try {
    const catalog = JSON.parse(readFileSync(file, 'utf8')) as { capabilities?: { id: string; methods?: { name: string }[] }[] };
    return Object.fromEntries((catalog.capabilities ?? []).map((c) => [c.id, (c.methods ?? []).map((m) => m.name)]));
  } catch {
    return {};
  }
}

/** Prints a LilyError with its details (field errors, build errors) as a developer wants to read it. */
export function formatError(err: unknown): string {
  if (!(err instanceof LilyError)) return `error: ${err instanceof Error ? err.message : String(err)}`;
  const lines = [`${err.code}: ${err.message}`];
  const list = err.details?.errors;
  if (Array.isArray(list)) {
    for (const e of list as Record<string, unknown>[]) {
      if (typeof e.field === 'string') lines.push(`  ${e.field} ${String(e.message)}`);
      else if (typeof e.file === 'string') lines.push(`  ${e.file}:${String(e.line)}:${String(e.column)} ${String(e.message)}`);
    }
  } else if (err.details && Object.keys(err.details).length > 0) {
    lines.push(`  ${JSON.stringify(err.details)}`);
  }
  return lines.join('\n');
}

const HELP = `commands:
  <handler>                 tap the first node bound to it (e.g. increment)
  tap <handler>             same
  input <handler> <text>    type into an input bound with bindinput
  back                      go back one page
  tree | pages | logs       show the view, the page stack, all logs
  answer modal yes|no       answer the next modal
  answer actionSheet <n>    answer the next action sheet with item n
  answer scan <text>        answer the next scan with a code
  answer consent yes|no     answer the next consent sheet
  answer cashier <pin>|no   answer the next cashier sheet
  reload                    pack and open again
  help | quit`;

/** Runs the simulator until the input ends (or forever when watching). Returns the exit code. */
export async function runDev(options: DevOptions): Promise<number> {
  const out = (line = ''): void => {
    options.output.write(line + '\n');
  };
  const key = generateSm2KeyPair();
  const host = await HeadlessHost.create({ bankPublicKey: key.publicKey, capabilityMethods: catalogMethods() });
  let app: HeadlessApp | undefined;
  let shownLogs = 0;
  let shownToasts = 0;
  let shownSheets = 0;
  let shownView = '';

  if (options.server !== undefined) {
    out(`note: --server ${options.server} is reserved for a later version; running standalone.`);
  }
  out('note: server-side capabilities are answered with UNAVAILABLE in standalone mode.');

  const flush = (forceTree = false): void => {
    if (!app) return;
    for (const entry of app.logs.slice(shownLogs)) out(`[${entry.source === 'console' ? entry.level : entry.source === 'guest' ? 'guest error' : 'runtime'}] ${entry.message}`);
    shownLogs = app.logs.length;
    for (const t of app.toasts.slice(shownToasts)) out(`[toast] ${t.title}${t.icon !== 'success' ? ` (${t.icon})` : ''}`);
    shownToasts = app.toasts.length;
    for (const s of host.sheets.shown.slice(shownSheets)) out(`[sheet ${s.kind}] ${JSON.stringify({ ...s.request, appId: undefined })} → ${JSON.stringify(s.answer)}${s.answeredBy === 'default' ? ' (dismissed)' : ''}`);
    shownSheets = host.sheets.shown.length;
    if (app.state !== 'running') {
      out(`[stopped] ${app.stopReason?.code}: ${app.stopReason?.message}`);
      return;
    }
    const view = `${app.pages.at(-1)?.pageId}:${app.renders}`;
    if (forceTree || view !== shownView) {
      shownView = view;
      out(`── ${app.route} ${'─'.repeat(Math.max(3, 60 - (app.route ?? '').length))}`);
      out(app.render());
    }
  };

  const start = async (): Promise<void> => {
    app?.close();
    app = undefined;
    shownLogs = shownToasts = 0;
    shownView = '';
    let packed;
    try {
      packed = await pack(options.folder);
    } catch (err) {
      out(formatError(err));
      return;
    }
    const { pkg, sizes, warnings } = packed;
    for (const w of warnings) out(`[build warning] ${w}`);
    out(`lily dev: ${pkg.manifest.name} (${pkg.manifest.appId} ${pkg.manifest.version}), ${pkg.manifest.pages.length} page(s), script ${(sizes.scriptBytes / 1024).toFixed(1)} KiB, digest ${pkg.digest.slice(0, 16)}…`);
    try {
      app = await host.open(signPackage(pkg, key.privateKey, 'simulator', key.publicKey), {
        ...(options.path ? { path: options.path } : {}),
        ...(options.query ? { query: options.query } : {}),
        scene: 'developer',
      });
    } catch (err) {
      out(formatError(err));
      return;
    }
    await app.idle();
    flush(true);
  };

  const command = async (line: string): Promise<boolean> => {
    const [cmd = '', ...rest] = line.trim().split(/\s+/);
    if (cmd === '') return true;
    if (cmd === 'quit' || cmd === 'exit') return false;
    if (cmd === 'help') {
      out(HELP);
      return true;
    }
    if (cmd === 'reload') {
      await start();
      return true;
    }
    if (cmd === 'answer') {
      answer(rest);
      return true;
    }
    if (!app || app.state !== 'running') {
      out('no mini-app is running (fix the sources, or type reload)');
      return true;
    }
    switch (cmd) {
      case 'tree':
        flush(true);
        return true;
      case 'pages':
        out(app.pages.map((p, i) => `${i + 1}. ${p.route}${Object.keys(p.query).length ? ' ' + JSON.stringify(p.query) : ''}`).join('\n'));
        return true;
      case 'logs':
        out(app.logs.map((l) => `[${l.level}] ${l.message}`).join('\n') || '(no logs)');
        return true;
      case 'back': {
        const r = await app.back();
        if (r.error) out(`${r.error.code}: ${r.error.message}`);
        flush();
        return true;
      }
      case 'input': {
        const [handler = '', ...text] = rest;
        report(await app.input(handler, text.join(' ')));
        return true;
      }
      case 'tap':
        report(await app.tap(rest[0] ?? ''));
        return true;
      default: {
        const bound = app.instance.boundHandlers().get(cmd);
        const type: EventType = bound && !bound.has('tap') ? [...bound][0]! : 'tap';
        report(await app.trigger(cmd, type, type === 'tap' ? undefined : { value: rest.join(' ') }));
        return true;
      }
    }
  };

  const report = (outcome: Awaited<ReturnType<HeadlessApp['tap']>>): void => {
    if (outcome.status === 'refused') out(`${outcome.error.code}: ${outcome.error.message}`);
    if (outcome.status === 'threw') out(`[guest error] ${outcome.error.name ? outcome.error.name + ': ' : ''}${outcome.error.message}`);
    flush();
    if (outcome.status === 'threw') shownLogs = app?.logs.length ?? shownLogs;
  };

  const answer = (args: string[]): void => {
    const [kind, value = ''] = args as [SheetKind | undefined, string?];
    const yes = /^(y|yes|true|ok|confirm)$/i.test(value);
    switch (kind) {
      case 'modal':
        host.sheets.queue('modal', { confirm: yes });
        break;
      case 'consent':
        host.sheets.queue('consent', { granted: yes });
        break;
      case 'actionSheet':
        host.sheets.queue('actionSheet', /^\d+$/.test(value) ? { tapIndex: Number(value) } : { cancel: true });
        break;
      case 'scan':
        host.sheets.queue('scan', value ? { result: args.slice(1).join(' ') } : { cancel: true });
        break;
      case 'cashier':
        host.sheets.queue('cashier', /^\d{6}$/.test(value) ? { pin: value } : { cancel: true });
        break;
      default:
        out('answer what? modal, actionSheet, scan, consent or cashier');
        return;
    }
    out(`queued an answer for the next ${kind}`);
  };

  await start();
  if (options.once) {
    host.closeAll();
    return app ? 0 : 1;
  }

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (options.watch) {
    const root = path.resolve(options.folder);
    watcher = watch(root, { recursive: true }, (_event, file) => {
      if (file && /(^|[\\/])(node_modules|\.git)([\\/]|$)/.test(String(file))) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        out(`[watch] ${String(file ?? 'a file')} changed; re-running`);
        void start();
      }, 150);
    });
    out(`watching ${options.folder} for changes; type help for commands`);
  } else {
    out('type help for commands');
  }

  const rl = createInterface({ input: options.input, terminal: false });
  let queue = Promise.resolve(true);
  let quit = false;
  await new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      queue = queue.then(async (goOn) => {
        if (!goOn || quit) return false;
        options.output.write(`> ${line}\n`);
        const next = await command(line);
        if (!next) {
          quit = true;
          rl.close();
        }
        return next;
      });
    });
    rl.on('close', () => {
      void queue.then(() => {
        if (quit || !options.watch) resolve();
      });
    });
  });
  watcher?.close();
  clearTimeout(timer);
  host.closeAll();
  return 0;
}
