/**
 * The membership services, as the server wires them: the `Members` facade, the guest handlers
 * of the 11 membership capabilities, the merchant Open API operations, the open id directory and
 * demo seeding. See `README.md` for the wiring.
 */
export { Members, type MembersOptions } from './members.ts';
export { createMemberHandlers } from './handlers.ts';
export { registerMemberOperations } from './routes.ts';
export { createMemberOperations, MEMBER_OPERATION_IDS, type MemberOperationId, type MemberOperationInput, type MemberOperationResult, type MemberOperations } from './openapi.ts';
export { enter, type MemberHandlerDeps } from './host.ts';
export { findOpenId, rememberOpenId, resolveOpenId, type OpenIdDoc } from './openids.ts';
export { hostOf, MC, MemberSecrets, requireConfirmed, requireConsent, type Consents, type PickerConfirmation } from './common.ts';
export { addressBook, invoiceTitles, MAX_ENTRIES, type Address, type InvoiceTitle } from './address-book.ts';
export { TIERS, tierOf, activityScore, currentTier, type TierId } from './tiers.ts';
export { PointsService, pointsView, type PointsChange, type PointTxnDoc, type PointsDoc } from './points.ts';
export { CardService, cardView, MAX_TEMPLATES, type CardDoc, type CardTemplateDoc } from './cards.ts';
export { Verifications, VERIFY_TTL_MS, OTP_MAX_ATTEMPTS } from './verify.ts';
export { ConsentSettings } from './consent.ts';
export { LoginService, CODE_TTL_MS, SESSION_TTL_MS } from './login.ts';
export { Profiles, maskName, DEFAULT_AVATAR } from './profiles.ts';
export { DEMO_MEMBERS, seedMemberDemo } from './seed.ts';
export { ensureMemberIndexes } from './indexes.ts';
