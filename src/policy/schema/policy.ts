/**
 * zod schema of `conditionalAccessPolicy` (graph-shapes §1). Parsing normalises: the output is
 * the one Graph JSON form Tessera stores, serves and exports. Objects are "loose": beta-only keys
 * (`agents`, `times`, `partialEnablementStrategy`, …) are kept untouched so that export
 * round-trips, while every key the engine reads is validated.
 */
import { z } from 'zod';
import {
  authenticationMethodModes, builtInControls, clientAppTypes, devicePlatforms, guestOrExternalUserTypes,
  insiderRiskLevels, policyStates, riskLevels, transferMethods,
} from './enums.ts';
import { ciEnum, collection, flags, idList, optionalObject } from './coerce.ts';

const filterSchema = z.looseObject({
  mode: ciEnum(['include', 'exclude'] as const),
  rule: z.string({ error: 'a filter needs a rule string' }),
});

const externalTenants = z.looseObject({
  membershipKind: ciEnum(['all', 'enumerated', 'unknownFutureValue'] as const),
  members: idList.optional(),
});

const guestsOrExternal = z.looseObject({
  guestOrExternalUserTypes: flags(guestOrExternalUserTypes),
  externalTenants: optionalObject(externalTenants).optional(),
});

export const usersSchema = z.looseObject({
  includeUsers: idList,
  excludeUsers: idList,
  includeGroups: idList,
  excludeGroups: idList,
  includeRoles: idList,
  excludeRoles: idList,
  includeGuestsOrExternalUsers: optionalObject(guestsOrExternal).optional(),
  excludeGuestsOrExternalUsers: optionalObject(guestsOrExternal).optional(),
});

export const applicationsSchema = z.looseObject({
  includeApplications: idList,
  excludeApplications: idList,
  includeUserActions: idList,
  includeAuthenticationContextClassReferences: idList,
  applicationFilter: optionalObject(filterSchema).optional(),
});

const clientApplicationsSchema = z.looseObject({
  includeServicePrincipals: idList,
  excludeServicePrincipals: idList,
  servicePrincipalFilter: optionalObject(filterSchema).optional(),
});

const platformsSchema = z.looseObject({
  includePlatforms: collection(ciEnum(devicePlatforms)),
  excludePlatforms: collection(ciEnum(devicePlatforms)),
});

const locationsSchema = z.looseObject({ includeLocations: idList, excludeLocations: idList });

const devicesSchema = z.looseObject({ deviceFilter: optionalObject(filterSchema).optional() });

const conditionsSchema = z.looseObject({
  users: optionalObject(usersSchema).optional(),
  applications: optionalObject(applicationsSchema).optional(),
  clientApplications: optionalObject(clientApplicationsSchema).optional(),
  clientAppTypes: collection(ciEnum(clientAppTypes, { easUnsupported: 'exchangeActiveSync' })),
  platforms: optionalObject(platformsSchema).optional(),
  locations: optionalObject(locationsSchema).optional(),
  signInRiskLevels: collection(ciEnum(riskLevels)),
  userRiskLevels: collection(ciEnum(riskLevels)),
  servicePrincipalRiskLevels: collection(ciEnum(riskLevels)),
  insiderRiskLevels: flags(insiderRiskLevels).optional(),
  devices: optionalObject(devicesSchema).optional(),
  authenticationFlows: optionalObject(z.looseObject({ transferMethods: flags(transferMethods) })).optional(),
});

/**
 * An authentication strength as it appears in grantControls: `{id}` when written, the whole
 * expanded authenticationStrengthPolicy when read/exported (graph-shapes §1.2, §8).
 */
export const authenticationStrengthSchema = z.looseObject({
  id: z.string({ error: 'an authentication strength needs an id' }),
  displayName: z.string().optional(),
  description: z.string().nullable().optional(),
  policyType: ciEnum(['builtIn', 'custom', 'unknownFutureValue'] as const).optional(),
  requirementsSatisfied: flags(['none', 'mfa', 'unknownFutureValue'] as const).optional(),
  allowedCombinations: collection(flags(authenticationMethodModes)).optional(),
});

const grantControlsSchema = z.looseObject({
  operator: z.preprocess((v) => v ?? 'OR', ciEnum(['AND', 'OR'] as const)),
  builtInControls: collection(ciEnum(builtInControls)),
  customAuthenticationFactors: idList,
  termsOfUse: idList,
  authenticationStrength: optionalObject(authenticationStrengthSchema).optional(),
});

const enabled = z.looseObject({ isEnabled: z.boolean().nullable().optional() });

const sessionControlsSchema = z.looseObject({
  applicationEnforcedRestrictions: optionalObject(enabled).optional(),
  cloudAppSecurity: optionalObject(enabled.extend({ cloudAppSecurityType: ciEnum(['mcasConfigured', 'monitorOnly', 'blockDownloads', 'unknownFutureValue'] as const).nullable().optional() })).optional(),
  persistentBrowser: optionalObject(enabled.extend({ mode: ciEnum(['always', 'never'] as const).nullable().optional() })).optional(),
  signInFrequency: optionalObject(
    enabled.extend({
      value: z.number().int().positive().nullable().optional(),
      type: ciEnum(['days', 'hours'] as const).nullable().optional(),
      authenticationType: ciEnum(['primaryAndSecondaryAuthentication', 'secondaryAuthentication', 'unknownFutureValue'] as const).nullable().optional(),
      frequencyInterval: ciEnum(['timeBased', 'everyTime', 'unknownFutureValue'] as const).nullable().optional(),
    }),
  ).optional(),
  disableResilienceDefaults: z.boolean().nullable().optional(),
  secureSignInSession: optionalObject(enabled).optional(),
  continuousAccessEvaluation: optionalObject(z.looseObject({ mode: ciEnum(['strictEnforcement', 'disabled', 'unknownFutureValue', 'strictLocation'] as const) })).optional(),
});

const dateTime = z.string().nullable().optional();

export const policySchema = z.looseObject({
  id: z.string().optional(),
  displayName: z.string({ error: 'displayName is required (a string)' }).trim().min(1, 'displayName must not be empty'),
  description: z.string().nullable().optional(),
  state: ciEnum(policyStates),
  templateId: z.string().nullable().optional(),
  createdDateTime: dateTime,
  modifiedDateTime: dateTime,
  deletedDateTime: dateTime,
  conditions: conditionsSchema,
  grantControls: optionalObject(grantControlsSchema).optional(),
  sessionControls: optionalObject(sessionControlsSchema).optional(),
});

export type ConditionalAccessPolicy = z.output<typeof policySchema>;
export type PolicyConditions = ConditionalAccessPolicy['conditions'];
export type GrantControls = NonNullable<ConditionalAccessPolicy['grantControls']>;
export type SessionControls = NonNullable<ConditionalAccessPolicy['sessionControls']>;
export type AuthenticationStrengthRef = z.output<typeof authenticationStrengthSchema>;
export type ConditionalAccessFilter = z.output<typeof filterSchema>;
