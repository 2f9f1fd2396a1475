/** How policies combine (graph-shapes §10): block wins, requirements add up, report-only never enforces, disabled is notEnabled. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ctx, decide, policy } from './helpers.ts';
import { decisionToOAuthError } from '../../src/policy/oauth-error.ts';

describe('combining policies', () => {
  it('block wins over satisfied and promptable requirements', () => {
    const d = decide([policy({ grantControls: { builtInControls: ['mfa'] } }), policy({ grantControls: { builtInControls: ['block'] } })], ctx());
    assert.equal(d.outcome, 'block');
    assert.equal(d.error?.aadsts, 53003);
    assert.equal(d.conditionalAccessStatus, 'failure');
  });

  it('requirements from different policies add up', () => {
    const ps = [policy({ grantControls: { builtInControls: ['mfa'] } }), policy({ grantControls: { builtInControls: ['compliantDevice'] } })];
    assert.equal(decide(ps, ctx({ satisfied: { methods: ['password', 'sms'] } })).outcome, 'block', 'MFA alone is not enough');
    assert.equal(decide(ps, ctx({ device: { isCompliant: true } })).outcome, 'needs_interaction', 'device alone is not enough');
    const both = decide(ps, ctx({ device: { isCompliant: true }, satisfied: { methods: ['password', 'sms'] } }));
    assert.equal(both.outcome, 'allow');
    assert.equal(both.conditionalAccessStatus, 'success');
    assert.deepEqual(both.appliedConditionalAccessPolicies.map((a) => a.result), ['success', 'success']);
  });

  it('disabled policies are notEnabled; unmatched ones notApplied with the unmet condition', () => {
    const d = decide([policy({ state: 'disabled', grantControls: { builtInControls: ['block'] } }), policy({ conditions: { clientAppTypes: ['other'] }, grantControls: { builtInControls: ['block'] } })], ctx());
    assert.equal(d.outcome, 'allow');
    assert.equal(d.conditionalAccessStatus, 'notApplied');
    const [a, b] = d.appliedConditionalAccessPolicies;
    assert.equal(a!.result, 'notEnabled');
    assert.equal(b!.result, 'notApplied');
    assert.equal(b!.conditionsSatisfied, 'users,application');
    assert.equal(b!.conditionsNotSatisfied, 'clientType');
  });

  it('report-only policies are evaluated and logged but never change the outcome', () => {
    const ro = (controls: string[]) => policy({ state: 'enabledForReportingButNotEnforced', grantControls: { builtInControls: controls } });
    const d = decide([ro(['block']), ro(['mfa']), ro(['compliantDevice']), policy({ state: 'enabledForReportingButNotEnforced', conditions: { clientAppTypes: ['other'] }, grantControls: { builtInControls: ['block'] } })], ctx());
    assert.equal(d.outcome, 'allow');
    assert.equal(d.conditionalAccessStatus, 'notApplied');
    assert.deepEqual(d.appliedConditionalAccessPolicies.map((a) => a.result), ['reportOnlyFailure', 'reportOnlyInterrupted', 'reportOnlyFailure', 'reportOnlyNotApplied']);
    assert.equal(decide([ro(['mfa'])], ctx({ satisfied: { methods: ['fido2'] } })).appliedConditionalAccessPolicies[0]!.result, 'reportOnlySuccess');
  });

  it('interactive sign-ins are prompted; non-interactive ones get interaction_required with the AADSTS code', () => {
    const mfa = policy({ grantControls: { builtInControls: ['mfa'] } });
    const interactive = decide([mfa], ctx());
    assert.equal(interactive.outcome, 'needs_interaction');
    assert.equal(interactive.action, 'prompt');
    assert.deepEqual(interactive.prompts, ['mfa']);
    assert.equal(decide([mfa], ctx({ isInteractive: false })).action, 'deny');
    assert.equal(decide([policy({ grantControls: { builtInControls: ['block'] } })], ctx()).action, 'deny', 'a block is never prompted');
    const after = decide([mfa], ctx({ satisfied: { methods: ['password', 'microsoftAuthenticatorPush'] } }));
    assert.equal(after.outcome, 'allow', 'after the prompt the sign-in continues');
    assert.equal(after.action, 'issue');
    const silent = decisionToOAuthError(decide([mfa], ctx({ isInteractive: false })));
    assert.equal(silent?.code, 'interaction_required');
    assert.deepEqual(silent?.toJSON().error_codes, [50076]);
    assert.match(String(silent?.toJSON().error_description), /^AADSTS50076: /);
    assert.equal(decisionToOAuthError(after), null);
  });

  it('tokens carry the authentication contexts whose policies are satisfied', () => {
    const c1 = policy({ conditions: { applications: { includeAuthenticationContextClassReferences: ['c1'] } }, grantControls: { builtInControls: ['mfa'] } });
    assert.deepEqual(decide([c1], ctx({ authenticationContextClassReferences: ['c1'] })).acrs, []);
    assert.deepEqual(decide([c1], ctx({ authenticationContextClassReferences: ['c1'], satisfied: { methods: ['fido2'] } })).acrs, ['c1']);
  });

  it('property: an excluded user, group, role, app or location is never in scope, whatever else is included', () => {
    const id = fc.constantFrom('a', 'b', 'c', 'd');
    fc.assert(fc.property(
      fc.record({
        users: fc.array(id, { maxLength: 3 }), groups: fc.array(id, { maxLength: 3 }), roles: fc.array(id, { maxLength: 3 }), apps: fc.array(id, { maxLength: 3 }),
        allUsers: fc.boolean(), allApps: fc.boolean(),
        userGroups: fc.array(id, { maxLength: 3 }), userRoles: fc.array(id, { maxLength: 3 }),
        excludeKind: fc.constantFrom('user', 'group', 'role', 'app', 'location'), excluded: id,
      }),
      (r) => {
        const subjectId = r.excludeKind === 'user' ? r.excluded : 'a';
        const groupIds = r.excludeKind === 'group' ? [...r.userGroups, r.excluded] : r.userGroups;
        const roleTemplateIds = r.excludeKind === 'role' ? [...r.userRoles, r.excluded] : r.userRoles;
        const app = r.excludeKind === 'app' ? r.excluded : 'a';
        const exclusion = {
          users: { includeUsers: r.allUsers ? ['All', ...r.users, subjectId] : [...r.users, subjectId], includeGroups: [...r.groups, ...groupIds], includeRoles: [...r.roles, ...roleTemplateIds],
            excludeUsers: r.excludeKind === 'user' ? [r.excluded] : [], excludeGroups: r.excludeKind === 'group' ? [r.excluded] : [], excludeRoles: r.excludeKind === 'role' ? [r.excluded] : [] },
          applications: { includeApplications: r.allApps ? ['All', ...r.apps, app] : [...r.apps, app], excludeApplications: r.excludeKind === 'app' ? [r.excluded] : [] },
          ...(r.excludeKind === 'location' ? { locations: { includeLocations: ['All', 'loc'], excludeLocations: ['loc'] } } : {}),
        };
        const d = decide(
          [policy({ conditions: exclusion, grantControls: { builtInControls: ['block'] } })],
          ctx({ subject: { kind: 'user', id: subjectId, groupIds, roleTemplateIds, userType: 'member' }, resourceAppId: app, ipAddress: '192.0.2.9' }),
          [{ id: 'loc', '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'L', isTrusted: false, ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '192.0.2.0/24' }] }],
        );
        return d.outcome === 'allow' && d.appliedConditionalAccessPolicies[0]!.result === 'notApplied';
      },
    ), { numRuns: 300 });
  });
});

describe('pre-filter soundness', () => {
  it('property: the indexed evaluation marks exactly the policies whose conditions all match, and records the same first unmet condition', async () => {
    const { compileSnapshot } = await import('../../src/policy/snapshot.ts');
    const { evaluatePolicies, matchConditions } = await import('../../src/policy/evaluate.ts');
    const { EvalScratch } = await import('../../src/policy/conditions/define.ts');
    const id = fc.constantFrom('a', 'b', 'c', 'D');
    const usersArb = fc.record({ includeUsers: fc.subarray(['All', 'None', 'GuestsOrExternalUsers', 'a', 'b']), includeGroups: fc.array(id, { maxLength: 2 }), includeRoles: fc.array(id, { maxLength: 2 }), excludeGroups: fc.array(id, { maxLength: 2 }) });
    const appsArb = fc.oneof(fc.record({ includeApplications: fc.subarray(['All', 'Office365', 'x', 'y']), excludeApplications: fc.subarray(['x', 'Office365']) }), fc.constant({ includeUserActions: ['urn:user:registerdevice'] }));
    fc.assert(fc.property(
      fc.array(fc.record({
        users: usersArb, applications: appsArb, state: fc.constantFrom('enabled', 'disabled', 'enabledForReportingButNotEnforced'),
        clientAppTypes: fc.subarray(['all', 'browser', 'mobileAppsAndDesktopClients', 'exchangeActiveSync', 'easSupported', 'other']),
        platforms: fc.option(fc.record({ includePlatforms: fc.subarray(['all', 'windows', 'iOS', 'linux']), excludePlatforms: fc.subarray(['windows', 'android']) }), { nil: null }),
        signInRiskLevels: fc.subarray(['low', 'medium', 'high', 'none']),
      }), { minLength: 1, maxLength: 8 }),
      fc.record({
        user: id, groups: fc.array(id, { maxLength: 3 }), roles: fc.array(id, { maxLength: 2 }), guest: fc.boolean(), app: fc.constantFrom('x', 'y', 'z', '00000002-0000-0ff1-ce00-000000000000'),
        clientAppType: fc.constantFrom('browser', 'mobileAppsAndDesktopClients', 'exchangeActiveSync', 'other'), platform: fc.constantFrom('windows', 'iOS', 'android', 'linux', null), risk: fc.constantFrom('none', 'low', 'high'),
      }),
      (specs, s) => {
        const snapshot = compileSnapshot(specs.map((sp, k) => policy({ id: `q${k}`, state: sp.state, conditions: { users: sp.users, applications: sp.applications, clientAppTypes: sp.clientAppTypes, platforms: sp.platforms, signInRiskLevels: sp.signInRiskLevels } })), []);
        const c = ctx({ subject: { kind: 'user', id: s.user, groupIds: s.groups, roleTemplateIds: s.roles, userType: s.guest ? 'guest' : 'member' }, resourceAppId: s.app, clientAppType: s.clientAppType as never, devicePlatform: s.platform as never, signInRiskLevel: s.risk as never });
        const d = evaluatePolicies(snapshot, c);
        return snapshot.policies.every((p, i) => {
          const full = matchConditions(p, c, new EvalScratch(c, snapshot.resolvePlatform));
          const e = d.evaluations[i]!;
          if (p.state === 'disabled') return e.result === 'notEnabled';
          // Applicability and the record's declared-order first unmet condition match a full walk.
          return (full.failed < 0) === !e.result.endsWith('otApplied') && e.failedCondition === full.failed && e.matchedMask === full.mask;
        });
      },
    ), { numRuns: 300 });
  });
});
