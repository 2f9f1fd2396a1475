/**
 * Public surface of the conditional access engine, for the core service to plug in.
 * See docs/conditional-access.md for how the pieces fit.
 */
export type { PolicySignInContext, PolicyUser, PolicyServicePrincipal, PolicyDevice, SatisfiedState, TokenProtectionState } from './context.ts';
export { policySchema, type ConditionalAccessPolicy } from './schema/policy.ts';
export { namedLocationSchema, type NamedLocation } from './schema/named-location.ts';
export { importPolicyFile, importPolicyDocuments, type ImportedItem } from './import/import-file.ts';
export { importPath, exportAll, type ImportReport, type ImportFileReport } from './import/import-path.ts';
export { PolicyImportError } from './import/errors.ts';
export { MemoryPolicyRepository, type PolicyRepository, type StoredPolicy, type StoredNamedLocation } from './repository.ts';
export { compileSnapshot, PolicySnapshotCache, defaultAppGroups, type PolicySnapshot, type SnapshotOptions } from './snapshot.ts';
export { evaluatePolicies } from './evaluate.ts';
export type { PolicyDecision, AppliedConditionalAccessPolicy, PolicyResult, UnmetRequirement } from './decision.ts';
export { builtInStrengths, type AuthenticationStrength } from './controls/authentication-strength.ts';
export { resolveDevicePlatform } from './platform.ts';
export { decisionToOAuthError } from './oauth-error.ts';
export { whatIf, type WhatIfDirectory, type WhatIfRequest } from './what-if.ts';
export * as graphHandlers from './graph-handlers.ts';
export type { PolicyHandlerDeps, AuditTarget, GraphResponse } from './graph-handlers.ts';
export type { SessionDirectives } from './controls/session.ts';
export type { DevicePlatform, RiskLevel, AuthenticationMethodMode, TransferMethod } from './schema/enums.ts';
export { compileDeviceFilter, parseDeviceFilter, DeviceFilterSyntaxError } from './device-filter/index.ts';
