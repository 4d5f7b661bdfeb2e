/**
 * The `lily` CLI, run as users run it (node bin/lily.mjs …), non-interactively.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePackage } from '../../runtime/package/format.ts';

const BIN = path.resolve('bin/lily.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `input` is written to stdin (then closed unless `keepOpen`); `onOutput` may answer. */
function lily(args: string[], input = '', onOutput?: (stdout: string, write: (s: string) => void, end: () => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lily ${args.join(' ')} timed out; stdout so far:\n${stdout}\nstderr:\n${stderr}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onOutput?.(stdout, (s) => child.stdin.write(s), () => child.stdin.end());
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (input) child.stdin.write(input);
    if (!onOutput) child.stdin.end();
  });
}

describe('lily dev', () => {
  it('--once prints the first render and exits', async () => {
    const run = await lily(['dev', 'sample-miniapps/hello', '--once']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('lily dev: Hello Lily (com.lily.hello 1.0.0)');
    expect(run.stdout).toContain('server-side capabilities are answered with UNAVAILABLE in standalone mode');
    expect(run.stdout).toContain('[log] launched at pages/index/index');
    expect(run.stdout).toContain('text#count "Count: 0"');
  });

  it('taps handlers typed on stdin and shows the new tree, toasts and pages', async () => {
    const run = await lily(['dev', 'sample-miniapps/hello', '--no-watch', '--query', 'start=5', '--server', 'http://localhost:9'], 'increment\nsave\nopenAbout\nback\nnope\nquit\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--server http://localhost:9 is reserved for a later version; running standalone');
    expect(run.stdout).toContain('text#count "Count: 6"');
    expect(run.stdout).toContain('[toast] Saved 6');
    expect(run.stdout).toContain('── pages/about/about');
    expect(run.stdout).toMatch(/> back\n── pages\/index\/index/);
    expect(run.stdout).toContain('INVALID_PARAMS: Nothing on pages/index/index binds "nope" to tap.');
  });

  it('re-runs when a source file changes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lily-watch-'));
    try {
      await cp('sample-miniapps/hello', dir, { recursive: true });
      let edited = false;
      let quitSent = false;
      const run = await lily(['dev', dir], '', (stdout, write) => {
        if (!edited && stdout.includes('watching')) {
          edited = true;
          const app = path.join(dir, 'app.js');
          void readFile(app, 'utf8').then((text) => writeFile(app, text.replace("'Hello, Lily'", "'Hello again'")));
        }
        if (!quitSent && stdout.includes('"Hello again"')) {
          quitSent = true;
          write('quit\n');
        }
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/\[watch\] .*changed; re-running/);
      expect(run.stdout).toContain('text [class=title] "Hello again"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('explains a broken manifest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lily-broken-'));
    try {
      await cp('sample-miniapps/hello', dir, { recursive: true });
      const manifest = JSON.parse(await readFile(path.join(dir, 'app.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(path.join(dir, 'app.json'), JSON.stringify({ ...manifest, version: 'latest', pages: [] }));
      const run = await lily(['dev', dir, '--once']);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('PACKAGE_INVALID');
      expect(run.stdout).toContain('/version must be a semantic version such as 1.2.0');
      expect(run.stdout).toContain('/pages must NOT have fewer than 1 items');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('lily pack', () => {
  it('writes a package file with its digest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lily-pack-'));
    try {
      const file = path.join(dir, 'hello.lilypkg');
      const run = await lily(['pack', 'sample-miniapps/hello', '-o', file]);
      expect(run.code).toBe(0);
      const pkg = parsePackage(await readFile(file, 'utf8'));
      expect(run.stdout).toContain(`digest (SM3) ${pkg.digest}`);
      expect(pkg.manifest.appId).toBe('com.lily.hello');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints usage for a bad command', async () => {
    const run = await lily(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage:');
  });
});
