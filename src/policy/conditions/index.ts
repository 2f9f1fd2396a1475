/**
 * The conditions in evaluation order. The order is also the order in which What-If reports the
 * first unmet condition: who (users, workload identities), what (target resources), then the
 * device and network facts and risk levels.
 */
import type { ConditionDefinition } from './define.ts';
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

export const conditions: ReadonlyArray<ConditionDefinition<any>> = [
  usersCondition,
  workloadIdentitiesCondition,
  applicationsCondition,
  clientAppTypesCondition,
  devicePlatformsCondition,
  deviceFilterCondition,
  locationsCondition,
  signInRiskCondition,
  userRiskCondition,
  servicePrincipalRiskCondition,
  insiderRiskCondition,
  authenticationFlowsCondition,
];
