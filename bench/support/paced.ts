/**
 * An open-loop HTTP/1.1 load generator that costs the machine little: requests are serialized to
 * bytes before the timed part, written on raw keep-alive sockets on a fixed schedule, and answers
 * are parsed only as far as the status line, the headers the caller asks for and Content-Length.
 * On a 2-core machine Node's `http` client spends a large share of a core at a few hundred
 * requests a second, CPU the server under test then lacks; this one spends a small fraction.
 *
 * Request i is due at start + i / rate. It is written as soon as it is due and a connection is
 * idle (one request in flight per connection, no pipelining); its latency runs from when it was
 * due to when the last byte of its answer arrived, so a server that falls behind cannot hide the
 * queue it builds (no coordinated omission).
 */
import net from 'node:net';

/** A request to send. */
export interface PacedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** One answer as the generator saw it. */
export interface PacedAnswer {
  status: number;
  /** Lower-case header names → values, for the names passed in `keepHeaders`. */
  headers: Record<string, string>;
  body: string;
}

/** What a paced run measured. */
export interface PacedResult {
  /** Latency of every answered request, ms from its due time, in answer order. */
  latencies: number[];
  /** When each of those requests was due, ms from the start of the run (same order). */
  dueAt: number[];
  /** Answers per second over the run (first due time to last answer). */
  rps: number;
  /** Error code (or HTTP status) → count, for answers that were not 200, and NETWORK failures. */
  errors: Record<string, number>;
  /** The first `sample` answers with status 200, kept whole for checks such as signatures. */
  sampled: PacedAnswer[];
}

