/**
 * Packages for tests: real source folders (or inline sources written to a temporary folder)
 * packed by the real `pack` and signed with a test bank key.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSm2KeyPair } from '../../../runtime/crypto/sm.ts';
import type { LilyPackage } from '../../../runtime/package/format.ts';
import type { Manifest } from '../../../runtime/package/manifest.ts';
import { pack } from '../../../runtime/package/pack.ts';
import { signPackage } from '../../../runtime/package/sign.ts';

/** The test bank's key pair (one per test file). */
export const TEST_BANK = generateSm2KeyPair();

/** A 1×1 PNG. */
export const TINY_PNG = Uint8Array.from(
  Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64'),
);

/** A manifest for inline test apps; override any field. */
export function testManifest(overrides: Partial<Manifest> = {}): Manifest {
  return {
    appId: 'com.test.app',
    name: 'Test app',
    version: '1.0.0',
    category: 'utility',
    icon: 'assets/icon.png',
    pages: ['pages/index/index'],
    capabilities: [
      { id: 'base.ui', reason: 'Shows toasts in tests.' },
      { id: 'base.navigate', reason: 'Moves between pages in tests.' },
    ],
    domains: [],
    minHostVersion: '1.0.0',
    ...overrides,
  };
}

/** Packs and signs a source folder. */
export async function packFolder(folder: string, key = TEST_BANK): Promise<LilyPackage> {
  const { pkg } = await pack(folder);
  return signPackage(pkg, key.privateKey, 'test', key.publicKey);
}

/**
 * Writes `files` (path → text) plus `app.json` and an icon to a temporary folder, packs and
 * signs it, and removes the folder.
 *
 * @example
 * ```ts
 * const pkg = await packSources({ 'pages/index/index.js': `Page({ render: () => h('view', null, 'hi') })` });
 * ```
 */
export async function packSources(files: Record<string, string>, manifest: Partial<Manifest> = {}, key = TEST_BANK): Promise<LilyPackage> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lily-app-'));
  try {
    await writeSources(dir, files, manifest);
    return await packFolder(dir, key);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes a mini-app source folder. */
export async function writeSources(dir: string, files: Record<string, string>, manifest: Partial<Manifest> = {}): Promise<void> {
  const all: Record<string, string | Uint8Array> = { 'app.json': JSON.stringify(testManifest(manifest), null, 2), 'assets/icon.png': TINY_PNG, ...files };
  for (const [rel, content] of Object.entries(all)) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** A page that renders a counter; used as "the normal mini-app" after hostile ones. */
export const NORMAL_PAGE = `
Page({
  data: { n: 0 },
  add() { this.setData({ n: this.data.n + 1 }); },
  render(d) { return h('view', null, h('text', { id: 'n' }, 'n=' + d.n), h('button', { bindtap: 'add' }, 'add')); },
});
`;
