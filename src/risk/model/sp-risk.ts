/**
 * The risky-service-principal state machine (seed 004, graph-shapes.md §6): the same shape as users, without
 * self-remediation — a workload cannot do MFA; an admin rotates credentials and then dismisses or confirms safe.
 */
import type { RiskRepository } from '../repository.ts';
import type { RiskDetail, RiskLevel, RiskState } from '../types.ts';
import type { RiskyServicePrincipal, ServicePrincipalRiskDetection } from './records.ts';
import { buildServicePrincipalRiskDetection, type ServicePrincipalRef } from './build.ts';
import { userRiskLevel } from './aggregate.ts';

export interface SpRiskDeps {
  repo: RiskRepository;
  now: () => number;
  onRiskyServicePrincipalChanged?: (sp: RiskyServicePrincipal) => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function write(deps: SpRiskDeps, sp: ServicePrincipalRef, level: RiskLevel, state: RiskState, detail: RiskDetail,
  initiatedBy: string | null, eventTypes: string[]): Promise<RiskyServicePrincipal> {
  const prev = await deps.repo.getRiskyServicePrincipal(sp.id);
  const enabled = sp.accountEnabled ?? prev?.accountEnabled ?? true;
  const r: RiskyServicePrincipal = {
    id: sp.id, appId: sp.appId, displayName: sp.displayName ?? prev?.displayName ?? null,
    servicePrincipalType: sp.servicePrincipalType ?? prev?.servicePrincipalType ?? 'Application',
    accountEnabled: enabled, isEnabled: enabled, isProcessing: false,
    riskLevel: level, riskState: state, riskDetail: detail, riskLastUpdatedDateTime: iso(deps.now()),
  };
  await deps.repo.putRiskyServicePrincipal(r, { ...r, servicePrincipalId: sp.id, initiatedBy, activity: { detail, riskEventTypes: eventTypes } });
  deps.onRiskyServicePrincipalChanged?.(r);
  return r;
}

export async function recordServicePrincipalDetections(deps: SpRiskDeps, sp: ServicePrincipalRef, detections: readonly ServicePrincipalRiskDetection[]): Promise<RiskyServicePrincipal | undefined> {
  if (!detections.length) return deps.repo.getRiskyServicePrincipal(sp.id);
  await deps.repo.addServicePrincipalDetections(detections);
  const prev = await deps.repo.getRiskyServicePrincipal(sp.id);
  const types = [...new Set(detections.map((d) => d.riskEventType))];
  if (prev?.riskState === 'confirmedCompromised') return write(deps, sp, 'high', 'confirmedCompromised', prev.riskDetail, null, types);
  const atRisk = await deps.repo.listServicePrincipalDetections({ servicePrincipalId: sp.id, riskState: 'atRisk' });
  const level = userRiskLevel(atRisk, deps.now());
  if (level === 'none') return prev;
  return write(deps, sp, level, 'atRisk', 'none', null, types);
}

export async function confirmServicePrincipalCompromised(deps: SpRiskDeps, sp: ServicePrincipalRef, initiatedBy: string): Promise<RiskyServicePrincipal> {
  const now = deps.now();
  await deps.repo.updateServicePrincipalDetectionStates(sp.id, ['atRisk'], { riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedServicePrincipalCompromised', lastUpdatedDateTime: iso(now) });
  await deps.repo.addServicePrincipalDetections([buildServicePrincipalRiskDetection(sp, {
    riskEventType: 'adminConfirmedServicePrincipalCompromised', level: 'high', timing: 'offline', activity: 'servicePrincipal',
    activityTime: now, detectedTime: now, riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedServicePrincipalCompromised',
    source: 'Admin', additionalInfo: { initiatedBy },
  })]);
  return write(deps, sp, 'high', 'confirmedCompromised', 'adminConfirmedServicePrincipalCompromised', initiatedBy, ['adminConfirmedServicePrincipalCompromised']);
}

async function clear(deps: SpRiskDeps, sp: ServicePrincipalRef, state: RiskState, detail: RiskDetail, initiatedBy: string): Promise<RiskyServicePrincipal> {
  await deps.repo.updateServicePrincipalDetectionStates(sp.id, ['atRisk', 'confirmedCompromised'], { riskState: state, riskDetail: detail, lastUpdatedDateTime: iso(deps.now()) });
  return write(deps, sp, 'none', state, detail, initiatedBy, []);
}

export function dismissServicePrincipalRisk(deps: SpRiskDeps, sp: ServicePrincipalRef, initiatedBy: string): Promise<RiskyServicePrincipal> {
  return clear(deps, sp, 'dismissed', 'adminDismissedAllRiskForServicePrincipal', initiatedBy);
}

export function confirmServicePrincipalSafe(deps: SpRiskDeps, sp: ServicePrincipalRef, initiatedBy: string): Promise<RiskyServicePrincipal> {
  return clear(deps, sp, 'confirmedSafe', 'adminConfirmedAccountSafe', initiatedBy);
}
