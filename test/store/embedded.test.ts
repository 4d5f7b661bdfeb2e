/**
 * What only the embedded engine promises: committed transactions survive `kill -9` of the process
 * and reopen intact, data and indexes persist across reopen, and an unusable data directory fails
 * with a clear error.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateKeyError, openStore, StoreOpenError, type Doc } from '../../server/store/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const writer = path.join(here, 'kill9-writer.ts');

interface Account extends Doc {
  balance: number;
}
interface Entry extends Doc {
  seq: number;
  from: string;
  to: string;
  amount: number;
}

const OPENING = 1_000_000;

/** Runs the writer until it has acknowledged `acks` more commits, then SIGKILLs it. */
function runAndKill(dataDir: string, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let first: number | undefined;
    let last = 0;
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        if (!/^\d+$/.test(line)) continue;
        last = Number(line);
        first ??= last;
        if (!killed && last - first + 1 >= acks) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve(last);
      else reject(new Error(`writer exited early (code ${code}, signal ${signal}): ${err}`));
    });
  });
}

describe('embedded store', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lily-embedded-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged transaction, and nothing half-applied, across kill -9', { timeout: 120_000 }, async () => {
    const dataDir = path.join(dir, 'data');
    const setup = await openStore({ dataDir });
    await setup.collection('journal').createIndex({ seq: 1 }, { unique: true });
    await setup.collection<Account>('accounts').insertMany([
      { _id: 'a', balance: OPENING },
      { _id: 'b', balance: OPENING },
    ]);
    await setup.close();

    let acknowledged = 0;
    for (let round = 0; round < 2; round++) {
      acknowledged = await runAndKill(dataDir, 150);

      const store = await openStore({ dataDir });
      try {
        const journal = await store.collection<Entry>('journal').find({}).sort({ seq: 1 }).toArray();
        // Every acknowledged commit is there; the writer may have committed one more before dying.
        expect(journal.length).toBeGreaterThanOrEqual(acknowledged);
        expect(journal.length).toBeLessThanOrEqual(acknowledged + 1);
        expect(journal.map((j) => j.seq)).toEqual(Array.from({ length: journal.length }, (_, i) => i + 1));
        // Balances are exactly the opening balances moved by the journal: no transaction is half there.
        const expected: Record<string, number> = { a: OPENING, b: OPENING };
        for (const j of journal) {
          expected[j.from] = (expected[j.from] ?? 0) - j.amount;
          expected[j.to] = (expected[j.to] ?? 0) + j.amount;
        }
        const accounts = await store.collection<Account>('accounts').find({}).sort({ _id: 1 }).toArray();
        expect(accounts).toEqual([
          { _id: 'a', balance: expected.a },
          { _id: 'b', balance: expected.b },
        ]);
        expect((accounts[0]?.balance ?? 0) + (accounts[1]?.balance ?? 0)).toBe(2 * OPENING);
        // The unique index survived too.
        await expect(store.collection('journal').insertOne({ seq: 1 })).rejects.toBeInstanceOf(DuplicateKeyError);
      } finally {
        await store.close();
      }
    }
    expect(acknowledged).toBeGreaterThanOrEqual(300);
  });

  it('keeps data, indexes and dates across close and reopen', async () => {
    const first = await openStore({ dataDir: dir });
    await first.collection('users').createIndex({ email: 1 }, { unique: true });
    await first.collection('users').insertOne({ _id: 'u1', email: 'a@x', at: new Date(42) });
    await first.close();
    await expect(first.collection('users').findOne({})).rejects.toThrow(/closed/);

    const second = await openStore({ dataDir: dir });
    try {
      expect(await second.collection('users').findOne({ email: 'a@x' })).toEqual({ _id: 'u1', email: 'a@x', at: new Date(42) });
      await expect(second.collection('users').insertOne({ email: 'a@x' })).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await second.collection('users').createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    } finally {
      await second.close();
    }
  });

  it('fails with a clear error when the data directory cannot be used', async () => {
    const file = path.join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const underFile = path.join(file, 'data');
    const err = await openStore({ dataDir: underFile }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreOpenError);
    expect((err as Error).message).toContain(`Cannot open the embedded store in ${underFile}`);
    expect((err as Error).message).not.toContain('\n');

    const garbage = path.join(dir, 'garbage');
    mkdirSync(garbage);
    writeFileSync(path.join(garbage, 'lily.sqlite'), 'this is not a database, just some text that is long enough '.repeat(20));
    await expect(openStore({ dataDir: garbage })).rejects.toThrow(/Cannot open the embedded store in .*garbage: .*not a database/);
  });
});
