/**
 * Import of one exported file: bytes → decoded text → JSON → annotations stripped → kind
 * detected → validated and normalised by the zod schemas → checked for features Tessera cannot
 * enforce. Anything refused throws `PolicyImportError` naming the property and the reason, so
 * the operator sees exactly what to fix (issue 4: "imports, or is refused with a message naming
 * the property and why").
 */
import type { z } from 'zod';
import { decodeText, stripAnnotations } from './decode.ts';
import { PolicyImportError } from './errors.ts';
import { policySchema, type ConditionalAccessPolicy } from '../schema/policy.ts';
import { namedLocationSchema, type NamedLocation } from '../schema/named-location.ts';
import { parseDeviceFilter, DeviceFilterSyntaxError } from '../device-filter/index.ts';

export type ImportedItem =
  | { kind: 'policy'; value: ConditionalAccessPolicy; warnings: string[] }
  | { kind: 'namedLocation'; value: NamedLocation; warnings: string[] };

/** Imports a file holding exactly one policy or named location (a one-element array is accepted). */
export function importPolicyFile(input: string | Uint8Array): ImportedItem {
  const items = importPolicyDocuments(input);
  if (items.length !== 1) throw new PolicyImportError('(file)', `holds ${items.length} objects; importPolicyFile expects one (use importPolicyDocuments)`);
  return items[0]!;
}

