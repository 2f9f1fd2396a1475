/**
 * The seed's deployment story (seeds 001, 003) at engine level: token protection for sign-in
 * sessions, scoped to Windows desktop clients, first in report-only, then enforced, with the
 * documented device-filter exclusion for Cloud PCs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, decide, policy, EXO } from './helpers.ts';
import type { PolicySignInContext } from '../../src/policy/context.ts';
import { decisionToOAuthError } from '../../src/policy/oauth-error.ts';

const tokenProtection = (state: string, deviceFilter?: string) => policy({
  id: 'tp', displayName: 'Require token protection for sign-in sessions', state,
  conditions: {
    users: { includeUsers: ['All'], excludeGroups: ['breakglass'] },
    applications: { includeApplications: [EXO, '00000003-0000-0ff1-ce00-000000000000'] },
    clientAppTypes: ['mobileAppsAndDesktopClients'],
    platforms: { includePlatforms: ['windows'] },
    ...(deviceFilter ? { devices: { deviceFilter: { mode: 'exclude', rule: deviceFilter } } } : {}),
  },
  sessionControls: { secureSignInSession: { isEnabled: true } },
});

const desktop = (bound: boolean, over: Partial<PolicySignInContext> = {}) => ctx({
  clientAppType: 'mobileAppsAndDesktopClients', devicePlatform: 'windows', isInteractive: false,
  device: { trustType: 'AzureAd', isCompliant: true, operatingSystem: 'Windows' },
  satisfied: { tokenProtection: bound ? { signInSessionStatus: 'bound' } : { signInSessionStatus: 'unbound', signInSessionStatusCode: 1003 } },
  ...over,
});

describe('seed story: token protection rollout', () => {
  it('report-only: unbound sign-ins are recorded as reportOnlyFailure yet allowed', () => {
    const d = decide([tokenProtection('enabledForReportingButNotEnforced')], desktop(false));
    assert.equal(d.outcome, 'allow');
    const rec = d.appliedConditionalAccessPolicies[0]!;
    assert.equal(rec.result, 'reportOnlyFailure');
    assert.deepEqual(rec.enforcedSessionControls, ['SignInTokenProtection']);
    assert.deepEqual(rec.sessionControlsNotSatisfied, ['SignInTokenProtection']);
    assert.equal(d.conditionalAccessStatus, 'notApplied');
  });

  it('enabled: unbound sign-ins are blocked (530084) and bound ones allowed', () => {
    const blocked = decide([tokenProtection('enabled')], desktop(false));
    assert.equal(blocked.outcome, 'block');
    assert.equal(blocked.conditionalAccessStatus, 'failure');
    assert.deepEqual(blocked.appliedConditionalAccessPolicies[0]!.sessionControlsNotSatisfied, ['SignInTokenProtection']);
    assert.equal(blocked.appliedConditionalAccessPolicies[0]!.result, 'failure');
    assert.deepEqual(decisionToOAuthError(blocked)?.toJSON().error_codes, [530084]);

    const bound = decide([tokenProtection('enabled')], desktop(true));
    assert.equal(bound.outcome, 'allow');
    assert.equal(bound.appliedConditionalAccessPolicies[0]!.result, 'success');
    assert.deepEqual(bound.appliedConditionalAccessPolicies[0]!.sessionControlsNotSatisfied, []);
    assert.equal(bound.session.tokenProtection, true);
  });

  it('stays out of browsers, other platforms and excluded break-glass accounts', () => {
    const p = tokenProtection('enabled');
    assert.equal(decide([p], desktop(false, { clientAppType: 'browser' })).outcome, 'allow');
    assert.equal(decide([p], desktop(false, { devicePlatform: 'macOS' })).outcome, 'allow');
    assert.equal(decide([p], desktop(false, { subject: { kind: 'user', id: 'bg', groupIds: ['breakglass'], roleTemplateIds: [], userType: 'member' } })).outcome, 'allow');
  });

  it('the CloudPC device filter keeps Cloud PCs out of scope', () => {
    const p = tokenProtection('enabled', 'systemLabels -eq "CloudPC" -and trustType -eq "AzureAD"');
    const cloudPc = desktop(false, { device: { trustType: 'AzureAd', systemLabels: ['CloudPC'], operatingSystem: 'Windows' } });
    const d = decide([p], cloudPc);
    assert.equal(d.outcome, 'allow');
    assert.equal(d.appliedConditionalAccessPolicies[0]!.result, 'notApplied');
    assert.equal(d.appliedConditionalAccessPolicies[0]!.conditionsNotSatisfied, 'deviceState');
    assert.equal(decide([p], desktop(false)).outcome, 'block', 'an ordinary joined laptop is still in scope');
    assert.equal(decide([p], desktop(false, { device: { trustType: 'ServerAd', systemLabels: ['CloudPC'] } })).outcome, 'block', 'both parts of the rule must hold');
  });
});
