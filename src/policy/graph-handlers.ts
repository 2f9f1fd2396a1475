/**
 * Graph-shaped CRUD for `/identity/conditionalAccess/policies`, `/deletedItems/policies` and
 * `/namedLocations` as plain functions (graph-shapes §1, §2). The core mounts them on `/v1.0`
 * and `/beta` and maps `GraphResponse.status`/`body` to HTTP; every failure is a GraphError
 * from src/errors/graph.ts, never anything else. Bodies get the import's tolerance (annotations
 * ignored, flag enums as strings or arrays) and its validation. Every change calls
 * `audit(activity, target)` and waits for it before answering (DESIGN.md "every admin action
 * writes an audit record before it answers").
 */
import { BadRequest, ResourceNotFound } from '../errors/graph.ts';
import type { PolicyRepository, StoredNamedLocation, StoredPolicy } from './repository.ts';
import { importObject } from './import/import-file.ts';
import { PolicyImportError } from './import/errors.ts';
import type { ConditionalAccessPolicy } from './schema/policy.ts';
import type { NamedLocation } from './schema/named-location.ts';

export interface AuditTarget {
  id: string;
  displayName: string;
  type: 'Policy' | 'NamedLocation';
  modifiedProperties: Array<{ displayName: string; oldValue: string | null; newValue: string | null }>;
}

export interface PolicyHandlerDeps {
  repo: PolicyRepository;
  /** Writes the audit record; awaited before the handler returns. */
  audit: (activity: string, target: AuditTarget) => Promise<void> | void;
  /** Root used in `@odata.context`, e.g. `https://host/v1.0`. */
  serviceRoot?: string;
}

export interface GraphResponse { status: 200 | 201 | 204; body?: Record<string, unknown> }

const READ_ONLY = ['id', 'createdDateTime', 'modifiedDateTime', 'deletedDateTime'];

