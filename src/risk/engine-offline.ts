/**
 * Offline and workload inputs of the engine: leaked-credential reports, endpoint-agent device signals, service
 * principal sign-ins (suspiciousSignins baseline + threat intelligence), directory audit events (anomalous service
 * principal activity) and application flags (malicious / suspicious application).
 */
import type { DirectoryAuditEvent, ServicePrincipalSignInEvent } from './event.ts';
import type { GeoInfo } from './geo/lookup.ts';
import type { IpLists } from './lists/ip-lists.ts';
import { buildRiskDetection, buildServicePrincipalRiskDetection, type ServicePrincipalRef, type UserRef } from './model/build.ts';
import type { RiskDetection, ServicePrincipalRiskDetection } from './model/records.ts';
import { recordServicePrincipalDetections, type SpRiskDeps } from './model/sp-risk.ts';
import { recordUserDetections, type RiskDeps } from './model/user-risk.ts';
import { parseDeviceSignal } from './offline/device-signals.ts';
import { matchLeaks, parseLeakReport, type CredentialCallbacks, type LeakFormat } from './offline/leaked-credentials.ts';
import { ServicePrincipalActivityBaseline } from './workload/anomalous-activity.ts';
import { WorkloadSignInBaseline, type WorkloadBaselineOptions } from './workload/suspicious-signins.ts';

export interface LeakIngestResult {
  candidates: number;
  userDetections: RiskDetection[];
  servicePrincipalDetections: ServicePrincipalRiskDetection[];
  /** Matches whose user could not be resolved to an id (reported, not dropped silently). */
  unresolved: string[];
}

export interface OfflineIngest {
  ingestLeakedCredentials(report: string, opts?: { format?: LeakFormat; source?: string }): Promise<LeakIngestResult>;
  ingestDeviceSignal(input: unknown): Promise<RiskDetection>;
  observeServicePrincipalSignIn(e: ServicePrincipalSignInEvent): Promise<{ suspicious: boolean; unfamiliar: string[]; detections: ServicePrincipalRiskDetection[] }>;
  /** Close idle suspicious-sign-in windows and store them as suspiciousSignins detections (run periodically). */
  flushWorkloadDetections(opts?: { force?: boolean }): Promise<ServicePrincipalRiskDetection[]>;
  ingestDirectoryAudit(e: DirectoryAuditEvent): Promise<ServicePrincipalRiskDetection | undefined>;
  flagApplication(sp: ServicePrincipalRef, kind: 'malicious' | 'suspicious', reason: string): Promise<ServicePrincipalRiskDetection>;
}

