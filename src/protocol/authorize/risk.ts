/**
 * Identity protection for interactive sign-ins, assessed where the person is: on the sign-in page,
 * with the browser's address and user agent (a web app redeems the code from its own server, whose
 * address says nothing about the user). The result travels with the authorization code, so the token
 * endpoint logs and enforces the same assessment instead of making a second one from the wrong address.
 */
import type { App } from '../../app/app.ts';
import type { RiskSignInEvent } from '../../risk/event.ts';
import type { Tenant, User } from '../../store/types.ts';
import { newId } from '../../util/ids.ts';
import type { Attempt } from './credentials.ts';

export interface LoginRisk {
  ip: string;
  userAgent: string;
  riskLevelDuringSignIn: string;
  riskLevelAggregated: string;
  riskEventTypes_v2: string[];
  userRiskLevel: string;
  country: string | null;
}

export function assessLogin(app: App, tenant: Tenant, a: Attempt, user: User, amr: string[], passwordFingerprint: string | undefined): { risk: LoginRisk; record: () => void } {
  const engine = app.risk.engine(tenant.id);
  const network = app.risk.locate(a.ip);
  const ev: RiskSignInEvent = {
    requestId: newId(), correlationId: a.correlationId, time: Date.now(), userId: user.id, userPrincipalName: user.userPrincipalName,
    userDisplayName: user.displayName, appId: a.appId, ip: a.ip, network, userAgent: a.userAgent, isInteractive: true, status: 'success',
    mfaSatisfied: amr.includes('mfa'), ...(passwordFingerprint ? { passwordFingerprint } : {}),
  };
  const assessment = engine.assessSignIn(ev);
  return {
    risk: {
      ip: a.ip, userAgent: a.userAgent, riskLevelDuringSignIn: assessment.riskLevelDuringSignIn, riskLevelAggregated: assessment.riskLevelAggregated,
      riskEventTypes_v2: [...assessment.riskEventTypes_v2], userRiskLevel: assessment.userRiskLevel, country: network.countryOrRegion ?? null,
    },
    record: () => {
      void engine.recordOutcome(ev, assessment).catch((err) => app.log.error({ err }, 'risk learning failed'));
    },
  };
}