/** Imports a file holding one object or an array of them (PowerShell here-strings often hold arrays). */
export function importPolicyDocuments(input: string | Uint8Array): ImportedItem[] {
  const text = decodeText(input);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PolicyImportError('(file)', `not valid JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(raw)) {
    if (raw.length === 0) throw new PolicyImportError('(file)', 'the array is empty');
    return raw.map((item, i) => {
      try {
        return importObject(item);
      } catch (e) {
        if (e instanceof PolicyImportError) throw new PolicyImportError(`[${i}].${e.property}`, e.reason);
        throw e;
      }
    });
  }
  // `Get-MgIdentityConditionalAccessPolicy | ConvertTo-Json` of a listing wraps objects in {value: [...]}.
  if (isRecord(raw) && Array.isArray(raw.value) && !('displayName' in raw)) return importPolicyDocuments(JSON.stringify(raw.value));
  return [importObject(raw)];
}

/** Validates one decoded JSON value as a policy or named location. */
export function importObject(raw: unknown): ImportedItem {
  if (!isRecord(raw)) throw new PolicyImportError('(root)', 'expected a JSON object');
  const odataType = typeof raw['@odata.type'] === 'string' ? (raw['@odata.type'] as string) : '';
  const body = stripAnnotations(raw) as Record<string, unknown>;
  const kind = detectKind(odataType, body);
  if (kind === 'policy') {
    const value = parse(policySchema, body);
    return { kind, value, warnings: checkPolicy(value) };
  }
  if (kind === 'compliantNetwork') {
    throw new PolicyImportError('@odata.type', 'compliantNetworkNamedLocation describes Global Secure Access compliant networks, which Tessera does not provide');
  }
  const value = parse(namedLocationSchema, { ...body, '@odata.type': kind });
  return { kind: 'namedLocation', value, warnings: [] };
}

function detectKind(odataType: string, body: Record<string, unknown>): 'policy' | 'compliantNetwork' | NamedLocation['@odata.type'] {
  const t = odataType.toLowerCase();
  if (t.endsWith('ipnamedlocation') || (!t && 'ipRanges' in body)) return '#microsoft.graph.ipNamedLocation';
  if (t.endsWith('countrynamedlocation') || (!t && 'countriesAndRegions' in body)) return '#microsoft.graph.countryNamedLocation';
  if (t.endsWith('compliantnetworknamedlocation') || (!t && 'compliantNetworkType' in body)) return 'compliantNetwork';
  if (t.endsWith('conditionalaccesspolicy') || 'conditions' in body || 'state' in body) return 'policy';
  if (t) throw new PolicyImportError('@odata.type', `'${odataType}' is neither a conditional access policy nor a named location`);
  throw new PolicyImportError('(root)', 'neither a conditional access policy (no conditions/state) nor a named location (no ipRanges/countriesAndRegions)');
}

export function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const property = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  let reason = issue.message;
  if (issue.code === 'invalid_type' && /received undefined/.test(reason)) reason = 'is required but missing';
  throw new PolicyImportError(property, reason);
}

const nonEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : v !== null && v !== undefined && v !== '');

/**
 * Rules a schema cannot express: what Graph requires together ([G17] users or clientApplications),
 * rules that must parse, and beta/preview features Tessera cannot enforce — refused rather than
 * imported as a policy that would silently never apply. Returns non-fatal warnings.
 */
function checkPolicy(p: ConditionalAccessPolicy): string[] {
  const c = p.conditions;
  const warnings: string[] = [];
  if (!c.applications) throw new PolicyImportError('conditions.applications', 'is required: a policy must target applications, user actions or authentication contexts');
  if (!c.users && !c.clientApplications) throw new PolicyImportError('conditions.users', 'either users or clientApplications is required');
  const apps = c.applications as Record<string, unknown>;
  const targetsApps = c.applications.includeApplications.length + c.applications.includeUserActions.length + c.applications.includeAuthenticationContextClassReferences.length > 0;
  for (const gsa of ['globalSecureAccess', 'networkAccess']) {
    if (nonEmpty(apps[gsa]) && !targetsApps) throw new PolicyImportError(`conditions.applications.${gsa}`, 'targets Global Secure Access traffic profiles only; Tessera has no Global Secure Access, so the policy could never apply');
  }
  const cl = c.clientApplications as Record<string, unknown> | null | undefined;
  const usersTargeted = !!c.users && (c.users.includeUsers.some((u) => u !== 'None') || c.users.includeGroups.length + c.users.includeRoles.length > 0 || !!c.users.includeGuestsOrExternalUsers);
  if (cl && nonEmpty(cl.includeAgentIdServicePrincipals) && c.clientApplications!.includeServicePrincipals.length === 0 && !usersTargeted) {
    throw new PolicyImportError('conditions.clientApplications.includeAgentIdServicePrincipals', 'targets agent identities (beta preview), which Tessera does not model; the policy could never apply');
  }
  const agents = (c as Record<string, unknown>).agents as Record<string, unknown> | null | undefined;
  if (agents && nonEmpty(agents.includeAgentUsers) && !usersTargeted) {
    throw new PolicyImportError('conditions.agents.includeAgentUsers', 'targets agent users (beta preview), which Tessera does not model; the policy could never apply');
  }
  const extra = c as Record<string, unknown>;
  if (nonEmpty(extra.deviceStates) && hasEntries(extra.deviceStates)) throw new PolicyImportError('conditions.deviceStates', 'is deprecated and not enforced by Tessera; express it as devices.deviceFilter (e.g. device.isCompliant -ne True)');
  if (nonEmpty(extra.times)) throw new PolicyImportError('conditions.times', 'the time condition is a retired preview that Tessera does not enforce');
  if (c.applications.applicationFilter) throw new PolicyImportError('conditions.applications.applicationFilter', 'filters on custom security attributes of applications are not supported');
  if (c.clientApplications?.servicePrincipalFilter) throw new PolicyImportError('conditions.clientApplications.servicePrincipalFilter', 'filters on custom security attributes of service principals are not supported');
  const rule = c.devices?.deviceFilter?.rule;
  if (rule !== undefined) {
    try {
      parseDeviceFilter(rule);
    } catch (e) {
      if (e instanceof DeviceFilterSyntaxError) throw new PolicyImportError('conditions.devices.deviceFilter.rule', e.message);
      throw e;
    }
  }
  const g = p.grantControls;
  if (g?.builtInControls.includes('mfa') && g.authenticationStrength) throw new PolicyImportError('grantControls.authenticationStrength', "cannot be combined with 'mfa' in one policy ([E11]: the built-in MFA strength is equivalent)");
  for (const [path, ids] of [['users.includeGroups', c.users?.includeGroups], ['users.excludeGroups', c.users?.excludeGroups], ['locations.includeLocations', c.locations?.includeLocations], ['locations.excludeLocations', c.locations?.excludeLocations]] as const) {
    for (const id of ids ?? []) if (/^<.*>$/.test(id)) warnings.push(`conditions.${path}: '${id}' is a template placeholder; replace it with a real id`);
  }
  // [E2]: policies on user actions cannot run in report-only mode.
  if (p.state === 'enabledForReportingButNotEnforced' && c.applications.includeUserActions.length) warnings.push('state: policies that target user actions cannot run in report-only mode in Entra; Tessera evaluates and logs it anyway');
  if (g?.builtInControls.some((x) => x === 'approvedApplication' || x === 'compliantApplication')) warnings.push('grantControls: approvedApplication/compliantApplication cannot be satisfied by Tessera (no app protection broker); alone they fail the policy');
  return warnings;
}

function hasEntries(v: unknown): boolean {
  return isRecord(v) && Object.values(v).some(nonEmpty);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
