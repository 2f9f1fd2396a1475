import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { whatIf, type WhatIfDirectory } from '../../src/policy/what-if.ts';
import { compileSnapshot } from '../../src/policy/snapshot.ts';
import { isGraphError } from '../../src/errors/graph.ts';
import { policy, location, EXO } from './helpers.ts';

const directory: WhatIfDirectory = {
  user: async (id) => (id === 'alice' ? { groupIds: ['staff'], roleTemplateIds: [], userType: 'member' } : null),
  servicePrincipal: async (id) => (id === 'sp1' ? { appId: 'app1', isSingleTenantInMyTenant: true } : null),
};

const hq = location({ id: 'hq', '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'HQ', isTrusted: true, ipRanges: [{ cidrAddress: '198.51.100.0/24' }] });
const snapshot = compileSnapshot([
  policy({ id: 'mfa-all', grantControls: { builtInControls: ['mfa'] } }),
  policy({ id: 'off', state: 'disabled' }),
  policy({ id: 'admins', conditions: { users: { includeRoles: ['62e90394-69f5-4237-9190-012177145e10'] } } }),
  policy({ id: 'legacy', conditions: { clientAppTypes: ['other'] } }),
  policy({ id: 'outside', conditions: { locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } } }),
  policy({ id: 'register', conditions: { applications: { includeUserActions: ['urn:user:registersecurityinfo'] } } }),
  policy({ id: 'workload', conditions: { users: { includeUsers: ['None'] }, clientApplications: { includeServicePrincipals: ['ServicePrincipalsInMyTenant'] } } }),
], [hq]);

const request = (over: Record<string, unknown> = {}) => ({
  signInIdentity: { '@odata.type': '#microsoft.graph.userSignIn', userId: 'alice' },
  signInContext: { '@odata.type': '#microsoft.graph.applicationContext', includeApplications: [EXO] },
  signInConditions: { devicePlatform: 'windows', clientAppType: 'browser', ipAddress: '198.51.100.4' },
  ...over,
});

const reasons = (r: { value: Array<Record<string, unknown>> }) => Object.fromEntries(r.value.map((p) => [p.id, [p.policyApplies, p.analysisReasons]]));

describe('What If', () => {
  it('lists applying policies and, for the rest, the first unmet condition', async () => {
    const r = await whatIf(snapshot, request(), directory);
    assert.deepEqual(reasons(r), {
      'mfa-all': [true, 'notSet'], off: [false, 'policyNotEnabled'], admins: [false, 'users'], legacy: [false, 'clientApps'],
      outside: [false, 'location'], register: [false, 'userActions'], workload: [false, 'users'],
    });
    assert.ok((r.value[0]!.grantControls as { builtInControls: string[] }).builtInControls.includes('mfa'), 'results carry the policy');
  });

  it('handles user actions, service principals, omitted inputs and appliedPoliciesOnly', async () => {
    const action = await whatIf(snapshot, request({ signInContext: { '@odata.type': '#microsoft.graph.userActionContext', userAction: 'registerSecurityInformation' } }), directory);
    assert.deepEqual(reasons(action).register, [true, 'notSet']);
    assert.deepEqual(reasons(action)['mfa-all'], [false, 'application']);
    const sp = await whatIf(snapshot, request({ signInIdentity: { '@odata.type': '#microsoft.graph.servicePrincipalSignIn', servicePrincipalId: 'sp1' } }), directory);
    assert.deepEqual(reasons(sp).workload, [true, 'notSet']);
    const noIp = await whatIf(snapshot, request({ signInConditions: { devicePlatform: 'windows', clientAppType: 'browser' } }), directory);
    assert.deepEqual(reasons(noIp).outside, [true, 'notSet'], 'All covers an unknown IP');
    const only = await whatIf(snapshot, { ...request(), appliedPoliciesOnly: true }, directory);
    assert.deepEqual(only.value.map((p) => p.id), ['mfa-all']);
  });

  it('answers malformed requests with BadRequest naming the problem', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /expected object/],
      [request({ signInIdentity: {} }), /exactly one of userId/],
      [request({ signInContext: {} }), /exactly one of includeApplications/],
      [request({ signInConditions: { devicePlatform: 'amiga' } }), /signInConditions\.devicePlatform: 'amiga'/],
      [request({ signInIdentity: { userId: 'mallory' } }), /not a user in this tenant/],
    ];
    for (const [body, msg] of bad) await assert.rejects(whatIf(snapshot, body, directory), (e: unknown) => isGraphError(e) && e.status === 400 && msg.test(e.message), String(msg));
  });
});
