/**
 * The server handlers of the 11 membership capabilities, as one list for the registry.
 */
import { createAddressHandlers } from '../../capabilities/member/address.handler.ts';
import { createAuthorizeHandlers } from '../../capabilities/member/authorize.handler.ts';
import { createCardHandlers } from '../../capabilities/member/card.handler.ts';
import { createInvoiceHandlers } from '../../capabilities/member/invoice.handler.ts';
import { createLoginHandlers } from '../../capabilities/member/login.handler.ts';
import { createPhoneHandlers } from '../../capabilities/member/phone.handler.ts';
import { createPointsHandlers } from '../../capabilities/member/points.handler.ts';
import { createRealNameHandlers } from '../../capabilities/member/realName.handler.ts';
import { createTierHandlers } from '../../capabilities/member/tier.handler.ts';
import { createUserInfoHandlers } from '../../capabilities/member/userInfo.handler.ts';
import { createVerifyHandlers } from '../../capabilities/member/verify.handler.ts';
import type { CapabilityHandlers } from '../../capabilities/define.ts';
import type { MemberHandlerDeps } from './host.ts';

/**
 * Every membership guest handler, wired to one `Members`.
 *
 * @example
 * ```ts
 * const registry = createServerRegistry([...createPaymentHandlers(paymentDeps), ...createMemberHandlers({ members })]);
 * ```
 */
export function createMemberHandlers(deps: MemberHandlerDeps): CapabilityHandlers[] {
  return [
    createLoginHandlers(deps),
    createUserInfoHandlers(deps),
    createPhoneHandlers(deps),
    createRealNameHandlers(deps),
    createTierHandlers(deps),
    createPointsHandlers(deps),
    createCardHandlers(deps),
    createAddressHandlers(deps),
    createInvoiceHandlers(deps),
    createAuthorizeHandlers(deps),
    createVerifyHandlers(deps),
  ];
}
