/**
 * What the sample end-to-end tests share: a headless host for one bank-app user, bridged to a
 * test server as the bank app is (launch, host gate, consent and cashier sheets, the share and
 * subscription sheets, the address and invoice title pickers), and small helpers to tap through a
 * mini-app's pages.
 */
import { expect } from 'vitest';
import { defaultRegistry } from '../../capabilities/index.ts';
import type { BridgeCall } from '../../protocol/bridge.ts';
import { consentPrompt, createHostGate } from '../../runtime/headless/gates.ts';
import { HeadlessHost, type HeadlessApp } from '../../runtime/headless/host.ts';
import { LilyConnection, type LaunchedApp } from '../../runtime/host/connection.ts';
import type { ManualScheduler } from '../../runtime/scheduler.ts';
import { datasetOf, type ViewNode } from '../../runtime/view/tree.ts';
import { http, type TestServer } from './server.ts';

/** A user's headless bank app. */
export interface SampleHost {
  host: HeadlessHost;
  /** Launches `appId` (default: the host's app) in `env` and opens it. */
  open(env: 'sandbox' | 'production', appId?: string): Promise<HeadlessApp>;
  close(): void;
}

/**
 * Polls `fn` until it answers something other than `undefined`.
 *
 * @example
 * ```ts
 * const hook = await until(() => backend.webhooks.find((w) => w.verified), 'the webhook');
 * ```
 */
export async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A headless host for the user of `token`, bridged to `srv` as a bank app is. The host's sheets
 * (consent, cashier, confirm, share) are answered through `host.sheets` by the test; what they
 * collect (the PIN, the picked share channel) travels beside the params, never inside them.
 *
 * @example
 * ```ts
 * const session = await sampleHost(srv, await login(srv.baseUrl, 'user', 'alice', 'alice-demo'), new ManualScheduler(), 'com.lily.ride');
 * session.host.sheets.handle('cashier', () => ({ pin: '123456' }));
 * const app = await session.open('sandbox');
 * ```
 */
