/**
 * Server handlers of `base.log`: lines and error reports go to `app_logs`, which the merchant
 * console and the ops dashboard read. Records carry the openId, never the bank user id.
 */
import { defineHandlers } from '../define.ts';
import type { CapabilityContext } from '../context.ts';
import { randomId } from '../ids.ts';
import log from './log.ts';

/** The collection the merchant console and ops read. */
export const LOG_COLLECTION = 'app_logs';

/** One stored line. */
export interface AppLogDoc {
  _id: string;
  kind: 'log' | 'error';
  env: string;
  appId: string;
  version: string;
  instanceId: string;
  openId: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: Record<string, unknown>;
  error?: { name?: string; stack?: string; page?: string };
  createdAt: Date;
  [key: string]: unknown;
}

function base(ctx: CapabilityContext) {
  return {
    env: ctx.env,
    appId: ctx.appId,
    version: ctx.manifest.version,
    instanceId: ctx.instanceId,
    openId: ctx.openId,
    createdAt: new Date(ctx.now()),
  };
}

/** Handlers of `base.log`. */
export const logHandlers = defineHandlers(log, {
  async log(ctx, params) {
    const doc: AppLogDoc = { _id: randomId('log', 12), kind: 'log', ...base(ctx), level: params.level ?? 'info', message: params.message };
    if (params.data) doc.data = params.data;
    await ctx.store.collection<AppLogDoc>(LOG_COLLECTION).insertOne(doc);
    return { ok: true };
  },

  async reportError(ctx, params) {
    const errorId = randomId('log', 12);
    const doc: AppLogDoc = {
      _id: errorId,
      kind: 'error',
      ...base(ctx),
      level: 'error',
      message: params.message,
      error: Object.fromEntries(Object.entries({ name: params.name, stack: params.stack, page: params.page }).filter(([, v]) => v !== undefined)),
    };
    if (params.data) doc.data = params.data;
    await ctx.store.collection<AppLogDoc>(LOG_COLLECTION).insertOne(doc);
    return { ok: true, errorId };
  },
});
