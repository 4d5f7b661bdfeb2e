/**
 * `Members`: the membership services behind one object, as handlers and Open API operations
 * reach them. Like `Payments` it holds no store: every call names its scope.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { GrantService } from '../grants/grants.ts';
import type { VerifyPin } from '../payments/host.ts';
import type { Store } from '../store/types.ts';
import { addressBook, invoiceTitles } from './address-book.ts';
import { CardService } from './cards.ts';
import { MemberSecrets, type Consents, type Env, type Scope } from './common.ts';
import { ConsentSettings } from './consent.ts';
import { ensureMemberIndexes } from './indexes.ts';
import { LoginService } from './login.ts';
import { resolveOpenId } from './openids.ts';
import { PointsService } from './points.ts';
import { Profiles } from './profiles.ts';
import { currentTier } from './tiers.ts';
import { Verifications } from './verify.ts';

/** What the membership services need. */
export interface MembersOptions {
  /** Deployment secret (≥ 32 characters) from which token, seal and identity keys are derived. */
  secret: string;
  /** The consent service (`ConsentService`): the one store of consents. */
  consents: Consents;
  /** The identity service's PIN check (with its lockout). */
  verifyPin: VerifyPin;
  /** Grants, so `authorize` refuses scopes of capabilities the app was not granted; omit to skip. */
  grants?: Pick<GrantService, 'facts'>;
  /** Points an app may award before the bank sets its budget (default 1,000,000 in the sandbox, 0 in production). */
  pointsBudget?: Partial<Record<Env, number>>;
}

/**
 * The membership services.
 *
 * @example
 * ```ts
 * const members = new Members({ secret, consents, verifyPin: (u, p) => identity.verifyPin(u, p), grants });
 * await members.init(store);
 * const { code } = await members.login.issueLoginCode(userScope);
 * const session = await members.login.code2Session(merchantScope, { code });
 * ```
 */
export class Members {
  /** Keys derived from the deployment secret. */
  readonly secrets: MemberSecrets;
  /** The consent service. */
  readonly consents: Consents;
  /** Profiles, phone numbers and real-name identities. */
  readonly profiles: Profiles;
  /** Login codes, sessions and the phone exchange. */
  readonly login: LoginService;
  /** The bank points ledger. */
  readonly points: PointsService;
  /** Card templates and the card pack. */
  readonly cards = new CardService();
  /** Step-up verification. */
  readonly verifications: Verifications;
  /** `member.authorize` over the consent service. */
  readonly consentSettings: ConsentSettings;
  /** The user's address book. */
  readonly addresses = addressBook;
  /** The user's invoice titles. */
  readonly invoiceTitles = invoiceTitles;

  constructor(options: MembersOptions) {
    this.secrets = new MemberSecrets(options.secret);
    this.consents = options.consents;
    this.profiles = new Profiles(this.secrets);
    this.login = new LoginService(this.secrets, options.consents, this.profiles);
    this.points = new PointsService({ sandbox: options.pointsBudget?.sandbox ?? 1_000_000, production: options.pointsBudget?.production ?? 0 });
    this.verifications = new Verifications(options.verifyPin);
    this.consentSettings = new ConsentSettings(options.consents, options.grants);
  }

  /** Creates the indexes (also done lazily on first use). */
  init(store: Store): Promise<void> {
    return ensureMemberIndexes(store);
  }

  /** The user's tier (see `tiers.ts` for the rule). */
  tier(store: Store, env: Env, userId: string, at: number) {
    return currentTier(store, env, userId, at);
  }

  /** The user behind an open id of the calling app; NOT_FOUND when the app has never seen it. */
  async userOf(scope: Scope, openId: string): Promise<string> {
    const userId = await resolveOpenId(scope.store, scope.appId, openId);
    if (!userId) throw new LilyError('NOT_FOUND', 'No user with this openId in this app.', { field: 'openId' });
    return userId;
  }
}
