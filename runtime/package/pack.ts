/**
 * `pack(folder)`: turns a mini-app source folder into a package. Node-only (file system and
 * esbuild); the browser never imports this module.
 *
 * A source folder holds `app.json`, an optional `app.{js,jsx,ts,tsx}`, one source file per page
 * (`pages/index/index.jsx` for the route `pages/index/index`) and an optional `assets/` folder.
 * JSX compiles to `h(type, props, ...children)`; `.js` files may contain JSX too.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { LilyError } from '../../protocol/errors.ts';
import { createPackage, measurePackage, parsePackage, serializePackage, MAX_PACKAGE_FILE_BYTES, type LilyPackage, type PackageSizes } from './format.ts';
import { validateManifest, type Manifest } from './manifest.ts';

/** Extensions tried for app and page sources, in order. */
export const SOURCE_EXTENSIONS = ['.js', '.jsx', '.ts', '.tsx'] as const;

/** Options of {@link pack}. */
export interface PackOptions {
  /** Minify the bundle (smaller packages, less readable stack traces). Default false. */
  minify?: boolean;
}

/** What {@link pack} produced. */
export interface PackResult {
  /** The unsigned package. */
  pkg: LilyPackage;
  sizes: PackageSizes;
  /** esbuild warnings, formatted. */
  warnings: string[];
  /** Source files that went into the bundle, relative to the folder (for watching). */
  inputs: string[];
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function findSource(folder: string, base: string): Promise<string | undefined> {
  for (const ext of SOURCE_EXTENSIONS) {
    const candidate = path.join(folder, base + ext);
    if (await exists(candidate)) return candidate;
  }
  return undefined;
}

async function listAssets(folder: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const root = path.join(folder, 'assets');
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.set(path.relative(folder, full).split(path.sep).join('/'), new Uint8Array(await readFile(full)));
    }
  };
  await walk(root);
  return out;
}

function isInside(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Keeps the bundle inside the folder: no Node built-ins, nothing resolved outside it. */
function guardPlugin(folder: string): esbuild.Plugin {
  return {
    name: 'lily-guard',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'lily-guarded') return undefined;
        if (args.path.startsWith('node:') || isBuiltin(args.path)) {
          return { errors: [{ text: `"${args.path}" is a Node.js module; mini-apps run in the Lily sandbox and cannot use it` }] };
        }
        const result = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'lily-guarded',
        });
        if (result.errors.length > 0) return { errors: result.errors };
        if (!result.external && !isInside(folder, result.path)) {
          return { errors: [{ text: `"${args.path}" resolves outside the mini-app folder` }] };
        }
        return result;
      });
    },
  };
}

function buildError(err: unknown): LilyError {
  const failures = (err as { errors?: esbuild.Message[] }).errors ?? [];
  const errors = failures.slice(0, 20).map((m) => ({
    file: m.location?.file ?? '',
    line: m.location?.line ?? 0,
    column: m.location?.column ?? 0,
    message: m.text,
  }));
  const first = errors[0];
  const where = first && first.file ? `${first.file}:${first.line}:${first.column}: ` : '';
  return new LilyError('PACKAGE_INVALID', `The sources do not build: ${where}${first?.message ?? 'unknown error'}`, { errors });
}

/**
 * Bundles the mini-app in `folder` into an unsigned package: validates `app.json`, bundles the
 * app and page sources with esbuild into one IIFE script, adds `assets/`, checks the size caps
 * (script ≤ 2 MiB, package ≤ 8 MiB) and computes the SM3 digest. Throws `PACKAGE_INVALID` with
 * details (field errors, build errors, or the limit).
 *
 * @example
 * ```ts
 * const { pkg } = await pack('sample-miniapps/hello');
 * await writePackageFile(pkg, 'hello.lilypkg');
 * ```
 */
export async function pack(folder: string, options: PackOptions = {}): Promise<PackResult> {
  const root = path.resolve(folder);
  let manifestText: string;
  try {
    manifestText = await readFile(path.join(root, 'app.json'), 'utf8');
  } catch {
    throw new LilyError('PACKAGE_INVALID', `No app.json in ${folder}.`, { errors: [{ field: '/', message: 'app.json is missing' }] });
  }
  let manifestData: unknown;
  try {
    manifestData = JSON.parse(manifestText) as unknown;
  } catch (e) {
    throw new LilyError('PACKAGE_INVALID', `app.json is not valid JSON: ${(e as Error).message}`, {
      errors: [{ field: '/', message: 'is not valid JSON' }],
    });
  }
  const manifest: Manifest = validateManifest(manifestData);

  const lines: string[] = [];
  const appSource = await findSource(root, 'app');
  if (appSource) lines.push(`__lily.app(function () { require(${JSON.stringify('./' + path.relative(root, appSource).split(path.sep).join('/'))}); });`);
  const missing: { field: string; message: string }[] = [];
  for (const [i, route] of manifest.pages.entries()) {
    const source = await findSource(root, route);
    if (!source) {
      missing.push({ field: `/pages/${i}`, message: `has no source file ${route}.{js,jsx,ts,tsx}` });
      continue;
    }
    const rel = './' + path.relative(root, source).split(path.sep).join('/');
    lines.push(`__lily.page(${JSON.stringify(route)}, function () { require(${JSON.stringify(rel)}); });`);
  }
  if (missing.length > 0) {
    throw new LilyError('PACKAGE_INVALID', `Page ${manifest.pages[Number(missing[0]!.field.split('/')[2])]} has no source file.`, { errors: missing });
  }

  let result: esbuild.BuildResult & { metafile: esbuild.Metafile };
  try {
    result = await esbuild.build({
      stdin: { contents: lines.join('\n'), resolveDir: root, sourcefile: '<lily-entry>', loader: 'js' },
      absWorkingDir: root,
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2020',
      charset: 'utf8',
      legalComments: 'none',
      minify: options.minify ?? false,
      jsx: 'transform',
      jsxFactory: 'h',
      jsxFragment: 'h.Fragment',
      loader: { '.js': 'jsx', '.jsx': 'jsx', '.ts': 'ts', '.tsx': 'tsx' },
      metafile: true,
      logLevel: 'silent',
      plugins: [guardPlugin(root)],
    });
  } catch (err) {
    throw buildError(err);
  }
  const script = result.outputFiles?.[0]?.text ?? '';
  const assets = await listAssets(root);
  const pkg = createPackage(manifest, script, assets);
  const warnings = (await esbuild.formatMessages(result.warnings, { kind: 'warning', color: false })).map((w) => w.trim());
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('<'));
  return { pkg, sizes: measurePackage(manifest, script, assets), warnings, inputs };
}

/** Writes a package file (JSON). */
export async function writePackageFile(pkg: LilyPackage, file: string): Promise<void> {
  await writeFile(file, serializePackage(pkg), 'utf8');
}

/** Reads a package file and checks its envelope (not its signature: use `verifyPackage`). */
export async function readPackageFile(file: string): Promise<LilyPackage> {
  const info = await stat(file);
  if (info.size > MAX_PACKAGE_FILE_BYTES) throw new LilyError('PACKAGE_INVALID', 'The package file is too large.', { limit: 'file' });
  return parsePackage(await readFile(file, 'utf8'));
}
