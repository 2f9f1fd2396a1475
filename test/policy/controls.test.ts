/** Grant and session controls: when each is satisfied, promptable or failed, and its AADSTS code. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, decide, policy, NOW } from './helpers.ts';

const grant = (builtInControls: string[], operator = 'OR', extra: Record<string, unknown> = {}) => policy({ grantControls: { operator, builtInControls, ...extra } });

describe('grant controls', () => {
  it('block blocks with AADSTS53003', () => {
    const d = decide([grant(['block'])], ctx({ satisfied: { methods: ['password', 'fido2'] } }));
    assert.equal(d.outcome, 'block');
    assert.equal(d.error?.aadsts, 53003);
    assert.equal(d.appliedConditionalAccessPolicies[0]!.result, 'failure');
    assert.deepEqual(d.appliedConditionalAccessPolicies[0]!.enforcedGrantControls, ['Block']);
  });

  it('mfa is satisfied by the built-in MFA strength combinations, otherwise prompted (50076)', () => {
    assert.equal(decide([grant(['mfa'])], ctx({ satisfied: { methods: ['password', 'softwareOath'] } })).outcome, 'allow');
    assert.equal(decide([grant(['mfa'])], ctx({ satisfied: { methods: ['fido2'] } })).outcome, 'allow');
    const d = decide([grant(['mfa'])], ctx());
    assert.equal(d.outcome, 'needs_interaction');
    assert.deepEqual(d.prompts, ['mfa']);
    assert.equal(d.error?.aadsts, 50076);
    assert.equal(d.authenticationRequirement, 'multiFactorAuthentication');
    assert.deepEqual(d.appliedConditionalAccessPolicies[0]!.enforcedGrantControls, ['Mfa']);
  });

  it('authentication strengths: built-ins, inline custom combinations, unknown ids', () => {
    const phish = policy({ grantControls: { operator: 'OR', authenticationStrength: { id: '00000000-0000-0000-0000-000000000004' } } });
    assert.equal(decide([phish], ctx({ satisfied: { methods: ['password', 'softwareOath'] } })).outcome, 'needs_interaction');
    const ok = decide([phish], ctx({ satisfied: { methods: ['windowsHelloForBusiness'] } }));
    assert.equal(ok.outcome, 'allow');
    assert.equal(ok.appliedConditionalAccessPolicies[0]!.authenticationStrength?.authenticationStrengthResult, 'satisfied');
    const passwordless = policy({ grantControls: { operator: 'OR', authenticationStrength: { id: '00000000-0000-0000-0000-000000000003' } } });
    assert.equal(decide([passwordless], ctx({ satisfied: { methods: ['deviceBasedPush'] } })).outcome, 'allow');
    const custom = policy({ grantControls: { operator: 'OR', authenticationStrength: { id: 'custom-1', displayName: 'TOTP only', allowedCombinations: ['password,hardwareOath'] } } });
    assert.equal(decide([custom], ctx({ satisfied: { methods: ['password', 'hardwareOath'] } })).outcome, 'allow');
    assert.equal(decide([custom], ctx({ satisfied: { methods: ['password', 'sms'] } })).outcome, 'needs_interaction');
    const unknown = policy({ grantControls: { operator: 'OR', authenticationStrength: { id: 'nobody-defined-this' } } });
    const d = decide([unknown], ctx({ satisfied: { methods: ['fido2'] } }));
    assert.equal(d.outcome, 'block');
    assert.equal(d.appliedConditionalAccessPolicies[0]!.authenticationStrength?.authenticationStrengthResult, 'cannotSatisfy');
    const registered = decide([unknown], ctx({ satisfied: { methods: ['fido2'] } }), [], { authenticationStrengths: [{ id: 'nobody-defined-this', displayName: 'Keys', combinations: [new Set(['fido2'])] }] });
    assert.equal(registered.outcome, 'allow');
  });

  it('compliant and hybrid-joined devices cannot be prompted for (53000, 53001)', () => {
    assert.equal(decide([grant(['compliantDevice'])], ctx({ device: { isCompliant: true } })).outcome, 'allow');
    const nc = decide([grant(['compliantDevice'])], ctx({ device: { isCompliant: false } }));
    assert.equal(nc.outcome, 'block');
    assert.equal(nc.error?.aadsts, 53000);
    assert.equal(decide([grant(['domainJoinedDevice'])], ctx({ device: { trustType: 'ServerAd' } })).outcome, 'allow');
    assert.equal(decide([grant(['domainJoinedDevice'])], ctx({ device: { trustType: 'AzureAd' } })).error?.aadsts, 53001);
  });

  it('approved and compliant applications are never satisfiable here (53002, 53005)', () => {
    assert.equal(decide([grant(['approvedApplication'])], ctx()).error?.aadsts, 53002);
    const app = decide([grant(['compliantApplication'])], ctx());
    assert.equal(app.error?.aadsts, 53005);
    assert.equal(app.error?.error, 'unauthorized_client');
    assert.equal(decide([grant(['compliantApplication', 'mfa'])], ctx({ satisfied: { methods: ['fido2'] } })).outcome, 'allow', 'OR with a satisfiable alternative');
  });

  it('password change with MFA under AND (risky users, [G4])', () => {
    const p = grant(['mfa', 'passwordChange'], 'AND');
    const d = decide([p], ctx());
    assert.deepEqual(d.prompts, ['mfa', 'passwordChange']);
    assert.equal(decide([p], ctx({ satisfied: { methods: ['password', 'sms'], passwordChanged: true } })).outcome, 'allow');
    assert.equal(decide([p], ctx({ isInteractive: false, satisfied: { methods: ['password', 'sms'] } })).error?.aadsts, 50142);
  });

  it('AND needs all controls; OR any one, prompting in Entra order', () => {
    const and = grant(['compliantDevice', 'mfa'], 'AND');
    assert.equal(decide([and], ctx({ device: { isCompliant: true }, satisfied: { methods: ['password', 'sms'] } })).outcome, 'allow');
    assert.equal(decide([and], ctx({ device: { isCompliant: true } })).outcome, 'needs_interaction');
    assert.equal(decide([and], ctx({ satisfied: { methods: ['password', 'sms'] } })).outcome, 'block');
    const or = grant(['domainJoinedDevice', 'compliantDevice', 'mfa'], 'OR');
    assert.equal(decide([or], ctx({ device: { trustType: 'ServerAd' } })).outcome, 'allow');
    const d = decide([or], ctx());
    assert.equal(d.outcome, 'needs_interaction');
    assert.deepEqual(d.prompts, ['mfa']);
    assert.deepEqual(d.appliedConditionalAccessPolicies[0]!.enforcedGrantControls, ['Mfa', 'RequireCompliantDevice', 'RequireDomainJoinedDevice']);
  });

  it('terms of use are promptable and satisfied once accepted', () => {
    const p = policy({ grantControls: { operator: 'OR', termsOfUse: ['tou-1'] } });
    assert.deepEqual(decide([p], ctx()).prompts, ['termsOfUse:tou-1']);
    assert.equal(decide([p], ctx({ satisfied: { acceptedTermsOfUse: ['tou-1'] } })).outcome, 'allow');
  });
});

describe('session controls', () => {
  const sif = (s: Record<string, unknown>) => policy({ sessionControls: { signInFrequency: { isEnabled: true, ...s } } });
  it('signInFrequency everyTime allows 5 minutes of clock skew, else re-authentication (70044)', () => {
    const p = sif({ frequencyInterval: 'everyTime', authenticationType: 'primaryAndSecondaryAuthentication' });
    assert.equal(decide([p], ctx({ satisfied: { lastAuthenticatedAt: NOW - 4 * 60_000 } })).outcome, 'allow');
    const stale = decide([p], ctx({ isInteractive: false, satisfied: { lastAuthenticatedAt: NOW - 6 * 60_000 } }));
    assert.equal(stale.outcome, 'needs_interaction');
    assert.equal(stale.error?.aadsts, 70044);
    assert.deepEqual(stale.prompts, ['SignInFrequency']);
    assert.equal(stale.session.signInFrequencyMs, 0);
  });
  it('signInFrequency intervals in hours and days; secondaryAuthentication measures the last MFA', () => {
    const h12 = sif({ frequencyInterval: 'timeBased', value: 12, type: 'hours' });
    assert.equal(decide([h12], ctx({ satisfied: { lastAuthenticatedAt: NOW - 11 * 3_600_000 } })).outcome, 'allow');
    assert.equal(decide([h12], ctx({ satisfied: { lastAuthenticatedAt: NOW - 13 * 3_600_000 } })).outcome, 'needs_interaction');
    const d1 = sif({ value: 1, type: 'days', authenticationType: 'secondaryAuthentication' });
    assert.equal(decide([d1], ctx({ satisfied: { lastAuthenticatedAt: NOW, lastMfaAt: NOW - 2 * 86_400_000 } })).outcome, 'needs_interaction');
    assert.equal(decide([d1], ctx({ satisfied: { lastAuthenticatedAt: NOW - 2 * 86_400_000, lastMfaAt: NOW - 3_600_000 } })).outcome, 'allow');
    assert.equal(decide([h12, d1], ctx({ satisfied: { lastMfaAt: NOW } })).session.signInFrequencyMs, 12 * 3_600_000, 'shortest wins');
  });
  it('directive controls are reported and merged strictest-first', () => {
    const a = policy({ sessionControls: { persistentBrowser: { isEnabled: true, mode: 'always' }, continuousAccessEvaluation: { mode: 'strictEnforcement' }, disableResilienceDefaults: true } });
    const b = policy({ sessionControls: { persistentBrowser: { isEnabled: true, mode: 'never' }, continuousAccessEvaluation: { mode: 'strictLocation' }, applicationEnforcedRestrictions: { isEnabled: true }, cloudAppSecurity: { isEnabled: true, cloudAppSecurityType: 'blockDownloads' } } });
    const d = decide([a, b], ctx());
    assert.equal(d.outcome, 'allow');
    assert.deepEqual(d.session, { persistentBrowser: 'never', continuousAccessEvaluation: 'strictLocation', disableResilienceDefaults: true, applicationEnforcedRestrictions: true, cloudAppSecurity: 'blockDownloads' });
    assert.deepEqual(d.appliedConditionalAccessPolicies[0]!.enforcedSessionControls, ['PersistentBrowserSessionMode', 'ContinuousAccessEvaluation', 'DisableResilienceDefaults']);
    assert.deepEqual(d.appliedConditionalAccessPolicies[1]!.enforcedSessionControls, ['PersistentBrowserSessionMode', 'ContinuousAccessEvaluation', 'AppEnforcedRestrictions', 'CloudAppSecurity']);
  });
});
