/** Builders for engine tests: a baseline sign-in context and policies from partial Graph JSON. */
import type { PolicySignInContext } from '../../src/policy/context.ts';
import { policySchema } from '../../src/policy/schema/policy.ts';
import { namedLocationSchema } from '../../src/policy/schema/named-location.ts';
import { compileSnapshot, type SnapshotOptions } from '../../src/policy/snapshot.ts';
import { evaluatePolicies } from '../../src/policy/evaluate.ts';

export const NOW = Date.parse('2026-11-22T02:00:00Z');
export const EXO = '00000002-0000-0ff1-ce00-000000000000';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K] };

export function ctx(over: DeepPartial<PolicySignInContext> = {}): PolicySignInContext {
  const base: PolicySignInContext = {
    subject: { kind: 'user', id: 'u1', groupIds: [], roleTemplateIds: [], userType: 'member' },
    clientAppId: 'client-app',
    resourceAppId: EXO,
    clientAppType: 'browser',
    devicePlatform: 'windows',
    ipAddress: '203.0.113.10',
    country: 'NL',
    device: null,
    authenticationFlow: { transferMethod: 'none', originalTransferMethod: 'none' },
    satisfied: { methods: ['password'], lastAuthenticatedAt: NOW - 60_000, tokenProtection: { signInSessionStatus: 'none' } },
    isInteractive: true,
    now: NOW,
  };
  return { ...base, ...over, satisfied: { ...base.satisfied, ...(over.satisfied as object) }, authenticationFlow: { ...base.authenticationFlow, ...(over.authenticationFlow as object) } } as PolicySignInContext;
}

let n = 0;
export function policy(p: Record<string, unknown> & { conditions?: Record<string, unknown> }) {
  const conditions = { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, ...(p.conditions ?? {}) };
  return { ...policySchema.parse({ displayName: `P${++n}`, state: 'enabled', ...p, conditions }), id: (p.id as string) ?? `p${n}` };
}

export function location(l: Record<string, unknown>) {
  return { ...namedLocationSchema.parse(l), id: l.id as string };
}

export function decide(policies: ReturnType<typeof policy>[], context: PolicySignInContext, locations: ReturnType<typeof location>[] = [], options: SnapshotOptions = {}) {
  return evaluatePolicies(compileSnapshot(policies, locations, options), context);
}
