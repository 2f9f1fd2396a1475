/**
 * anomalousServicePrincipalActivity (seed 004): baseline what directory changes each service principal makes and
 * flag unusual ones — "credentials added to other apps, role assignments". The detection is raised on the
 * principal that made the change.
 *  - adding a credential to *another* application or service principal: medium; high when this principal never
 *    did it before (credential planting is how a compromised workload spreads);
 *  - a directory role or app role assignment the principal never made before: medium, high for privileged roles;
 *  - anything else the principal never did before, once it has a 7-day history: low.
 */
import { Lru } from '../lru.ts';
import type { DirectoryAuditEvent } from '../event.ts';
import type { DetectionLevel } from '../types.ts';

const DAY = 86_400_000;
const PRIVILEGED = /global admin|privileged|application admin|cloud application admin|security admin|user admin|authentication admin|directory\.readwrite|rolemanagement\.readwrite|application\.readwrite\.all|approleassignment\.readwrite/i;

interface ActorHistory { firstSeen: number; activities: Map<string, number> }

export class ServicePrincipalActivityBaseline {
  readonly #actors: Lru<string, ActorHistory>;
  constructor(maxPrincipals = 100_000) {
    this.#actors = new Lru(maxPrincipals);
  }

  observe(e: DirectoryAuditEvent): { level: DetectionLevel; reason: string } | undefined {
    const actor = e.initiatedByServicePrincipalId;
    if (!actor) return undefined;
    const h = this.#actors.upsert(actor, () => ({ firstSeen: e.time, activities: new Map() }));
    const key = `${e.activity}${e.targetIsSelf ? ':self' : ''}`;
    const novel = !h.activities.has(key);
    h.activities.set(key, (h.activities.get(key) ?? 0) + 1);
    const established = e.time - h.firstSeen >= 7 * DAY;
    if ((e.activity === 'addCredentialToApplication' || e.activity === 'addCredentialToServicePrincipal') && !e.targetIsSelf) {
      return { level: novel ? 'high' : 'medium', reason: 'credentialAddedToAnotherApplication' };
    }
    if (e.activity === 'addDirectoryRoleMember' || e.activity === 'addAppRoleAssignment') {
      if (!novel) return undefined;
      return { level: e.roleName && PRIVILEGED.test(e.roleName) ? 'high' : 'medium', reason: 'newRoleAssignmentActivity' };
    }
    if (novel && established && e.activity !== 'other') return { level: 'low', reason: 'activityNeverSeenForThisPrincipal' };
    return undefined;
  }
}
