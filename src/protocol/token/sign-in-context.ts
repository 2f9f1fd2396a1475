/**
 * Fills the sign-in record with what the grant established: who, which app and resource, which
 * device, and the token protection status (rules in docs/token-protection.md, codes from seed 003).
 */
import { parseUserAgent } from '../../signin/user-agent.ts';
import type { TokenProtectionStatus } from '../../signin/event.ts';
import type { TokenContext } from './context.ts';

/** Device registrations token protection cannot vouch for (seed 003: Cloud PC, AVD, Power Automate hosted, SecureVM). */
const UNSUPPORTED_LABELS = ['cloudpc', 'azurevirtualdesktop', 'microsoftpowerautomate'];

export function tokenProtectionStatus(ctx: TokenContext): TokenProtectionStatus {
  const p = ctx.possession;
  if (ctx.grant?.subject.kind === 'app') return { signInSessionStatus: 'none', signInSessionStatusCode: null };
  if (p?.kind === 'device') {
    const d = p.device;
    if (d.profileType?.toLowerCase() === 'securevm' || d.systemLabels.some((l) => UNSUPPORTED_LABELS.includes(l.toLowerCase()))) {
      return { signInSessionStatus: 'unbound', signInSessionStatusCode: 1003 };
    }
    const os = (d.operatingSystem ?? '').toLowerCase();
    const major = Number.parseInt((d.operatingSystemVersion ?? '').split('.')[0] ?? '', 10);
    if (os.startsWith('windows') && Number.isFinite(major) && major < 10) return { signInSessionStatus: 'unbound', signInSessionStatusCode: 1006 };
    return { signInSessionStatus: 'bound', signInSessionStatusCode: null };
  }
  // Not through the device agent: browsers and DPoP-only clients are "not using the broker";
  // a bare bearer request carries no device state at all.
  if (ctx.event.clientAppUsed === 'Browser' || p?.kind === 'dpop') return { signInSessionStatus: 'unbound', signInSessionStatusCode: 1008 };
  return { signInSessionStatus: 'unbound', signInSessionStatusCode: 1002 };
}

export async function buildSignInContext(ctx: TokenContext): Promise<void> {
  const e = ctx.event;
  const g = ctx.grant!;
  const r = g.scopes.resource;
  if (r) {
    e.resourceId = r.appId;
    e.resourceDisplayName = r.displayName;
  }
  if (g.subject.kind === 'app') {
    e.servicePrincipalName = g.subject.sp.displayName;
    e.servicePrincipalId = g.subject.sp.id;
  }
  const agent = parseUserAgent(ctx.http.userAgent);
  const device = ctx.possession?.kind === 'device' ? ctx.possession.device : undefined;
  e.deviceDetail = {
    deviceId: device?.deviceId ?? '',
    displayName: device?.displayName ?? '',
    operatingSystem: device?.operatingSystem ?? agent.operatingSystem,
    browser: agent.browser,
    isCompliant: device?.isCompliant ?? null,
    isManaged: device?.isManaged ?? null,
    trustType: device?.trustType ?? '',
  };
  if (e.eventType !== 'servicePrincipal' && e.clientAppUsed !== 'Browser') e.clientAppUsed = agent.isBrowser && !device ? 'Browser' : 'Mobile Apps and Desktop clients';
  e.tokenProtectionStatusDetails = tokenProtectionStatus(ctx);
  e.authenticationMethodsUsed = g.amr.map((m) => ({ pwd: 'Password', otp: 'OATH verification code', mfa: 'Multifactor', rsa: 'Device key', ngcmfa: 'Device key' }[m] ?? m));
  e.authenticationRequirement = g.amr.includes('mfa') ? 'multiFactorAuthentication' : 'singleFactorAuthentication';
  if (g.sid) e.sessionId = g.sid;
}