export async function sampleHost(srv: TestServer, token: string, scheduler: ManualScheduler, defaultAppId?: string): Promise<SampleHost> {
  const bankPublicKey = srv.booted.deps.bankKeys.publicKey;
  const connection = await LilyConnection.open({ baseUrl: srv.baseUrl, sessionToken: token, bankPublicKey });
  const registry = defaultRegistry();
  const launches = new Map<string, LaunchedApp>();
  const launchedFor = (call: BridgeCall) => launches.get(call.instanceId);
  let me: Promise<string> | undefined;
  const userId = () => (me ??= http(srv.baseUrl, 'GET', '/api/auth/me', { token }).then((r) => r.body.principal.id as string));
  const host = await HeadlessHost.create({
    bankPublicKey,
    scheduler,
    capabilityMethods: Object.fromEntries(registry.list().filter((c) => c.side === 'server').map((c) => [c.id, Object.keys(c.methods)])),
    gate: createHostGate({ connection, launchedFor, registry }),
    isGranted: (call, capability) => {
      const launched = launchedFor(call);
      return launched !== undefined && connection.hostGate(launched, capability) === null;
    },
    bridge: async (call, { sheets }) => {
      const launched = launchedFor(call);
      if (!launched) return { error: { code: 'LAUNCH_TOKEN_INVALID', message: 'Not launched here.' } };
      let hostAnswer: Record<string, unknown> | undefined;
      if (call.capability === 'marketing.share' && call.method === 'share') {
        const channels = ['contacts', 'moments', 'link'];
        const picked = await sheets.show('actionSheet', { appId: call.appId, itemList: channels, alertText: 'Share to' });
        if ('cancel' in picked) return { error: { code: 'USER_CANCELLED', message: 'The user closed the share sheet.' } };
        hostAnswer = { confirmed: true, pickedId: channels[picked.tapIndex] };
      } else if (call.capability === 'marketing.subscribe' && call.method === 'requestSubscribe') {
        // The subscription sheet: allow (every template asked for) or refuse (none of them).
        const templateIds = ((call.params ?? {}) as { templateIds?: string[] }).templateIds ?? [];
        const { confirm } = await sheets.show('modal', { appId: call.appId, title: '订阅消息', content: templateIds.join(', '), confirmText: '允许', cancelText: '拒绝' });
        hostAnswer = { confirmed: true, pickedIds: confirm ? templateIds : [] };
      } else if ((call.capability === 'member.invoice' && call.method === 'chooseInvoiceTitle') || (call.capability === 'member.address' && call.method === 'chooseAddress')) {
        // The host's picker over the user's own saved entries: only the one picked reaches the mini-app.
        const { members, store } = srv.booted.deps;
        const entries: { id: string; title?: string; detail?: string }[] =
          call.capability === 'member.invoice' ? await members.invoiceTitles.list(store, await userId()) : await members.addresses.list(store, await userId());
        const picked = await sheets.show('actionSheet', { appId: call.appId, itemList: entries.map((e) => e.title ?? e.detail ?? e.id), alertText: 'Choose' });
        if ('cancel' in picked) return { error: { code: 'USER_CANCELLED', message: 'The user closed the picker.' } };
        hostAnswer = { confirmed: true, pickedId: entries[picked.tapIndex]?.id };
      } else if (registry.method(call.capability, call.method)?.confirm) {
        const params = (call.params ?? {}) as { prepayId?: string; amount?: number; description?: string };
        const answer = await sheets.show('cashier', { appId: call.appId, ...params });
        if ('cancel' in answer) return { error: { code: 'USER_CANCELLED', message: 'The user closed the sheet.' } };
        hostAnswer = {
          confirmed: true,
          pin: answer.pin,
          ...(answer.cardId ? { cardId: answer.cardId } : {}),
          ...(answer.installmentTerm ? { installmentTerm: answer.installmentTerm } : {}),
          ...(answer.couponId ? { couponId: answer.couponId } : {}),
        };
      }
      return connection.call(
        launched,
        { capability: call.capability, method: call.method, params: call.params ?? {}, callId: call.callId },
        {
          userGesture: call.userGesture === true,
          consent: consentPrompt(sheets, launched.info.appId),
          scopeOf: (capability, method) => registry.method(capability, method)?.scope?.id ?? null,
          ...(hostAnswer ? { host: hostAnswer } : {}),
        },
      );
    },
  });
  return {
    host,
    async open(env, appId = defaultAppId) {
      if (!appId) throw new Error('sampleHost.open: no app id');
      const launched = await connection.launch(appId, env);
      launches.set(launched.info.instanceId, launched);
      return host.open(launched.verified, { instanceId: launched.info.instanceId });
    },
    close: () => connection.disconnect(),
  };
}

/** Finds the first node bound to `handler` whose dataset has `key: value`. */
export function findWhere(app: HeadlessApp, handler: string, key: string, value: unknown): ViewNode | undefined {
  const find = (node: ViewNode): ViewNode | undefined => {
    if (node.props.bindtap === handler && datasetOf(node)[key] === value) return node;
    for (const child of node.children) if (typeof child !== 'string') {
      const hit = find(child);
      if (hit) return hit;
    }
    return undefined;
  };
  return app.tree ? find(app.tree) : undefined;
}

/** Taps the node bound to `handler` whose dataset has `key: value` (the host's tap on a list item). */
export async function tapWhere(app: HeadlessApp, handler: string, key: string, value: unknown) {
  const node = findWhere(app, handler, key, value);
  if (!node) throw new Error(`no ${handler} with ${key}=${String(value)} on ${app.route}`);
  const outcome = app.instance.dispatchEvent({ handler, type: 'tap', target: { dataset: datasetOf(node) } });
  await app.idle();
  return outcome;
}

/** Taps `handler` and expects the runtime to accept the event. */
export async function tapOk(app: HeadlessApp, handler: string) {
  const outcome = await app.tap(handler);
  expect(outcome.status, `${handler} on ${app.route}: ${JSON.stringify(outcome)}`).not.toBe('refused');
  await app.idle();
}
