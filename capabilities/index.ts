/**
 * The 48 capabilities, listed explicitly (no file-system scanning) so that server, host app and
 * tools all load the same set, in catalog order. Platform-neutral: no Node built-ins are reachable
 * from here; server handlers are attached by `capabilities/handlers.ts`.
 */
import type { AnyCapability } from './registry.ts';
import { createRegistry, type Registry } from './registry.ts';

import cashier from './payment/cashier.ts';
import orders from './payment/orders.ts';
import refund from './payment/refund.ts';
import notify from './payment/notify.ts';
import qrcode from './payment/qrcode.ts';
import wallet from './payment/wallet.ts';
import deposit from './payment/deposit.ts';
import split from './payment/split.ts';
import cards from './payment/cards.ts';
import installment from './payment/installment.ts';
import reconciliation from './payment/reconciliation.ts';
import escrow from './payment/escrow.ts';
import agreement from './payment/agreement.ts';

import login from './member/login.ts';
import userInfo from './member/userInfo.ts';
import memberPhone from './member/phone.ts';
import realName from './member/realName.ts';
import tier from './member/tier.ts';
import points from './member/points.ts';
import card from './member/card.ts';
import address from './member/address.ts';
import invoice from './member/invoice.ts';
import authorize from './member/authorize.ts';
import verify from './member/verify.ts';

import coupons from './marketing/coupons.ts';
import redeem from './marketing/redeem.ts';
import campaigns from './marketing/campaigns.ts';
import luckyDraw from './marketing/luckyDraw.ts';
import subscribe from './marketing/subscribe.ts';
import share from './marketing/share.ts';
import referral from './marketing/referral.ts';
import analytics from './marketing/analytics.ts';
import cashback from './marketing/cashback.ts';
import placement from './marketing/placement.ts';

import clipboard from './base/clipboard.ts';
import image from './base/image.ts';
import location from './base/location.ts';
import log from './base/log.ts';
import navigate from './base/navigate.ts';
import network from './base/network.ts';
import openApp from './base/openApp.ts';
import phone from './base/phone.ts';
import request from './base/request.ts';
import scan from './base/scan.ts';
import storage from './base/storage.ts';
import support from './base/support.ts';
import system from './base/system.ts';
import ui from './base/ui.ts';

/** Every capability, in catalog order (payment, member, marketing, base; table order within). */
export const capabilities: readonly AnyCapability[] = [
  // payment (13)
  cashier,
  orders,
  refund,
  notify,
  qrcode,
  wallet,
  deposit,
  split,
  cards,
  installment,
  reconciliation,
  escrow,
  agreement,
  // member (11)
  login,
  userInfo,
  memberPhone,
  realName,
  tier,
  points,
  card,
  address,
  invoice,
  authorize,
  verify,
  // marketing (10)
  coupons,
  redeem,
  campaigns,
  luckyDraw,
  subscribe,
  share,
  referral,
  analytics,
  cashback,
  placement,
  // base (14)
  system,
  navigate,
  ui,
  storage,
  request,
  location,
  scan,
  clipboard,
  openApp,
  log,
  network,
  phone,
  image,
  support,
];

let shared: Registry | undefined;

/**
 * A registry of every definition without server handlers (server-backed methods answer
 * `UNAVAILABLE`). Built on first use and shared; the server uses `createServerRegistry()` from
 * `capabilities/handlers.ts` instead.
 */
export function defaultRegistry(): Registry {
  shared ??= createRegistry(capabilities);
  return shared;
}

export { createRegistry };
export type { AnyCapability, Registry };
