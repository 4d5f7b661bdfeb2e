/**
 * `member.authorize` over the consent service (`server/consents/consents.ts`), which stays the
 * one place consents are stored: asking ahead of use, and reading this app's consents with
 * their purpose and expiry.
 *
 * `authorize` answers at once from the stored consent when there is a decision that still holds
 * (granted and unexpired, or refused/revoked: a user who said no is not asked again; they change
 * their mind in `openSetting`). Otherwise the host has shown the consent sheet and its answer
 * arrives as `ctx.host.confirmed`: true records a grant, false a refusal; no answer (sheet
 * closed) records nothing and answers `denied`.
 */
import { capabilities } from '../../capabilities/index.ts';
import { SCOPES, scopePurpose, type ScopeId } from '../../capabilities/define.ts';
import { storedPurpose } from '../consents/consents.ts';
import { LilyError } from '../../protocol/errors.ts';
import type { GrantService } from '../grants/grants.ts';
import type { Consents, UserScope } from './common.ts';
import type { PickerConfirmation } from './common.ts';


/** Capabilities whose methods need `scope`. */
function capabilitiesOf(scope: ScopeId): string[] {
  return capabilities.filter((d) => d.scope?.id === scope || Object.values(d.methods).some((m) => m.scope?.id === scope)).map((d) => d.id);
}

/** One consent as `getSetting` shows it. */
export interface Setting {
  scope: ScopeId;
  status: 'granted' | 'denied' | 'expired';
  purpose: string;
  expiresAt: number | null;
}

/** Consent questions and settings for mini-apps. */
export class ConsentSettings {
  constructor(
    private readonly consents: Consents,
    private readonly grants?: Pick<GrantService, 'facts'>,
  ) {}

  /** See the module comment. PERMISSION_DENIED for a scope of a capability the app was not granted. */
  async authorize(scope: UserScope, input: { scope: ScopeId }, host: PickerConfirmation | undefined) {
    const now = scope.now();
    if (this.grants) {
      const owners = capabilitiesOf(input.scope);
      const granted = await Promise.all(owners.map(async (c) => (await this.grants!.facts(scope.appId, scope.env, c))?.status === 'granted'));
      if (!granted.includes(true)) throw new LilyError('PERMISSION_DENIED', `No capability granted to this app uses ${input.scope}.`, { scope: input.scope });
    }
    const facts = await this.consents.facts(scope.userId, scope.appId, input.scope);
    if (facts?.status === 'granted' && (facts.expiresAt === null || facts.expiresAt > now)) {
      return { scope: input.scope, status: 'granted' as const, expiresAt: facts.expiresAt };
    }
    if (facts && facts.status !== 'granted') return { scope: input.scope, status: 'denied' as const, expiresAt: null };
    if (host?.confirmed === undefined) return { scope: input.scope, status: 'denied' as const, expiresAt: null };
    const doc = await this.consents.decide({ userId: scope.userId, appId: scope.appId, scope: input.scope, purpose: scopePurpose(capabilities, input.scope), granted: host.confirmed });
    return host.confirmed
      ? { scope: input.scope, status: 'granted' as const, expiresAt: doc.expiresAt?.getTime() ?? null }
      : { scope: input.scope, status: 'denied' as const, expiresAt: null };
  }

  /** This app's consents for the user. */
  async settings(scope: UserScope): Promise<{ scopes: Setting[] }> {
    const now = scope.now();
    const docs = await this.consents.list(scope.userId, scope.appId);
    const scopes = docs
      .filter((d) => d.scope in SCOPES)
      .slice(0, 16)
      .map((d): Setting => {
        const expiresAt = d.expiresAt?.getTime() ?? null;
        const status = d.status !== 'granted' ? 'denied' : expiresAt !== null && expiresAt <= now ? 'expired' : 'granted';
        // Mini-apps read the purpose in the host's default language, Chinese.
        return { scope: d.scope as ScopeId, status, purpose: storedPurpose(d.purpose).zh.slice(0, 200), expiresAt: status === 'denied' ? null : expiresAt };
      });
    return { scopes };
  }
}
