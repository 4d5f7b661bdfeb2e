/**
 * Every method of the 48 capabilities is called by at least one test: the test files are read as
 * text and each method must appear as a call (`'<method>'` as the method of a bridge/registry
 * call, or `.<method>(` on the guest API). A new method without a test fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from './index.ts';

const root = path.resolve(import.meta.dirname, '..');

function testFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'data' || name.startsWith('.')) continue;
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) testFiles(file, out);
    // Tests, and the fixture mini-apps and samples they drive through the bridge.
    else if (/\.test\.ts$/.test(name) || /[\\/](fixtures|sample-miniapps)[\\/].*\.(js|jsx|ts)$/.test(file)) out.push(file);
  }
  return out;
}

describe('test coverage of the catalog', () => {
  it('calls every method of every capability from some test', () => {
    const corpus = testFiles(root)
      .filter((f) => !f.endsWith('coverage.test.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const called = (method: string) => corpus.includes(`'${method}'`) || corpus.includes(`"${method}"`) || corpus.includes(`.${method}(`);
    // The check can fail: a name no test uses is reported.
    expect(called('aMethodNoTestCalls')).toBe(false);
    const missing: string[] = [];
    for (const cap of defaultRegistry().list()) {
      for (const method of Object.keys(cap.methods)) if (!called(method)) missing.push(`${cap.id}.${method}`);
    }
    expect(missing).toEqual([]);
  });
});
