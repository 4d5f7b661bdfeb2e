/**
 * `lily init`: the project it writes is a mini-app that packs and runs, with a back end wired to
 * this checkout's `lily-open-client`; bad options are refused with exit status 2.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { pack } from '../runtime/package/pack.ts';
import { TEMPLATE_DIR } from './init.ts';
import { main } from './lily.ts';

const work = mkdtempSync(path.join(tmpdir(), 'lily-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `lily …` in `work` and collects what it prints. */
async function lily(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (chunk, _enc, done) => (add(String(chunk)), done()) });
  const code = await main(argv, {
    stdin: Readable.from([]),
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: {},
    cwd: work,
  });
  return { code, stdout, stderr };
}

describe('lily init', () => {
  it('writes a mini-app that packs, with its back end and the client it uses', async () => {
    const r = await lily('init', 'coffee', '--app-id', 'com.mycoffee.app', '--name', 'My Coffee', '--category', 'food', '--backend', 'http://localhost:4321');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created coffee: mini-app com.mycoffee.app "My Coffee"');
    const dir = path.join(work, 'coffee');
    for (const f of ['.gitignore', 'README.md', 'app.js', 'app.json', 'assets/icon.png', 'config.ts', 'pages/index/index.jsx', 'server/backend.ts', 'server/lily.ts', 'server/orders.ts', 'tsconfig.json']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
      expect(r.stdout).toContain(`  ${f}\n`);
    }
    const manifest = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8'));
    expect(manifest).toMatchObject({ appId: 'com.mycoffee.app', name: 'My Coffee', category: 'food', version: '1.0.0', domains: ['localhost:4321'] });
    expect(manifest.capabilities.map((c: { id: string }) => c.id)).toEqual(['member.login', 'base.request', 'payment.cashier', 'payment.orders']);
    expect(readFileSync(path.join(dir, 'config.ts'), 'utf8')).toContain('export const BACKEND = "http://localhost:4321";');
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toContain('.lily/');
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('# My Coffee');
    expect(readme).toContain('/apps/com.mycoffee.app?env=sandbox');
    expect(readme).not.toMatch(/com\.example\.shop|Example Shop|localhost:4200/);

    // The back end imports `lily-open-client`: the project's tsconfig maps it to this checkout.
    const tsconfig = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    const mapped = tsconfig.compilerOptions.paths['lily-open-client'][0];
    expect(readFileSync(path.resolve(dir, mapped), 'utf8')).toContain('export class LilyOpenClient');

    const { pkg } = await pack(dir);
    expect(pkg.manifest.appId).toBe('com.mycoffee.app');
    expect(pkg.script).toContain('http://localhost:4321');
    expect(Object.keys(pkg.assets)).toEqual(['assets/icon.png']);
  });

  it('runs in the simulator, where bank calls answer UNAVAILABLE and the page says so', async () => {
    await lily('init', 'sim', '--app-id', 'com.example.sim');
    const r = await lily('dev', 'sim', '--once');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('view#shop');
    expect(r.stdout).toContain('UNAVAILABLE');
  });

  it('derives a name from the app id and defaults the rest', async () => {
    expect((await lily('init', 'derived', '--app-id', 'com.example.coffee-shop')).code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(work, 'derived', 'app.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'Coffee Shop', category: 'shopping', domains: ['localhost:4200'] });
  });

  it('the template is itself a mini-app that packs', async () => {
    const { pkg } = await pack(TEMPLATE_DIR);
    expect(pkg.manifest.appId).toBe('com.example.shop');
  });

  it('refuses bad options with exit status 2 and a reason', async () => {
    const cases: [string[], RegExp][] = [
      [['init'], /usage: lily init <folder> --app-id <id>/],
      [['init', 'x1'], /usage: lily init/],
      [['init', 'x2', '--app-id', 'Com.Example'], /is not an app id/],
      [['init', 'x3', '--app-id', 'com.example.x', '--category', 'coffee'], /--category must be one of travel, tickets/],
      [['init', 'x4', '--app-id', 'com.example.x', '--name', 'n'.repeat(41)], /--name must be 1-40 characters/],
      [['init', 'x5', '--app-id', 'com.example.x', '--backend', 'localhost:4200'], /--backend must be an http\(s\) origin/],
      [['init', 'x6', '--app-id', 'com.example.x', '--backend', 'http://localhost:4200/api'], /--backend must be an http\(s\) origin/],
      [['init', 'x7', '--app-id', 'com.example.x', '--backend', 'http://127.0.0.1:4200'], /domains.*from --backend/],
    ];
    for (const [argv, message] of cases) {
      const r = await lily(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(message);
      expect(existsSync(path.join(work, argv[1] ?? 'none')), argv.join(' ')).toBe(false);
    }
  });

  it('never writes over a folder that has files in it', async () => {
    mkdirSync(path.join(work, 'taken'));
    writeFileSync(path.join(work, 'taken', 'keep.txt'), 'mine');
    const r = await lily('init', 'taken', '--app-id', 'com.example.taken');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('taken exists and is not empty');
    expect(existsSync(path.join(work, 'taken', 'app.json'))).toBe(false);
  });
});
