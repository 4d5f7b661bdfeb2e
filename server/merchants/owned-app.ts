/**
 * The check every merchant route makes: the caller's business is admitted and owns the app.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { AppDoc, AppService } from '../apps/apps.ts';
import type { MerchantDoc, MerchantService } from './merchants.ts';

/**
 * The admitted merchant of `accountId` and its app `appId`. NOT_FOUND both for an app that does
 * not exist and for another merchant's app, so app ids cannot be probed.
 *
 * @example
 * ```ts
 * const { app } = await ownedApp({ merchants, apps }, principalOf(req).id, req.params.appId);
 * ```
 */
export async function ownedApp(
  deps: { merchants: MerchantService; apps: AppService },
  accountId: string,
  appId: string,
): Promise<{ merchant: MerchantDoc; app: AppDoc }> {
  const merchant = await deps.merchants.requireAdmitted(accountId);
  const app = await deps.apps.get(appId).catch(() => null);
  if (!app || app.merchantId !== merchant._id) throw new LilyError('NOT_FOUND', `No app ${appId}.`);
  return { merchant, app };
}
