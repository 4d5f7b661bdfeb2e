/**
 * Drives a scenario with `wrk` (a C load generator, Debian package `wrk`) when it is installed, so
 * the load generator costs far less CPU than the server it measures on a 2-core machine.
 * Requests are signed beforehand and replayed in order by a Lua script, one per line
 * (method, path, headers, body separated by tabs); each is sent once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A request ready to send. */
export interface WrkRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** What wrk measured. */
export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/** True when `wrk` is on the PATH. */
export function haveWrk(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

const LUA = `
local reqs = {}
local i = 0
local function split(s)
  local out = {}
  for field in (s .. "\\t"):gmatch("([^\\t]*)\\t") do out[#out + 1] = field end
  return out
end
init = function(args)
  for line in io.lines(args[1]) do
    local f = split(line)
    local headers = {}
    for k = 3, #f - 1, 2 do headers[f[k]] = f[k + 1] end
    local body = f[#f]
    if body == "" then body = nil end
    reqs[#reqs + 1] = wrk.format(f[1], f[2], headers, body)
  end
end
request = function()
  i = i + 1
  if i > #reqs then i = #reqs end
  return reqs[i]
end
`;

function ms(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/**
 * Runs wrk against `baseUrl` with `connections` connections for `seconds`, sending `requests` in
 * order (send more requests than can be answered in the time, or the last one repeats).
 */
export function runWrk(baseUrl: string, requests: WrkRequest[], connections: number, seconds: number): WrkResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'lily-wrk-'));
  const script = path.join(dir, 'replay.lua');
  const data = path.join(dir, 'requests.tsv');
  writeFileSync(script, LUA);
  writeFileSync(
    data,
    requests
      .map((r) => [r.method, r.path, ...Object.entries(r.headers).flat(), r.body].join('\t'))
      .join('\n') + '\n',
  );
  const res = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, baseUrl, '--', data], { encoding: 'utf8' });
  const out = res.stdout;
  const pct = (p: string) => ms(new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  const requestsDone = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50Ms: pct('50'),
    p90Ms: pct('90'),
    p99Ms: pct('99'),
    requests: requestsDone,
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    errors: Number(/Socket errors:.*?timeout (\d+)/.exec(out)?.[1] ?? 0),
  };
}