export function createOfflineIngest(d: {
  userDeps: RiskDeps;
  spDeps: SpRiskDeps;
  lists: IpLists;
  now: () => number;
  resolve(ip: string): GeoInfo;
  lookupUser(id: string): Promise<UserRef | undefined>;
  lookupUserByUpn(upn: string): Promise<UserRef | undefined>;
  lookupSp(id: string): Promise<ServicePrincipalRef | undefined>;
  credentials?: CredentialCallbacks;
  workload?: WorkloadBaselineOptions;
}): OfflineIngest {
  const workload = new WorkloadSignInBaseline(d.workload);
  const activity = new ServicePrincipalActivityBaseline();
  const spRefs = new Map<string, ServicePrincipalRef>();

  const spDetect = async (sp: ServicePrincipalRef, det: Parameters<typeof buildServicePrincipalRiskDetection>[1]) => {
    const rec = buildServicePrincipalRiskDetection(sp, det);
    await recordServicePrincipalDetections(d.spDeps, sp, [rec]);
    return rec;
  };

  return {
    async ingestLeakedCredentials(report, opts = {}) {
      if (!d.credentials) throw new Error('leaked-credential ingestion needs the `credentials` callbacks (verifyPassword, matchClientSecret)');
      const candidates = parseLeakReport(report, opts.format);
      const matches = await matchLeaks(candidates, d.credentials);
      const res: LeakIngestResult = { candidates: candidates.length, userDetections: [], servicePrincipalDetections: [], unresolved: [] };
      const t = d.now();
      for (const m of matches) {
        const info = { ...m.location, ...(opts.source ? { source: opts.source } : {}), ...(m.secretHint ? { secretSha256Prefix: m.secretHint } : {}) };
        if (m.kind === 'user' && m.upn) {
          const user = await d.lookupUserByUpn(m.upn);
          if (!user) { res.unresolved.push(m.upn); continue; }
          // Users' leaked credentials are always high (graph-shapes.md §6).
          const rec = buildRiskDetection(user, { riskEventType: 'leakedCredentials', level: 'high', timing: 'offline', activity: 'user', activityTime: t, detectedTime: t, additionalInfo: info });
          await recordUserDetections(d.userDeps, user, [rec]);
          res.userDetections.push(rec);
        } else if (m.servicePrincipal) {
          const s = m.servicePrincipal;
          const sp = spRefs.get(s.servicePrincipalId) ?? { id: s.servicePrincipalId, appId: s.appId, displayName: s.displayName ?? null };
          res.servicePrincipalDetections.push(await spDetect(sp, {
            riskEventType: 'leakedCredentials', level: 'high', timing: 'offline', activity: 'servicePrincipal', activityTime: t, detectedTime: t,
            additionalInfo: info, ...(s.keyId ? { keyIds: [s.keyId] } : {}),
          }));
        }
      }
      return res;
    },

    async ingestDeviceSignal(input) {
      const s = parseDeviceSignal(input);
      const user = (await d.lookupUser(s.userId)) ?? { id: s.userId, userPrincipalName: s.userPrincipalName };
      const t = Date.parse(s.observedDateTime);
      const rec = buildRiskDetection(user, {
        riskEventType: 'attemptedPrtAccess', level: 'high', timing: 'offline', activity: 'user', activityTime: t, detectedTime: Math.max(t, d.now()),
        source: s.reportedBy ?? 'EndpointAgent',
        ...(s.ipAddress ? { ip: s.ipAddress, net: d.resolve(s.ipAddress) } : {}),
        additionalInfo: { deviceId: s.deviceId, ...(s.processName ? { processName: s.processName } : {}), ...(s.processId !== undefined ? { processId: s.processId } : {}) },
      });
      await recordUserDetections(d.userDeps, user, [rec]);
      return rec;
    },

    async observeServicePrincipalSignIn(e) {
      const net = e.network ?? d.resolve(e.ip);
      const sp: ServicePrincipalRef = { id: e.servicePrincipalId, appId: e.appId, displayName: e.servicePrincipalDisplayName ?? null };
      spRefs.set(sp.id, sp);
      const detections: ServicePrincipalRiskDetection[] = [];
      const cats = d.lists.match(e.ip);
      if (cats.includes('malicious') || cats.includes('nationState')) {
        detections.push(await spDetect(sp, {
          riskEventType: 'investigationsThreatIntelligence', level: 'high', timing: 'realtime', activity: 'servicePrincipal',
          activityTime: e.time, detectedTime: Math.max(e.time, d.now()), requestId: e.requestId, ip: e.ip, net,
          additionalInfo: { lists: cats }, ...(e.keyId ? { keyIds: [e.keyId] } : {}),
        }));
      }
      const r = workload.observe(e, net);
      return { suspicious: r.suspicious, unfamiliar: r.unfamiliar, detections };
    },

    async flushWorkloadDetections(opts = {}) {
      const out: ServicePrincipalRiskDetection[] = [];
      const t = d.now();
      for (const w of workload.flush(t, opts.force ?? false)) {
        const sp = spRefs.get(w.servicePrincipalId) ?? { id: w.servicePrincipalId, appId: w.appId, displayName: w.displayName ?? null };
        const firstIp = w.ips[0];
        out.push(await spDetect(sp, {
          riskEventType: 'suspiciousSignins', level: w.level, timing: 'offline', activity: 'servicePrincipal',
          activityTime: w.start, detectedTime: Math.max(t, w.end), keyIds: w.keyIds,
          ...(firstIp ? { ip: firstIp, net: d.resolve(firstIp) } : {}),
          additionalInfo: {
            windowStart: new Date(w.start).toISOString(), windowEnd: new Date(w.end).toISOString(), signInCount: w.signIns,
            unfamiliarProperties: w.unfamiliar, ipAddresses: w.ips,
          },
        }));
      }
      return out;
    },

    async ingestDirectoryAudit(e) {
      const hit = activity.observe(e);
      const actor = e.initiatedByServicePrincipalId;
      if (!hit || !actor) return undefined;
      // An actor the directory does not know still gets its detection; its appId is then unknown (null).
      const sp = spRefs.get(actor) ?? (await d.lookupSp(actor)) ?? { id: actor, appId: '' };
      return spDetect(sp, {
        riskEventType: 'anomalousServicePrincipalActivity', level: hit.level, timing: 'offline', activity: 'servicePrincipal',
        activityTime: e.time, detectedTime: Math.max(e.time, d.now()),
        additionalInfo: { reason: hit.reason, auditId: e.id, activity: e.activity, targetId: e.targetId, ...(e.roleName ? { roleName: e.roleName } : {}) },
      });
    },

    async flagApplication(sp, kind, reason) {
      const t = d.now();
      spRefs.set(sp.id, sp);
      return spDetect(sp, {
        riskEventType: kind === 'malicious' ? 'maliciousApplication' : 'suspiciousApplication',
        level: kind === 'malicious' ? 'high' : 'medium', timing: 'offline', activity: 'servicePrincipal', activityTime: t, detectedTime: t,
        additionalInfo: { reason },
      });
    },
  };
}
