/**
 * Runs every benchmark in turn (each in its own process, so they do not share an event loop or
 * a heap), or the ones named: `npm run bench -- sm2 bridge`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ALL = ['runtime', 'sm2', 'bridge', 'open-api', 'payment-bridge'];
const root = path.resolve(import.meta.dirname, '..');
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
const unknown = chosen.filter((name) => !ALL.includes(name));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; choose from ${ALL.join(', ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen) {
  process.stdout.write(`\n== ${name} ==\n`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', `${name}.ts`)], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
