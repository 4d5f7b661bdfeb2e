import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, ERROR_CODES, LilyError, toErrorPayload, toProblem } from './errors.ts';

/** Rows of the table in docs/errors.md: code → status. */
function documented(): Map<string, { status: number; fault: string }> {
  const text = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, { status: number; fault: string }>();
  for (const line of text.split('\n')) {
    const m = /^\| ([A-Z_]+) \| (\d{3}) \| (caller|server) \|/.exec(line);
    if (m) rows.set(m[1]!, { status: Number(m[2]), fault: m[3]! });
  }
  return rows;
}

describe('error catalogue', () => {
  it('documents every code with its status and fault, and documents no code that does not exist', () => {
    const docs = documented();
    expect(docs.size).toBeGreaterThan(0);
    for (const code of ERROR_CODES) {
      expect(docs.get(code), `docs/errors.md is missing ${code}`).toEqual({
        status: ERRORS[code].status,
        fault: ERRORS[code].fault,
      });
    }
    for (const code of docs.keys()) expect(ERROR_CODES, `docs/errors.md documents unknown ${code}`).toContain(code);
  });

  it('uses distinct, SCREAMING_SNAKE codes and valid HTTP statuses', () => {
    for (const code of ERROR_CODES) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(ERRORS[code].status).toBeGreaterThanOrEqual(400);
      expect(ERRORS[code].status).toBeLessThan(600);
      expect(ERRORS[code].message.length).toBeGreaterThan(5);
    }
  });

  it('never leaks internal text: unknown errors and server-fault errors get the catalogue message', () => {
    const leaked = toErrorPayload(new Error('SQLITE_BUSY at /srv/lily/data/lily.db'));
    expect(leaked).toEqual({ code: 'INTERNAL', message: ERRORS.INTERNAL.message });
    expect(toErrorPayload('a string')).toEqual({ code: 'INTERNAL', message: ERRORS.INTERNAL.message });
    expect(toErrorPayload(new LilyError('UNAVAILABLE', 'db host 10.0.0.5 down'))).toEqual({
      code: 'UNAVAILABLE',
      message: ERRORS.UNAVAILABLE.message,
    });
  });

  it('keeps caller-fault messages and details', () => {
    const err = new LilyError('INVALID_PARAMS', 'amount must be positive', { field: 'amount' });
    expect(toErrorPayload(err)).toEqual({ code: 'INVALID_PARAMS', message: 'amount must be positive', details: { field: 'amount' } });
    expect(err.status).toBe(400);
  });

  it('builds RFC 9457 problems with code and request id', () => {
    const problem = toProblem({ code: 'RATE_LIMITED', message: 'slow down' }, 'req-1', '/open/v1/x');
    expect(problem).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      detail: 'slow down',
      requestId: 'req-1',
      instance: '/open/v1/x',
    });
    expect(problem.type).toMatch(/^https:\/\//);
    expect(problem.title).toBe(ERRORS.RATE_LIMITED.message);
  });
});
