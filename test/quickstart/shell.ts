/**
 * One terminal session for a test: a single bash process that runs blocks of commands one after
 * another, keeping what a person's terminal keeps between them (the working directory, exported
 * variables, background jobs), and stopping at the first command that fails (`set -e`).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What one block printed. */
export interface BlockOutput {
  stdout: string;
  stderr: string;
  ms: number;
}

/** A running bash session. */
export interface ShellSession {
  /** Runs `script` verbatim (sourced, stdin from /dev/null); rejects with the output when a command fails. */
  run(script: string, timeoutMs?: number): Promise<BlockOutput>;
  /** Ends the shell and everything it started (its process group). */
  close(): void;
}

/**
 * Starts bash in `cwd` with `env`.
 *
 * @example
 * ```ts
 * const shell = startShell('/tmp/work', { ...process.env, LILY: srv.baseUrl });
 * await shell.run('export X=1\ncd sub');
 * (await shell.run('echo "$X $PWD"')).stdout; // '1 /tmp/work/sub\n'
 * shell.close();
 * ```
 */
export function startShell(cwd: string, env: NodeJS.ProcessEnv): ShellSession {
  const scripts = mkdtempSync(path.join(tmpdir(), 'lily-shell-'));
  // Its own process group, so that close() also stops background jobs the blocks started.
  const bash: ChildProcessWithoutNullStreams = spawn('bash', ['--norc', '--noprofile'], { cwd, env, detached: true });
  const token = `__BLOCK_DONE_${randomBytes(6).toString('hex')}__`;
  let stdout = '';
  let stderr = '';
  let exited: number | null = null;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  bash.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), notify()));
  bash.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), notify()));
  // Let the last output arrive before the exit is reported.
  bash.on('exit', (code) => setTimeout(() => ((exited = code ?? 1), notify()), 200));
  bash.stdin.write('set -eo pipefail\n');
  let n = 0;

  return {
    run(script, timeoutMs = 180_000) {
      const file = path.join(scripts, `block-${++n}.sh`);
      writeFileSync(file, `${script}\n`);
      const started = performance.now();
      stdout = '';
      stderr = '';
      bash.stdin.write(`source ${JSON.stringify(file)} < /dev/null\nprintf '\\n%s\\n' ${token}; printf '\\n%s\\n' ${token} >&2\n`);
      return new Promise<BlockOutput>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`block ${n} did not finish in ${timeoutMs} ms`)), timeoutMs);
        const finish = (err?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          const out = { stdout: stdout.split(`\n${token}\n`)[0]!, stderr: stderr.split(`\n${token}\n`)[0]!, ms: Math.round(performance.now() - started) };
          if (err) reject(Object.assign(new Error(`${err.message}\n--- the block:\n${script}\n--- stdout:\n${out.stdout}\n--- stderr:\n${out.stderr}`), { output: out }));
          else resolve(out);
        };
        const check = () => {
          if (stdout.includes(`\n${token}\n`) && stderr.includes(`\n${token}\n`)) finish();
          else if (exited !== null) finish(new Error(`a command of block ${n} failed (the shell exited with ${exited})`));
        };
        listeners.add(check);
        check();
      });
    },
    close() {
      try {
        if (bash.pid) process.kill(-bash.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(scripts, { recursive: true, force: true });
    },
  };
}
