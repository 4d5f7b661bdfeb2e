/**
 * The README's merchant quick start, followed to the letter: every ```sh block of the section runs
 * verbatim in one bash session (as a person types them in one terminal), against a Lily server
 * in this process. The only difference from a person's run is where the servers are: the README's
 * own `LILY` and `SHOP` variables come from the environment. The browser steps are done the way
 * the pages do them: the ops console's REST calls for the bank, and a headless bank app over the
 * real bridge for alice. Every step's outcome is checked, and the whole path is timed.
 *
 * The session works in a temporary folder inside the checkout (`tmp/`, ignored by git), because
 * the quick start runs "in the Lily folder": that is where `npx lily` finds this checkout's
 * command.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../runtime/scheduler.ts';
import { JOURNAL_COLLECTION, type JournalDoc } from '../../server/ledger/ledger.ts';
import { C } from '../../server/payments/common.ts';
import { checkPaymentInvariants } from '../../server/payments/invariants.ts';
import type { OrderDoc } from '../../server/payments/orders.ts';
import { sampleHost, tapOk, until } from '../helpers/sample-host.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';
import { quickStartSteps, type QuickStartStep } from './readme.ts';
import { startShell, type BlockOutput, type ShellSession } from './shell.ts';

const root = path.resolve(import.meta.dirname, '../..');
const steps = quickStartSteps(readFileSync(path.join(root, 'README.md'), 'utf8'));
const commands = steps.flatMap((s) => s.blocks).join('\n');
/** What the README's commands name: read from them, so the test follows the text. */
const named = (re: RegExp, what: string) => {
  const m = re.exec(commands);
  if (!m) throw new Error(`the quick start's commands do not give ${what}`);
  return m[1]!;
};
const APP_ID = named(/lily init \S+ --app-id (\S+)/, 'an app id');
const FOLDER = named(/^cd (\S+)$/m, 'the project folder');
const USERNAME = named(/--username (\S+)/, 'a merchant username');
const BUSINESS = named(/--business "([^"]+)"/, 'a business name');
const PIN = '123456';

