/**
 * Direct dispatch of a prepared condition's vote. Calling `def.evaluate` through one shared call
 * site sees twelve different functions (a megamorphic call V8 cannot inline); a switch with one
 * call site per condition keeps each call monomorphic and inlinable. Behaviour is identical to
 * `c.def.evaluate(c.prepared, ctx, scratch)`; conditions/index.ts stays the one list of conditions.
 */
import type { PolicySignInContext } from '../context.ts';
import type { EvalScratch, PreparedCondition, Vote } from './define.ts';
import { conditions } from './index.ts';
import { usersCondition } from './users.ts';
import { workloadIdentitiesCondition } from './workload-identities.ts';
import { applicationsCondition } from './applications.ts';
import { devicePlatformsCondition } from './device-platforms.ts';
import { deviceFilterCondition } from './device-filter.ts';
import { clientAppTypesCondition } from './client-app-types.ts';
import { locationsCondition } from './locations.ts';
import { signInRiskCondition } from './sign-in-risk.ts';
import { userRiskCondition } from './user-risk.ts';
import { servicePrincipalRiskCondition } from './service-principal-risk.ts';
import { insiderRiskCondition } from './insider-risk.ts';
import { authenticationFlowsCondition } from './authentication-flows.ts';

const at = (d: unknown): number => conditions.indexOf(d as never);
const USERS = at(usersCondition), WORKLOAD = at(workloadIdentitiesCondition), APPS = at(applicationsCondition), PLATFORMS = at(devicePlatformsCondition);
const FILTER = at(deviceFilterCondition), CLIENT = at(clientAppTypesCondition), LOCATIONS = at(locationsCondition), SIGNIN_RISK = at(signInRiskCondition);
const USER_RISK = at(userRiskCondition), SP_RISK = at(servicePrincipalRiskCondition), INSIDER = at(insiderRiskCondition), FLOWS = at(authenticationFlowsCondition);

export function vote(c: PreparedCondition, ctx: PolicySignInContext, s: EvalScratch): Vote {
  const p = c.prepared as never;
  switch (c.index) {
    case APPS: return applicationsCondition.evaluate(p, ctx, s);
    case USERS: return usersCondition.evaluate(p, ctx, s);
    case CLIENT: return clientAppTypesCondition.evaluate(p, ctx, s);
    case PLATFORMS: return devicePlatformsCondition.evaluate(p, ctx, s);
    case SIGNIN_RISK: return signInRiskCondition.evaluate(p, ctx, s);
    case USER_RISK: return userRiskCondition.evaluate(p, ctx, s);
    case LOCATIONS: return locationsCondition.evaluate(p, ctx, s);
    case FILTER: return deviceFilterCondition.evaluate(p, ctx, s);
    case WORKLOAD: return workloadIdentitiesCondition.evaluate(p, ctx, s);
    case SP_RISK: return servicePrincipalRiskCondition.evaluate(p, ctx, s);
    case INSIDER: return insiderRiskCondition.evaluate(p, ctx, s);
    case FLOWS: return authenticationFlowsCondition.evaluate(p, ctx, s);
    default: return c.def.evaluate(c.prepared, ctx, s);
  }
}