function context(deps: PolicyHandlerDeps, path: string): string {
  return `${deps.serviceRoot ?? 'https://graph.microsoft.com/v1.0'}/$metadata#${path}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireId(id: unknown): string {
  if (typeof id !== 'string' || id.trim() === '' || id.length > 200) throw new BadRequest('Invalid object identifier.');
  return id;
}

function validate(body: unknown, kind: 'policy' | 'namedLocation'): ConditionalAccessPolicy | NamedLocation {
  if (!isRecord(body)) throw new BadRequest('The request body must be a JSON object.');
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!READ_ONLY.includes(k)) clean[k] = v;
  let item;
  try {
    item = importObject(clean);
  } catch (e) {
    if (e instanceof PolicyImportError) throw new BadRequest(`Invalid ${kind === 'policy' ? 'conditional access policy' : 'named location'}: ${e.property}: ${e.reason}`);
    throw e;
  }
  if (item.kind !== kind) throw new BadRequest(kind === 'policy' ? 'The body is a named location, not a conditional access policy.' : 'The body is a conditional access policy, not a named location.');
  return item.value;
}

/** PATCH semantics: objects merge recursively, arrays and scalars replace, null clears. */
function merge(base: unknown, patch: unknown): unknown {
  if (!isRecord(base) || !isRecord(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(base[k], v);
  return out;
}

function changes(before: object | null, after: object | null): AuditTarget['modifiedProperties'] {
  const b = (before ?? {}) as Record<string, unknown>, a = (after ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(b), ...Object.keys(a)].filter((k) => k !== 'modifiedDateTime'));
  const out: AuditTarget['modifiedProperties'] = [];
  for (const k of keys) {
    const o = b[k] === undefined ? null : JSON.stringify(b[k]);
    const n = a[k] === undefined ? null : JSON.stringify(a[k]);
    if (o !== n) out.push({ displayName: k, oldValue: o, newValue: n });
  }
  return out;
}

// ── policies ────────────────────────────────────────────────────────────────────────────────

export async function listPolicies(deps: PolicyHandlerDeps): Promise<GraphResponse> {
  return { status: 200, body: { '@odata.context': context(deps, 'identity/conditionalAccess/policies'), value: await deps.repo.listPolicies() } };
}

export async function getPolicy(deps: PolicyHandlerDeps, id: unknown): Promise<GraphResponse> {
  const p = await deps.repo.getPolicy(requireId(id));
  if (!p) throw new ResourceNotFound(`Could not find a conditional access policy with id '${String(id)}'.`);
  return { status: 200, body: { '@odata.context': context(deps, 'identity/conditionalAccess/policies/$entity'), ...p } };
}

export async function createPolicy(deps: PolicyHandlerDeps, body: unknown): Promise<GraphResponse> {
  const value = validate(body, 'policy') as ConditionalAccessPolicy;
  const stored = await deps.repo.createPolicy(value);
  await deps.audit('Add conditional access policy', { id: stored.id, displayName: stored.displayName, type: 'Policy', modifiedProperties: changes(null, stored) });
  return { status: 201, body: { '@odata.context': context(deps, 'identity/conditionalAccess/policies/$entity'), ...stored } };
}

export async function patchPolicy(deps: PolicyHandlerDeps, id: unknown, body: unknown): Promise<GraphResponse> {
  const key = requireId(id);
  if (!isRecord(body)) throw new BadRequest('The request body must be a JSON object.');
  const current = await deps.repo.getPolicy(key);
  if (!current) throw new ResourceNotFound(`Could not find a conditional access policy with id '${key}'.`);
  const value = validate(merge(current, body), 'policy') as ConditionalAccessPolicy;
  const stored = await deps.repo.updatePolicy(key, value);
  if (!stored) throw new ResourceNotFound(`Could not find a conditional access policy with id '${key}'.`);
  await deps.audit('Update conditional access policy', { id: key, displayName: stored.displayName, type: 'Policy', modifiedProperties: changes(current, stored) });
  return { status: 204 };
}

export async function deletePolicy(deps: PolicyHandlerDeps, id: unknown): Promise<GraphResponse> {
  const key = requireId(id);
  const current = await deps.repo.getPolicy(key);
  if (!current || !(await deps.repo.deletePolicy(key))) throw new ResourceNotFound(`Could not find a conditional access policy with id '${key}'.`);
  await deps.audit('Delete conditional access policy', { id: key, displayName: current.displayName, type: 'Policy', modifiedProperties: changes(current, null) });
  return { status: 204 };
}

/** GET /identity/conditionalAccess/deletedItems/policies */
export async function listDeletedPolicies(deps: PolicyHandlerDeps): Promise<GraphResponse> {
  return { status: 200, body: { '@odata.context': context(deps, 'identity/conditionalAccess/deletedItems/policies'), value: await deps.repo.listDeletedPolicies() } };
}

/** POST /identity/conditionalAccess/deletedItems/policies/{id}/restore */
export async function restorePolicy(deps: PolicyHandlerDeps, id: unknown): Promise<GraphResponse> {
  const key = requireId(id);
  const restored: StoredPolicy | null = await deps.repo.restorePolicy(key);
  if (!restored) throw new ResourceNotFound(`Could not find a deleted conditional access policy with id '${key}'.`);
  await deps.audit('Restore conditional access policy', { id: key, displayName: restored.displayName, type: 'Policy', modifiedProperties: [] });
  return { status: 200, body: { '@odata.context': context(deps, 'identity/conditionalAccess/policies/$entity'), ...restored } };
}

// ── named locations ─────────────────────────────────────────────────────────────────────────

export async function listNamedLocations(deps: PolicyHandlerDeps): Promise<GraphResponse> {
  return { status: 200, body: { '@odata.context': context(deps, 'identity/conditionalAccess/namedLocations'), value: await deps.repo.listNamedLocations() } };
}

export async function getNamedLocation(deps: PolicyHandlerDeps, id: unknown): Promise<GraphResponse> {
  const l = await deps.repo.getNamedLocation(requireId(id));
  if (!l) throw new ResourceNotFound(`Could not find a named location with id '${String(id)}'.`);
  return { status: 200, body: { '@odata.context': context(deps, 'identity/conditionalAccess/namedLocations/$entity'), ...l } };
}

export async function createNamedLocation(deps: PolicyHandlerDeps, body: unknown): Promise<GraphResponse> {
  const value = validate(body, 'namedLocation') as NamedLocation;
  const stored = await deps.repo.createNamedLocation(value);
  await deps.audit('Add named location', { id: stored.id, displayName: stored.displayName, type: 'NamedLocation', modifiedProperties: changes(null, stored) });
  return { status: 201, body: { '@odata.context': context(deps, 'identity/conditionalAccess/namedLocations/$entity'), ...stored } };
}

export async function patchNamedLocation(deps: PolicyHandlerDeps, id: unknown, body: unknown): Promise<GraphResponse> {
  const key = requireId(id);
  if (!isRecord(body)) throw new BadRequest('The request body must be a JSON object.');
  const current = await deps.repo.getNamedLocation(key);
  if (!current) throw new ResourceNotFound(`Could not find a named location with id '${key}'.`);
  const t = body['@odata.type'];
  if (t !== undefined && t !== current['@odata.type']) throw new BadRequest(`The @odata.type of a named location cannot change (it is ${current['@odata.type']}).`);
  const value = validate(merge(current, body), 'namedLocation') as NamedLocation;
  const stored: StoredNamedLocation | null = await deps.repo.updateNamedLocation(key, value);
  if (!stored) throw new ResourceNotFound(`Could not find a named location with id '${key}'.`);
  await deps.audit('Update named location', { id: key, displayName: stored.displayName, type: 'NamedLocation', modifiedProperties: changes(current, stored) });
  return { status: 204 };
}

export async function deleteNamedLocation(deps: PolicyHandlerDeps, id: unknown): Promise<GraphResponse> {
  const key = requireId(id);
  const current = await deps.repo.getNamedLocation(key);
  if (!current) throw new ResourceNotFound(`Could not find a named location with id '${key}'.`);
  // graph-shapes §2: a trusted location cannot be deleted while it is marked trusted.
  if (current['@odata.type'] === '#microsoft.graph.ipNamedLocation' && current.isTrusted) throw new BadRequest('A trusted named location cannot be deleted; set isTrusted to false first.');
  const inUse = (await deps.repo.listPolicies()).find((p) => [...(p.conditions.locations?.includeLocations ?? []), ...(p.conditions.locations?.excludeLocations ?? [])].some((l) => l.toLowerCase() === key.toLowerCase()));
  if (inUse) throw new BadRequest(`The named location is used by the conditional access policy '${inUse.displayName}' (${inUse.id}); remove it from the policy first.`);
  if (!(await deps.repo.deleteNamedLocation(key))) throw new ResourceNotFound(`Could not find a named location with id '${key}'.`);
  await deps.audit('Delete named location', { id: key, displayName: current.displayName, type: 'NamedLocation', modifiedProperties: changes(current, null) });
  return { status: 204 };
}
