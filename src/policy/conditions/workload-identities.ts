/**
 * Workload identities condition (graph-shapes §1.1 conditionalAccessClientApplications): service
 * principal ids or `ServicePrincipalsInMyTenant`, minus exclusions. [E6][E14]: only single-tenant
 * service principals registered in this tenant are in scope; managed identities and multi-tenant
 * or third-party apps never are. A user sign-in is not judged here (the users condition does).
 */
import { defineCondition, idSet } from './define.ts';

interface Prepared { all: boolean; include: Set<string>; exclude: Set<string> }

export const workloadIdentitiesCondition = defineCondition<Prepared>({
  id: 'workloadIdentities',
  logName: 'servicePrincipals',
  whatIfReason: 'workloadIdentities',
  prepare(policy) {
    const c = policy.conditions.clientApplications;
    if (!c || c.includeServicePrincipals.length === 0) return null;
    return {
      all: c.includeServicePrincipals.includes('ServicePrincipalsInMyTenant'),
      include: idSet(c.includeServicePrincipals),
      exclude: idSet(c.excludeServicePrincipals),
    };
  },
  evaluate(p, ctx, scratch) {
    const s = ctx.subject;
    if (s.kind !== 'servicePrincipal') return 'not-configured';
    if (!s.isSingleTenantInMyTenant || s.isManagedIdentity) return 'no-match';
    const id = scratch.subjectId;
    if (p.exclude.has(id)) return 'no-match';
    return p.all || p.include.has(id) ? 'match' : 'no-match';
  },
});