/** Serializes a request once; the generator only copies bytes during the run. */
export function serialize(host: string, r: PacedRequest): Buffer {
  const body = Buffer.from(r.body, 'utf8');
  let head = `${r.method} ${r.path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n`;
  for (const [k, v] of Object.entries(r.headers)) head += `${k}: ${v}\r\n`;
  if (body.length > 0 || r.method === 'POST' || r.method === 'PUT') head += `Content-Length: ${body.length}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
}

const CRLF2 = Buffer.from('\r\n\r\n');
/** With requests outstanding and no answer for this long, the run ends with TIMEOUT errors. */
const STALL_MS = 30_000;

/** Reads answers off one socket: one in flight at a time, framed by Content-Length. */
class Conn {
  #buf: Buffer = Buffer.alloc(0);
  /** Due time of the request in flight, or null when idle. */
  due: number | null = null;
  /** Set once the socket failed; it is not used again. */
  dead = false;

  constructor(
    readonly socket: net.Socket,
    private readonly onAnswer: (conn: Conn, due: number, answer: PacedAnswer) => void,
    private readonly onFail: (conn: Conn, err: Error) => void,
    private readonly keepHeaders: string[],
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    socket.on('error', (err) => this.onFail(this, err));
    socket.on('close', () => this.onFail(this, new Error('connection closed by the server')));
  }

  send(bytes: Buffer, due: number): void {
    if (this.due !== null) throw new Error('a connection was given a second request while one is in flight');
    this.due = due;
    this.socket.write(bytes);
  }

  #data(chunk: Buffer): void {
    if (this.due === null) {
      // Bytes nobody asked for (e.g. a server's 408 before it closes): the connection is unusable.
      this.onFail(this, new Error('unsolicited bytes from the server'));
      return;
    }
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const end = this.#buf.indexOf(CRLF2);
    if (end < 0) return;
    const head = this.#buf.toString('latin1', 0, end);
    const lines = head.split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    let length = -1;
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      if (name === 'content-length') length = Number(line.slice(colon + 1));
      else if (this.keepHeaders.includes(name)) headers[name] = line.slice(colon + 1).trim();
    }
    if (length < 0) {
      this.onFail(this, new Error('answer without Content-Length'));
      return;
    }
    if (this.#buf.length < end + 4 + length) return;
    const body = this.#buf.toString('utf8', end + 4, end + 4 + length);
    const rest = this.#buf.subarray(end + 4 + length);
    this.#buf = rest.length > 0 ? Buffer.from(rest) : Buffer.alloc(0);
    const due = this.due!;
    this.due = null;
    this.onAnswer(this, due, { status, headers, body });
  }
}

/**
 * Sends `requests` at `rate` per second over `connections` keep-alive connections to
 * 127.0.0.1:`port` and waits for every answer.
 */
export async function pacedRun(
  port: number,
  requests: Buffer[],
  options: { rate: number; connections: number; sample?: number; keepHeaders?: string[] },
): Promise<PacedResult> {
  const keepHeaders = (options.keepHeaders ?? []).map((h) => h.toLowerCase());
  const sample = options.sample ?? 0;
  const latencies: number[] = [];
  const dueAt: number[] = [];
  const errors: Record<string, number> = {};
  const sampled: PacedAnswer[] = [];
  const count = (code: string) => {
    errors[code] = (errors[code] ?? 0) + 1;
  };
  let answered = 0;
  let lastAnswer = 0;
  let settle: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    settle = resolve;
  });
  /** Idle connections, used in turn (oldest idle first) so none sits idle long enough for the server to close it. */
  const idle: Conn[] = [];
  /** Indexes of requests that fell due while every connection was busy. */
  const backlog: number[] = [];
  let backlogAt = 0;
  let started = 0;
  const dueOf = (i: number) => started + (i * 1000) / options.rate;

  const done = () => {
    answered++;
    if (answered === requests.length) settle();
  };
  const next = (conn: Conn) => {
    if (backlogAt < backlog.length) {
      const i = backlog[backlogAt++]!;
      conn.send(requests[i]!, dueOf(i));
    } else {
      idle.push(conn);
    }
  };
  const onAnswer = (conn: Conn, due: number, answer: PacedAnswer) => {
    lastAnswer = performance.now();
    latencies.push(lastAnswer - due);
    dueAt.push(due - started);
    if (answer.status !== 200) {
      let code = String(answer.status);
      try {
        code = (JSON.parse(answer.body) as { code?: string }).code ?? code;
      } catch {
        // not JSON: the status is the code
      }
      count(code);
    } else if (sampled.length < sample) {
      sampled.push(answer);
    }
    done();
    next(conn);
  };
  let alive = options.connections;
  const onFail = (conn: Conn, _err: Error) => {
    if (conn.due !== null) {
      conn.due = null;
      count('NETWORK');
      done();
    }
    if (conn.dead) return;
    conn.dead = true;
    conn.socket.destroy();
    const at = idle.indexOf(conn);
    if (at >= 0) idle.splice(at, 1);
    if (--alive === 0 && answered < requests.length) {
      // Nothing left to send on: whatever is still unanswered failed.
      errors.NETWORK = (errors.NETWORK ?? 0) + (requests.length - answered);
      answered = requests.length;
      settle();
    }
  };

  const conns = await Promise.all(
    Array.from(
      { length: options.connections },
      () =>
        new Promise<Conn>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1');
          socket.once('connect', () => resolve(new Conn(socket, onAnswer, onFail, keepHeaders)));
          socket.once('error', reject);
        }),
    ),
  );
  idle.push(...conns);
  if (requests.length === 0) settle();

  started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < requests.length && dueOf(sent) <= now) {
        const conn = idle.shift();
        if (conn) conn.send(requests[sent]!, dueOf(sent));
        else backlog.push(sent);
        sent++;
      }
      if (sent >= requests.length) {
        resolve();
        return;
      }
      setTimeout(tick, Math.max(0, dueOf(sent) - performance.now()));
    };
    tick();
  });
  // A server that stops answering fails the run with TIMEOUT instead of hanging it.
  let progress = answered;
  const watchdog = setInterval(() => {
    if (answered !== progress) {
      progress = answered;
      return;
    }
    const inFlight = conns.filter((c) => c.due !== null).length;
    errors.TIMEOUT = (errors.TIMEOUT ?? 0) + (requests.length - answered);
    process.stderr.write(`paced: no answer for ${STALL_MS / 1000} s; ${requests.length - answered} unanswered, ${inFlight} in flight, ${alive} connections open\n`);
    settle();
  }, STALL_MS);
  await finished;
  clearInterval(watchdog);
  for (const c of conns) c.socket.destroy();
  const elapsed = (lastAnswer - started) / 1000;
  return { latencies, dueAt, rps: elapsed > 0 ? latencies.length / elapsed : 0, errors, sampled };
}