let srv: TestServer;
let shell: ShellSession;
let work: string;
let shop: string;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  // As under `npm start`: mini-apps and webhooks may reach back ends on this machine.
  srv = await startTestServer({ LILY_ALLOW_PRIVATE_NETWORK: 'true' });
  srv.booted.startWorkers();
  mkdirSync(path.join(root, 'tmp'), { recursive: true });
  work = mkdtempSync(path.join(root, 'tmp', 'quickstart-'));
  shop = `http://localhost:${await freePort()}`;
  shell = startShell(work, { ...process.env, LILY: srv.baseUrl, SHOP: shop });
});
afterAll(async () => {
  shell?.close();
  await srv?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the merchant quick start in the README', () => {
  it('has terminal steps with commands and browser steps that say where', () => {
    expect(steps.map((s) => s.number)).toEqual(steps.map((_, i) => i + 1));
    for (const s of steps) {
      if (s.browser) {
        expect(s.blocks, s.title).toEqual([]);
        expect(s.text, s.title).toMatch(/http:\/\/localhost:3000\//);
      } else expect(s.blocks.length, s.title).toBeGreaterThan(0);
    }
    expect(steps.filter((s) => s.browser).map((s) => s.title)).toEqual([
      expect.stringMatching(/admits/),
      expect.stringMatching(/grants.*approves/),
      expect.stringMatching(/alice pays/),
    ]);
    // The servers are named once, by variables the test can set and a person can leave alone.
    const first = steps[0]!.blocks[0]!;
    expect(first).toContain('export LILY="${LILY:-http://localhost:3000}"');
    expect(first).toContain('export SHOP="${SHOP:-http://localhost:4200}"');
    expect(commands.match(/localhost:\d+/g)).toEqual(['localhost:3000', 'localhost:4200']);
  });

  it('takes a new merchant from nothing to a sandbox payment, exactly as written', async () => {
    const { deps } = srv.booted;
    const project = path.join(work, FOLDER);
    const alice = (await deps.identity.findAccount('user', 'alice'))!;
    const balance = async () => (await deps.payments.getBalance({ store: deps.store, env: 'sandbox', userId: alice._id })).balance;
    const aliceBefore = await balance();
    const outputs = new Map<number, BlockOutput[]>();
    let paid: { orderId: string; amount: number } | undefined;

    /** What a person does in the browser, step by step (by the README's titles). */
    const browser: [RegExp, () => Promise<void>][] = [
      [
        /admits/,
        async () => {
          // Ops console, Admission: the pending partner, then Admit.
          const admin = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
          const pending = await http(srv.baseUrl, 'GET', '/api/ops/merchants?status=pending', { token: admin });
          const mine = pending.body.merchants.find((m: { businessName: string }) => m.businessName === BUSINESS);
          expect(mine, `${BUSINESS} waits for admission`).toBeDefined();
          const decided = await http(srv.baseUrl, 'POST', `/api/ops/merchants/${encodeURIComponent(mine.id)}/decision`, { token: admin, body: { admit: true, reason: 'licence verified' } });
          expect(decided.body.status).toBe('admitted');
        },
      ],
      [
        /grants.*approves/,
        async () => {
          // Ops console, Applications: Grant each; Version reviews: Approve (as the reviewer).
          const admin = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
          const queue = await http(srv.baseUrl, 'GET', '/api/ops/applications', { token: admin });
          const mine = queue.body.applications.filter((a: { appId: string }) => a.appId === APP_ID);
          expect(mine.map((a: { capability: string }) => a.capability).sort()).toEqual(['base.request', 'member.login', 'payment.cashier', 'payment.orders']);
          for (const a of mine) {
            const r = await http(srv.baseUrl, 'POST', `/api/ops/applications/${encodeURIComponent(a._id)}/decision`, { token: admin, body: { grant: true, reason: 'ok for the sandbox' } });
            expect(r.body.status).toBe('granted');
          }
          const reviewer = await login(srv.baseUrl, 'ops', 'reviewer', 'reviewer-demo');
          const reviews = await http(srv.baseUrl, 'GET', '/api/ops/reviews', { token: reviewer });
          const version = reviews.body.versions.find((v: { appId: string }) => v.appId === APP_ID);
          expect(version).toMatchObject({ version: '1.0.0', status: 'pending_review', report: { passed: true } });
          const approved = await http(srv.baseUrl, 'POST', `/api/ops/versions/${encodeURIComponent(version.id)}/decision`, { token: reviewer, body: { approve: true, reason: 'looks good' } });
          expect(approved.body.version.status).toBe('approved');
        },
      ],
      [
        /alice pays/,
        async () => {
          // The bank app: alice opens the sandbox trial, the page gets an order from the merchant's
          // back end, she taps Pay and enters her PIN in the cashier sheet.
          await until(async () => ((await fetch(`${shop}/health`).catch(() => null))?.ok ? true : undefined), 'the back end to listen', 60_000);
          const session = await sampleHost(srv, await login(srv.baseUrl, 'user', 'alice', 'alice-demo'), new ManualScheduler(), APP_ID);
          session.host.sheets.handle('cashier', () => ({ pin: PIN }));
          try {
            const app = await session.open('sandbox');
            const shows = (what: RegExp, label: string) =>
              until(async () => (await app.idle(), what.test(app.text()) ? true : undefined), label, 30_000).catch((err: Error) => {
                throw new Error(`${err.message}; the page shows: ${app.text()}\n--- backend.log:\n${readLog()}`);
              });
            await shows(/Pay ¥\d/, 'the order');
            const price = /Pay ¥(\d+\.\d\d)/.exec(app.text())![1]!;
            await tapOk(app, 'pay');
            await shows(/Our server sees the order as paid/, 'the payment');
            expect(app.text()).toContain(`Paid ¥${price}`);
            expect(app.text()).toMatch(/Receipt ord_\w+: paid/);
            const cashier = session.host.sheets.shown.filter((s) => s.kind === 'cashier');
            expect(cashier).toHaveLength(1);
            const orders = await deps.store.collection<OrderDoc>(C.orders).find({ appId: APP_ID }).toArray();
            expect(orders).toHaveLength(1);
            expect(orders[0]).toMatchObject({ env: 'sandbox', status: 'paid', amount: Math.round(Number(price) * 100), userId: alice._id });
            paid = { orderId: orders[0]!._id, amount: orders[0]!.amount };
          } finally {
            session.close();
          }
        },
      ],
    ];

    /** What must hold after each terminal step (by the README's titles). */
    const after: [RegExp, (out: BlockOutput[]) => Promise<void> | void][] = [
      [
        /Create the mini-app/,
        () => {
          const manifest = JSON.parse(readFileSync(path.join(project, 'app.json'), 'utf8'));
          expect(manifest).toMatchObject({ appId: APP_ID, version: '1.0.0', domains: [new URL(shop).host] });
          expect(readFileSync(path.join(project, 'config.ts'), 'utf8')).toContain(JSON.stringify(shop));
          expect(readFileSync(path.join(project, 'assets/icon.png')).subarray(1, 4).toString()).toBe('PNG');
        },
      ],
      [
        /Sign up/,
        async (out) => {
          expect(out[0]!.stdout).toContain('pending');
          expect(statSync(path.join(project, '.lily/session.json')).mode & 0o777).toBe(0o600);
          const account = await deps.identity.findAccount('merchant', USERNAME);
          expect((await deps.merchants.forAccount(account!._id))?.status).toBe('pending');
        },
      ],
      [
        /Create the app/,
        async (out) => {
          expect(out[0]!.stdout).toContain('admitted');
          const app = await deps.apps.get(APP_ID);
          expect(app).toMatchObject({ status: 'draft', webhookUrl: `${shop}/lily/webhook` });
          expect(app.testers).toEqual([alice._id]);
          const file = path.join(project, '.lily/sandbox.json');
          expect(statSync(file).mode & 0o777).toBe(0o600);
          const saved = JSON.parse(readFileSync(file, 'utf8'));
          const active = (await deps.credentials.list(APP_ID, 'sandbox')).find((c) => c.status === 'active');
          expect(saved).toMatchObject({ appId: APP_ID, serialNo: active!.serial, server: srv.baseUrl });
          const applications = (await deps.applications.forApp(APP_ID)).map((a) => `${a.env} ${a.capability} ${a.status}`);
          expect(applications.sort()).toEqual(['sandbox base.request pending', 'sandbox member.login pending', 'sandbox payment.cashier pending', 'sandbox payment.orders pending']);
        },
      ],
      [
        /Publish/,
        async (out) => {
          expect(out[0]!.stdout).toContain(`${APP_ID} 1.0.0: pending_review (review passed)`);
          expect((await deps.versions.get(`${APP_ID}@1.0.0`)).status).toBe('pending_review');
          expect((await deps.apps.get(APP_ID)).releases.sandbox?.version).toBe('1.0.0');
        },
      ],
      [
        /Start the back end/,
        async (out) => {
          expect(out[0]!.stdout).toMatch(/sandbox\s+1\.0\.0 live/);
          expect(out[0]!.stdout).toMatch(/sandbox\s+payment\.cashier\s+granted/);
          expect(out[0]!.stdout).toMatch(/1\.0\.0\s+approved/);
          await until(() => (readLog().includes('back end listening on') ? true : undefined), 'the back end to start', 60_000);
        },
      ],
      [
        /See the payment/,
        async (out) => {
          const { orderId, amount } = paid!;
          expect(out[0]!.stdout).toMatch(new RegExp(`${orderId}\\s+ORDER-\\S+\\s+paid\\s+${(amount / 100).toFixed(2)} yuan`));
          // `cat backend.log`: the back end created the order.
          expect(out[0]!.stdout).toContain(`order ${orderId} (ORDER-`);
          // The bank's webhook reaches the back end, verified and opened (the outbox runs every few seconds).
          await until(() => (readLog().includes(`webhook payment.succeeded: order ${orderId} is paid`) ? true : undefined), 'the webhook', 60_000);
          // The sandbox ledger: one payment entry for the order that balances, alice paid exactly the amount.
          const entries = await deps.store.collection<JournalDoc>(JOURNAL_COLLECTION).find({ ref: `pay:${orderId}` }).toArray();
          expect(entries).toHaveLength(1);
          expect(entries[0]).toMatchObject({ env: 'sandbox', kind: 'payment', appId: APP_ID });
          expect(entries[0]!.postings.reduce((sum, p) => sum + p.amount, 0)).toBe(0);
          expect(aliceBefore - (await balance())).toBe(amount);
          expect(await checkPaymentInvariants(deps.store)).toMatchObject({ ok: true, problems: [] });
        },
      ],
    ];
    const readLog = () => {
      try {
        return readFileSync(path.join(project, 'backend.log'), 'utf8');
      } catch {
        return '';
      }
    };

    const timings: { step: QuickStartStep; ms: number }[] = [];
    const started = performance.now();
    for (const step of steps) {
      const t0 = performance.now();
      if (step.browser) {
        const action = browser.find(([re]) => re.test(step.title));
        if (!action) throw new Error(`the test does not know how to do browser step ${step.number} "${step.title}"`);
        await action[1]();
      } else {
        const out: BlockOutput[] = [];
        for (const block of step.blocks) out.push(await shell.run(block));
        outputs.set(step.number, out);
        const check = after.find(([re]) => re.test(step.title));
        if (!check) throw new Error(`the test has no check for step ${step.number} "${step.title}"`);
        await check[1](out);
      }
      timings.push({ step, ms: performance.now() - t0 });
    }
    const total = performance.now() - started;
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const terminal = timings.filter((t) => !t.step.browser).reduce((s, t) => s + t.ms, 0);
    console.log(
      [
        `merchant quick start: ${seconds(total)} from \`lily init\` to the webhook (terminal steps ${seconds(terminal)}, browser steps done by the test ${seconds(total - terminal)})`,
        ...timings.map((t) => `  ${String(t.step.number).padStart(2)}. ${t.step.title.padEnd(72)} ${seconds(t.ms).padStart(7)}`),
      ].join('\n'),
    );
    expect(paid).toBeDefined();
  }, 600_000);
});
