/**
 * What If: `POST /identity/conditionalAccess/evaluate` (graph-shapes §9, [E3][G16]). Given a
 * hypothetical sign-in it answers, for every enabled and report-only policy, whether it applies
 * and, when not, the FIRST condition that did not match (`analysisReasons`). Grant and session
 * controls are not judged — What-If says which policies would be in force, not whether the
 * user would satisfy them.
 *
 * Directory facts (groups, roles, user type) come from `WhatIfDirectory`, which the core
 * supplies; the evaluation itself reads nothing else. Differences from Entra, on purpose:
 * app groups (`Office365`, `MicrosoftAdminPortals`) are expanded like in real sign-ins, and a
 * condition whose input the request omitted is reported as `notEnoughInformation` instead of
 * silently assuming a value.
 */
import { z } from 'zod';
import { BadRequest } from '../errors/graph.ts';
import type { PolicyDevice, PolicySignInContext } from './context.ts';
import type { PolicySnapshot } from './snapshot.ts';
import { EvalScratch } from './conditions/define.ts';
import { conditions } from './conditions/index.ts';
import { matchConditions } from './evaluate.ts';
import { ciEnum } from './schema/coerce.ts';
import { devicePlatforms, guestOrExternalUserTypes, insiderRiskLevels, riskLevels, transferMethods } from './schema/enums.ts';

export interface WhatIfDirectory {
  user(id: string): Promise<{ groupIds: string[]; roleTemplateIds: string[]; userType: 'member' | 'guest' } | null>;
  servicePrincipal(id: string): Promise<{ appId: string; isSingleTenantInMyTenant: boolean; isManagedIdentity?: boolean } | null>;
}

const str = z.string().trim().min(1);
const deviceInfo = z.looseObject({
  deviceId: z.string().optional(), displayName: z.string().optional(), trustType: z.string().optional(), isCompliant: z.boolean().optional(),
  ownership: z.string().optional(), operatingSystem: z.string().optional(), operatingSystemVersion: z.string().optional(),
  manufacturer: z.string().optional(), model: z.string().optional(), mdmAppId: z.string().optional(), profileType: z.string().optional(),
  systemLabels: z.array(z.string()).optional(), physicalIds: z.array(z.string()).optional(), enrollmentProfileName: z.string().optional(),
}).nullable().optional();

const requestSchema = z.object({
  signInIdentity: z.looseObject({
    '@odata.type': z.string().optional(),
    userId: str.optional(), externalTenantId: z.string().nullable().optional(),
    externalUserType: ciEnum(guestOrExternalUserTypes).nullable().optional(),
    servicePrincipalId: str.optional(),
  }).refine((i) => !!i.userId !== !!i.servicePrincipalId, 'give exactly one of userId (userSignIn) or servicePrincipalId (servicePrincipalSignIn)'),
  signInContext: z.looseObject({
    '@odata.type': z.string().optional(),
    includeApplications: z.array(str).optional(),
    userAction: ciEnum(['registerSecurityInformation', 'registerOrJoinDevices'] as const).optional(),
    authenticationContextValue: str.optional(),
  }).refine((c) => [c.includeApplications?.length, c.userAction, c.authenticationContextValue].filter(Boolean).length === 1, 'give exactly one of includeApplications (applicationContext), userAction (userActionContext) or authenticationContextValue (authContext)'),
  signInConditions: z.looseObject({
    devicePlatform: ciEnum(devicePlatforms).nullable().optional(),
    clientAppType: ciEnum(['all', 'browser', 'mobileAppsAndDesktopClients', 'exchangeActiveSync', 'easSupported', 'other'] as const).nullable().optional(),
    ipAddress: z.string().nullable().optional(),
    country: z.string().nullable().optional(),
    signInRiskLevel: ciEnum(riskLevels).nullable().optional(),
    userRiskLevel: ciEnum(riskLevels).nullable().optional(),
    servicePrincipalRiskLevel: ciEnum(riskLevels).nullable().optional(),
    insiderRiskLevel: ciEnum(insiderRiskLevels).nullable().optional(),
    authenticationFlow: z.object({ transferMethod: ciEnum(transferMethods) }).nullable().optional(),
    deviceInfo,
  }).default({}),
  appliedPoliciesOnly: z.boolean().optional(),
});

export type WhatIfRequest = z.input<typeof requestSchema>;

function parseRequest(body: unknown) {
  const r = requestSchema.safeParse(body);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new BadRequest(`Invalid What If request: ${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`);
}

