/** One block per condition: what matches, what does not, and that exclusions win. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, decide, policy, location, EXO } from './helpers.ts';
import type { PolicySignInContext } from '../../src/policy/context.ts';

const applies = (p: ReturnType<typeof policy>, c: PolicySignInContext, locs: ReturnType<typeof location>[] = [], options = {}) =>
  decide([p], c, locs, options).evaluations[0]!.result !== 'notApplied';

const user = (over: Partial<Extract<PolicySignInContext['subject'], { kind: 'user' }>> = {}) =>
  ({ kind: 'user', id: 'u1', groupIds: [], roleTemplateIds: [], userType: 'member', ...over }) as const;

describe('users condition', () => {
  it('includes by All, id, transitive group, role template; None matches nobody', () => {
    assert.equal(applies(policy({ conditions: { users: { includeUsers: ['U1'] } } }), ctx()), true, 'ids compare case-insensitively');
    assert.equal(applies(policy({ conditions: { users: { includeUsers: ['u2'] } } }), ctx()), false);
    assert.equal(applies(policy({ conditions: { users: { includeGroups: ['g-nested'] } } }), ctx({ subject: user({ groupIds: ['g-top', 'g-nested'] }) })), true);
    assert.equal(applies(policy({ conditions: { users: { includeRoles: ['62e90394-69f5-4237-9190-012177145e10'] } } }), ctx({ subject: user({ roleTemplateIds: ['62e90394-69f5-4237-9190-012177145e10'] }) })), true);
    assert.equal(applies(policy({ conditions: { users: { includeUsers: ['None'] } } }), ctx()), false);
  });

  it('excludes by id, group, role and guest kind, beating every include', () => {
    const c = ctx({ subject: user({ groupIds: ['breakglass'], roleTemplateIds: ['r1'] }) });
    assert.equal(applies(policy({ conditions: { users: { includeUsers: ['All'], excludeUsers: ['u1'] } } }), c), false);
    assert.equal(applies(policy({ conditions: { users: { includeUsers: ['u1'], excludeGroups: ['breakglass'] } } }), c), false);
    assert.equal(applies(policy({ conditions: { users: { includeGroups: ['breakglass'], excludeRoles: ['r1'] } } }), c), false);
  });

  it('matches guests and external users by kind and tenant', () => {
    const guest = ctx({ subject: user({ userType: 'guest', externalUserType: 'b2bCollaborationGuest', externalTenantId: 'T1' }) });
    const types = (t: string, tenants?: unknown) => policy({ conditions: { users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: t, externalTenants: tenants ?? { membershipKind: 'all' } } } } });
    assert.equal(applies(types('b2bCollaborationGuest,b2bDirectConnectUser'), guest), true);
    assert.equal(applies(types('internalGuest'), guest), false);
    assert.equal(applies(types('b2bCollaborationGuest', { membershipKind: 'enumerated', members: ['t1'] }), guest), true);
    assert.equal(applies(types('b2bCollaborationGuest', { membershipKind: 'enumerated', members: ['t2'] }), guest), false);
    assert.equal(applies(types('internalGuest'), ctx({ subject: user({ userType: 'guest' }) })), true);
    assert.equal(applies(policy({ conditions: { users: { includeUsers: ['GuestsOrExternalUsers'] } } }), guest), true);
    assert.equal(applies(policy({ conditions: { users: { includeUsers: ['GuestsOrExternalUsers'] } } }), ctx()), false);
    assert.equal(applies(policy({ conditions: { users: { includeUsers: ['All'], excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'b2bCollaborationGuest' } } } }), guest), false);
  });

  it('never treats a service principal as a user', () => {
    const sp = ctx({ subject: { kind: 'servicePrincipal', id: 'sp1', appId: 'a1', isSingleTenantInMyTenant: true } });
    assert.equal(applies(policy({}), sp), false);
  });
});

describe('workload identities condition', () => {
  const wl = (inc: string[], exc: string[] = []) => policy({ conditions: { users: { includeUsers: ['None'] }, clientApplications: { includeServicePrincipals: inc, excludeServicePrincipals: exc } } });
  const sp = (over = {}) => ctx({ subject: { kind: 'servicePrincipal', id: 'sp1', appId: 'a1', isSingleTenantInMyTenant: true, ...over } });
  it('matches listed or all single-tenant service principals, minus exclusions', () => {
    assert.equal(applies(wl(['sp1']), sp()), true);
    assert.equal(applies(wl(['ServicePrincipalsInMyTenant']), sp()), true);
    assert.equal(applies(wl(['ServicePrincipalsInMyTenant'], ['sp1']), sp()), false);
    assert.equal(applies(wl(['sp2']), sp()), false);
  });
  it('leaves multi-tenant apps and managed identities out of scope [E14]', () => {
    assert.equal(applies(wl(['ServicePrincipalsInMyTenant']), sp({ isSingleTenantInMyTenant: false })), false);
    assert.equal(applies(wl(['ServicePrincipalsInMyTenant']), sp({ isManagedIdentity: true })), false);
  });
  it('does not apply to users', () => assert.equal(applies(wl(['ServicePrincipalsInMyTenant']), ctx()), false));
});

describe('applications condition', () => {
  it('includes apps by id, All and app groups; excluded apps win', () => {
    assert.equal(applies(policy({ conditions: { applications: { includeApplications: [EXO] } } }), ctx()), true);
    assert.equal(applies(policy({ conditions: { applications: { includeApplications: ['Office365'] } } }), ctx()), true);
    assert.equal(applies(policy({ conditions: { applications: { includeApplications: ['All'], excludeApplications: ['Office365'] } } }), ctx()), false);
    assert.equal(applies(policy({ conditions: { applications: { includeApplications: ['MicrosoftAdminPortals'] } } }), ctx({ resourceAppId: 'tessera-admin' }), [], { appGroups: { MicrosoftAdminPortals: ['tessera-admin'] } }), true);
    assert.equal(applies(policy({ conditions: { applications: { includeApplications: ['None'] } } }), ctx()), false);
  });
  it('targets user actions, and app policies skip user-action sign-ins', () => {
    const reg = ctx({ userAction: 'urn:user:registersecurityinfo', resourceAppId: null });
    assert.equal(applies(policy({ conditions: { applications: { includeUserActions: ['urn:user:registersecurityinfo'] } } }), reg), true);
    assert.equal(applies(policy({ conditions: { applications: { includeUserActions: ['urn:user:registerdevice'] } } }), reg), false);
    assert.equal(applies(policy({}), reg), false);
  });
  it('targets authentication contexts the resource demands', () => {
    const p = policy({ conditions: { applications: { includeAuthenticationContextClassReferences: ['c1'] } } });
    assert.equal(applies(p, ctx({ authenticationContextClassReferences: ['c1'] })), true);
    assert.equal(applies(p, ctx()), false);
  });
});

describe('client app types, platforms, risk, flows', () => {
  it('client app types: empty/all means every client', () => {
    assert.equal(applies(policy({ conditions: { clientAppTypes: ['exchangeActiveSync', 'other'] } }), ctx({ clientAppType: 'other' })), true);
    assert.equal(applies(policy({ conditions: { clientAppTypes: ['exchangeActiveSync', 'other'] } }), ctx()), false);
    assert.equal(applies(policy({ conditions: { clientAppTypes: ['all'] } }), ctx({ clientAppType: 'other' })), true);
  });
  it('platforms from context, device OS or user agent; excluded platforms win; unknown only under all', () => {
    const p = policy({ conditions: { platforms: { includePlatforms: ['all'], excludePlatforms: ['android', 'iOS', 'windows', 'macOS'] } } });
    assert.equal(applies(p, ctx({ devicePlatform: 'linux' })), true);
    assert.equal(applies(p, ctx({ devicePlatform: 'iOS' })), false);
    assert.equal(applies(p, ctx({ devicePlatform: null })), true);
    const { devicePlatform: _omit, ...noPlatform } = ctx();
    assert.equal(applies(p, { ...noPlatform, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' }), false);
    assert.equal(applies(p, { ...noPlatform, device: { operatingSystem: 'Linux' } }), true);
    assert.equal(applies(policy({ conditions: { platforms: { includePlatforms: ['windows'] } } }), ctx({ devicePlatform: null })), false);
  });
  it('risk levels, absent = none', () => {
    assert.equal(applies(policy({ conditions: { signInRiskLevels: ['high', 'medium'] } }), ctx({ signInRiskLevel: 'medium' })), true);
    assert.equal(applies(policy({ conditions: { signInRiskLevels: ['high'] } }), ctx()), false);
    assert.equal(applies(policy({ conditions: { userRiskLevels: ['high'] } }), ctx({ userRiskLevel: 'high' })), true);
    assert.equal(applies(policy({ conditions: { insiderRiskLevels: 'elevated' } }), ctx({ insiderRiskLevel: 'elevated' })), true);
    assert.equal(applies(policy({ conditions: { insiderRiskLevels: 'elevated' } }), ctx({ insiderRiskLevel: 'minor' })), false);
    const wl = policy({ conditions: { users: { includeUsers: ['None'] }, clientApplications: { includeServicePrincipals: ['ServicePrincipalsInMyTenant'] }, servicePrincipalRiskLevels: ['high'] } });
    const sp = (lvl: 'high' | 'low') => ctx({ subject: { kind: 'servicePrincipal', id: 's', appId: 'a', isSingleTenantInMyTenant: true }, servicePrincipalRiskLevel: lvl });
    assert.equal(applies(wl, sp('high')), true);
    assert.equal(applies(wl, sp('low')), false);
  });
  it('authentication flows match the current and the original transfer method [E10]', () => {
    const p = policy({ conditions: { authenticationFlows: { transferMethods: 'deviceCodeFlow' } } });
    assert.equal(applies(p, ctx({ authenticationFlow: { transferMethod: 'deviceCodeFlow' } })), true);
    assert.equal(applies(p, ctx({ authenticationFlow: { transferMethod: 'none', originalTransferMethod: 'deviceCodeFlow' } })), true, 'a refresh of a device-code session stays in scope');
    assert.equal(applies(p, ctx({ authenticationFlow: { transferMethod: 'none', originalTransferMethod: 'authenticationTransfer' } })), false);
  });
});

describe('locations condition', () => {
  const hq = location({ id: 'hq', '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'HQ', isTrusted: true, ipRanges: [{ cidrAddress: '198.51.100.0/24' }, { cidrAddress: '2001:db8:abcd::/48' }] });
  const branch = location({ id: 'branch', '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'Branch', isTrusted: false, ipRanges: [{ cidrAddress: '192.0.2.0/28' }] });
  const allowed = location({ id: 'countries', '@odata.type': '#microsoft.graph.countryNamedLocation', displayName: 'BE/NL', countriesAndRegions: ['BE', 'NL'], includeUnknownCountriesAndRegions: true });
  const locs = [hq, branch, allowed];
  const p = (inc: string[], exc: string[] = []) => policy({ conditions: { locations: { includeLocations: inc, excludeLocations: exc } } });
  it('matches IPv4, IPv6 and IPv4-mapped addresses against CIDR ranges', () => {
    assert.equal(applies(p(['hq']), ctx({ ipAddress: '198.51.100.77' }), locs), true);
    assert.equal(applies(p(['hq']), ctx({ ipAddress: '198.51.101.1' }), locs), false);
    assert.equal(applies(p(['hq']), ctx({ ipAddress: '2001:db8:abcd:12::1' }), locs), true);
    assert.equal(applies(p(['hq']), ctx({ ipAddress: '2001:db8:abce::1' }), locs), false);
    assert.equal(applies(p(['hq']), ctx({ ipAddress: '::ffff:198.51.100.5' }), locs), true);
    assert.equal(applies(p(['branch']), ctx({ ipAddress: '192.0.2.16' }), locs), false);
  });
  it('All, AllTrusted (incl. legacy MFA trusted IPs) and exclusions', () => {
    assert.equal(applies(p(['All'], ['AllTrusted']), ctx({ ipAddress: '198.51.100.1' }), locs), false);
    assert.equal(applies(p(['All'], ['AllTrusted']), ctx({ ipAddress: '192.0.2.1' }), locs), true, 'branch is not trusted');
    assert.equal(applies(p(['All'], ['AllTrusted']), ctx({ ipAddress: '100.64.1.1' }), locs, { mfaTrustedIps: ['100.64.0.0/16'] }), false);
    assert.equal(applies(p([], ['hq']), ctx({ ipAddress: '192.0.2.1' }), locs), true, 'exclude-only means everywhere else');
    assert.equal(applies(p(['<placeholder>']), ctx(), locs), false);
  });
  it('countries, including unknown countries', () => {
    assert.equal(applies(p(['All'], ['countries']), ctx({ country: 'NL' }), locs), false);
    assert.equal(applies(p(['All'], ['countries']), ctx({ country: 'US' }), locs), true);
    assert.equal(applies(p(['countries']), ctx({ country: null }), locs), true);
  });
});

describe('device filter condition', () => {
  it('include mode keeps matching devices; exclude mode removes them', () => {
    const inc = policy({ conditions: { devices: { deviceFilter: { mode: 'include', rule: 'device.isCompliant -eq True' } } } });
    const exc = policy({ conditions: { devices: { deviceFilter: { mode: 'exclude', rule: 'device.isCompliant -eq True' } } } });
    assert.equal(applies(inc, ctx({ device: { isCompliant: true } })), true);
    assert.equal(applies(inc, ctx()), false);
    assert.equal(applies(exc, ctx({ device: { isCompliant: true } })), false);
    assert.equal(applies(exc, ctx()), true, 'an unregistered device is not excluded by a positive rule');
  });
});