function toDevice(d: z.output<typeof deviceInfo>): PolicyDevice | null {
  if (!d) return null;
  const ext: Record<string, string> = {};
  for (let n = 1; n <= 15; n++) { const v = (d as Record<string, unknown>)[`extensionAttribute${n}`]; if (typeof v === 'string') ext[`extensionAttribute${n}`] = v; }
  return {
    deviceId: d.deviceId ?? null, displayName: d.displayName ?? null, trustType: d.trustType ?? null, isCompliant: d.isCompliant ?? null,
    deviceOwnership: d.ownership ?? null, operatingSystem: d.operatingSystem ?? null, operatingSystemVersion: d.operatingSystemVersion ?? null,
    manufacturer: d.manufacturer ?? null, model: d.model ?? null, mdmAppId: d.mdmAppId ?? null, profileType: d.profileType ?? null,
    systemLabels: d.systemLabels ?? null, physicalIds: d.physicalIds ?? null, enrollmentProfileName: d.enrollmentProfileName ?? null, extensionAttributes: ext,
  };
}

/** Conditions whose input the request can omit, and the input that tells. */
const inputOf: Record<string, (c: z.output<typeof requestSchema>['signInConditions']) => boolean> = {
  devicePlatforms: (c) => c.devicePlatform != null,
  clientAppTypes: (c) => c.clientAppType != null,
  locations: (c) => c.ipAddress != null || c.country != null,
};

/**
 * Answers a What-If request: `{ value: whatIfAnalysisResult[] }`. Throws BadRequest for a
 * malformed body and ResourceNotFound-style BadRequest for unknown identities.
 */
export async function whatIf(snapshot: PolicySnapshot, body: unknown, directory: WhatIfDirectory, now = Date.now()): Promise<{ value: Array<Record<string, unknown>> }> {
  const req = parseRequest(body);
  const id = req.signInIdentity;
  let subject: PolicySignInContext['subject'];
  if (id.userId) {
    const u = await directory.user(id.userId);
    if (!u) throw new BadRequest(`Invalid What If request: signInIdentity.userId '${id.userId}' is not a user in this tenant.`);
    subject = { kind: 'user', id: id.userId, ...u, ...(id.externalUserType ? { externalUserType: id.externalUserType as never, userType: 'guest' } : {}), ...(id.externalTenantId ? { externalTenantId: id.externalTenantId } : {}) };
  } else {
    const sp = await directory.servicePrincipal(id.servicePrincipalId!);
    if (!sp) throw new BadRequest(`Invalid What If request: signInIdentity.servicePrincipalId '${id.servicePrincipalId}' is not a service principal in this tenant.`);
    subject = { kind: 'servicePrincipal', id: id.servicePrincipalId!, ...sp };
  }
  const c = req.signInConditions;
  const sc = req.signInContext;
  const clientAppType = c.clientAppType === 'easSupported' ? 'exchangeActiveSync' : c.clientAppType && c.clientAppType !== 'all' ? c.clientAppType : 'browser';
  const base: PolicySignInContext = {
    subject, clientAppId: '', resourceAppId: null,
    ...(sc.userAction ? { userAction: sc.userAction === 'registerSecurityInformation' ? 'urn:user:registersecurityinfo' : 'urn:user:registerdevice' } : {}),
    ...(sc.authenticationContextValue ? { authenticationContextClassReferences: [sc.authenticationContextValue] } : {}),
    clientAppType, devicePlatform: c.devicePlatform && c.devicePlatform !== 'all' ? c.devicePlatform : null,
    ipAddress: c.ipAddress ?? null, country: c.country ?? null,
    signInRiskLevel: c.signInRiskLevel ?? 'none', userRiskLevel: c.userRiskLevel ?? 'none', servicePrincipalRiskLevel: c.servicePrincipalRiskLevel ?? 'none',
    insiderRiskLevel: c.insiderRiskLevel ?? null, device: toDevice(c.deviceInfo),
    authenticationFlow: { transferMethod: c.authenticationFlow?.transferMethod ?? 'none', originalTransferMethod: 'none' },
    satisfied: { methods: [], lastAuthenticatedAt: now, tokenProtection: { signInSessionStatus: 'none' } },
    isInteractive: true, now,
  };
  const contexts = sc.includeApplications?.length ? sc.includeApplications.map((app) => ({ ...base, resourceAppId: app })) : [base];
  const value: Array<Record<string, unknown>> = [];
  for (const p of snapshot.policies) {
    let reason: string;
    if (p.state === 'disabled') reason = 'policyNotEnabled';
    else if (p.conditions.length === 0) reason = 'emptyPolicy';
    else {
      reason = 'notSet';
      for (const context of contexts) {
        const { failed } = matchConditions(p, context, new EvalScratch(context, snapshot.resolvePlatform));
        if (failed < 0) { reason = 'notSet'; break; }
        const def = conditions[failed]!;
        const prepared = p.conditions.find((x) => x.def === def)!.prepared;
        const omitted = inputOf[def.id] && !inputOf[def.id]!(c);
        reason = omitted ? 'notEnoughInformation' : typeof def.whatIfReason === 'function' ? def.whatIfReason(prepared) : def.whatIfReason;
      }
    }
    const applies = reason === 'notSet';
    if (req.appliedPoliciesOnly && !applies) continue;
    value.push({ ...p.source, policyApplies: applies, analysisReasons: reason });
  }
  return { value };
}
