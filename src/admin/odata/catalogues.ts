/**
 * Property catalogues of the Graph resources the admin API lists: which properties exist, their EDM
 * types, and which can be filtered, sorted or selected. Names and types follow Graph v1.0 (beta for
 * signIn) as summarised in reference/graph-shapes.md and the Graph resource pages.
 *
 * Keys are paths: complex properties list their leaves (`status/errorCode`), complex collections list
 * their element fields under the collection (`assignedLicenses/skuId`).
 */
import type { Catalogue, PropertyDef, ScalarType } from './types.ts';

type Spec = Partial<Record<ScalarType | 'complex', readonly string[]>>;

/** Expands `{ string: ['a', 'b[]'] }` into definitions; a `[]` suffix marks a collection. */
function props(spec: Spec, extra: Record<string, PropertyDef> = {}): Record<string, PropertyDef> {
  const out: Record<string, PropertyDef> = {};
  for (const [type, names] of Object.entries(spec) as [ScalarType | 'complex', readonly string[]][]) {
    for (const n of names) {
      const collection = n.endsWith('[]');
      out[collection ? n.slice(0, -2) : n] = collection ? { type, collection } : { type };
    }
  }
  return { ...out, ...extra };
}

const enumOf = (...members: string[]): PropertyDef => ({ type: 'enum', members });

/** assignedLicense: `assignedLicenses/any(x:x/skuId eq 184efa21-…)`. */
const assignedLicenses = props({ complex: ['assignedLicenses[]'], guid: ['assignedLicenses/skuId'] });

const keyCredentials = props({
  complex: ['keyCredentials[]', 'passwordCredentials[]'],
  guid: ['keyCredentials/keyId', 'passwordCredentials/keyId'],
  string: ['keyCredentials/displayName', 'keyCredentials/type', 'keyCredentials/usage', 'passwordCredentials/displayName', 'passwordCredentials/hint'],
  dateTime: ['keyCredentials/startDateTime', 'keyCredentials/endDateTime', 'passwordCredentials/startDateTime', 'passwordCredentials/endDateTime'],
});

const riskLevel = enumOf('low', 'medium', 'high', 'hidden', 'none', 'unknownFutureValue');

export const user: Catalogue = {
  type: 'user',
  entitySet: 'users',
  properties: props({
    string: [
      'id', 'displayName', 'userPrincipalName', 'mail', 'mailNickname', 'givenName', 'surname', 'userType',
      'jobTitle', 'department', 'companyName', 'officeLocation', 'city', 'state', 'country', 'streetAddress',
      'postalCode', 'usageLocation', 'preferredLanguage', 'mobilePhone', 'faxNumber', 'employeeId', 'employeeType',
      'onPremisesImmutableId', 'onPremisesSamAccountName', 'onPremisesUserPrincipalName', 'onPremisesSecurityIdentifier',
      'onPremisesDomainName', 'onPremisesDistinguishedName', 'creationType', 'externalUserState', 'passwordPolicies',
      'ageGroup', 'consentProvidedForMinor', 'legalAgeGroupClassification', 'securityIdentifier',
      'businessPhones[]', 'otherMails[]', 'proxyAddresses[]', 'imAddresses[]',
      'identities/signInType', 'identities/issuer', 'identities/issuerAssignedId',
    ],
    boolean: ['accountEnabled', 'onPremisesSyncEnabled', 'showInAddressList'],
    dateTime: [
      'createdDateTime', 'deletedDateTime', 'employeeHireDate', 'employeeLeaveDateTime', 'externalUserStateChangeDateTime',
      'lastPasswordChangeDateTime', 'onPremisesLastSyncDateTime', 'signInSessionsValidFromDateTime',
      'signInActivity/lastSignInDateTime', 'signInActivity/lastNonInteractiveSignInDateTime',
      'signInActivity/lastSuccessfulSignInDateTime',
    ],
    complex: ['identities[]', 'signInActivity'],
  }, assignedLicenses),
};

export const group: Catalogue = {
  type: 'group',
  entitySet: 'groups',
  properties: props({
    string: [
      'id', 'displayName', 'description', 'mail', 'mailNickname', 'classification', 'membershipRule', 'theme',
      'preferredLanguage', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier', 'onPremisesDomainName',
      'securityIdentifier', 'groupTypes[]', 'proxyAddresses[]', 'resourceProvisioningOptions[]', 'resourceBehaviorOptions[]',
    ],
    boolean: ['mailEnabled', 'securityEnabled', 'isAssignableToRole', 'onPremisesSyncEnabled'],
    dateTime: ['createdDateTime', 'deletedDateTime', 'expirationDateTime', 'renewedDateTime', 'onPremisesLastSyncDateTime'],
  }, {
    ...assignedLicenses,
    visibility: { type: 'string' },
    membershipRuleProcessingState: enumOf('On', 'Paused'),
  }),
};

export const application: Catalogue = {
  type: 'application',
  entitySet: 'applications',
  properties: props({
    string: [
      'id', 'appId', 'displayName', 'description', 'signInAudience', 'publisherDomain', 'notes', 'groupMembershipClaims',
      'serviceManagementReference', 'uniqueName', 'identifierUris[]', 'tags[]',
      'web/homePageUrl', 'web/logoutUrl', 'requiredResourceAccess/resourceAppId',
    ],
    boolean: ['isFallbackPublicClient', 'isDeviceOnlyAuthSupported'],
    dateTime: ['createdDateTime', 'deletedDateTime'],
    guid: ['tokenEncryptionKeyId'],
    complex: ['web', 'requiredResourceAccess[]'],
  }, { ...keyCredentials, disabledByMicrosoftStatus: { type: 'string' } }),
};

export const servicePrincipal: Catalogue = {
  type: 'servicePrincipal',
  entitySet: 'servicePrincipals',
  properties: props({
    string: [
      'id', 'appId', 'displayName', 'appDisplayName', 'appDescription', 'servicePrincipalType', 'signInAudience',
      'description', 'notes', 'homepage', 'loginUrl', 'logoutUrl', 'preferredSingleSignOnMode',
      'preferredTokenSigningKeyThumbprint', 'disabledByMicrosoftStatus',
      'servicePrincipalNames[]', 'tags[]', 'replyUrls[]', 'alternativeNames[]', 'notificationEmailAddresses[]',
    ],
    boolean: ['accountEnabled', 'appRoleAssignmentRequired'],
    dateTime: ['createdDateTime', 'deletedDateTime'],
    guid: ['appOwnerOrganizationId', 'tokenEncryptionKeyId'],
  }, keyCredentials),
};

export const device: Catalogue = {
  type: 'device',
  entitySet: 'devices',
  properties: props({
    string: [
      'id', 'deviceId', 'displayName', 'operatingSystem', 'operatingSystemVersion', 'trustType', 'profileType',
      'mdmAppId', 'manufacturer', 'model', 'deviceOwnership', 'enrollmentProfileName', 'enrollmentType',
      'managementType', 'onPremisesSecurityIdentifier', 'deviceCategory', 'deviceVersion' ,
      'systemLabels[]', 'physicalIds[]',
      ...Array.from({ length: 15 }, (_, i) => `extensionAttributes/extensionAttribute${i + 1}`),
    ],
    boolean: ['accountEnabled', 'isCompliant', 'isManaged', 'isRooted', 'isManagementRestricted', 'onPremisesSyncEnabled'],
    dateTime: [
      'registrationDateTime', 'approximateLastSignInDateTime', 'complianceExpirationDateTime',
      'onPremisesLastSyncDateTime', 'deletedDateTime',
    ],
    complex: ['extensionAttributes', 'alternativeSecurityIds[]'],
    int: ['alternativeSecurityIds/type'],
  }, { 'alternativeSecurityIds/identityProvider': { type: 'string' } }),
};

export const directoryRole: Catalogue = {
  type: 'directoryRole',
  entitySet: 'directoryRoles',
  properties: props({
    string: ['id', 'displayName', 'description', 'roleTemplateId'],
    dateTime: ['deletedDateTime'],
  }),
};

export const signIn: Catalogue = {
  type: 'signIn',
  entitySet: 'auditLogs/signIns',
  properties: props({
    string: [
      'id', 'correlationId', 'originalRequestId', 'uniqueTokenIdentifier', 'sessionId', 'clientSessionId',
      'userId', 'userPrincipalName', 'userDisplayName', 'userType', 'appId', 'appDisplayName', 'resourceId',
      'resourceDisplayName', 'resourceTenantId', 'homeTenantId', 'servicePrincipalId', 'servicePrincipalName',
      'clientAppUsed', 'ipAddress', 'ipAddressFromResourceProvider', 'globalSecureAccessIpAddress', 'tokenIssuerName',
      'authenticationRequirement', 'signInIdentifier', 'signInIdentifierType', 'federatedCredentialId',
      'servicePrincipalCredentialKeyId', 'servicePrincipalCredentialThumbprint',
      'signInEventTypes[]', 'riskEventTypes_v2[]', 'authenticationMethodsUsed[]', 'authenticationContextClassReferences[]',
      'conditionalAccessAudiences[]',
      'status/failureReason', 'status/additionalDetails',
      'deviceDetail/deviceId', 'deviceDetail/displayName', 'deviceDetail/operatingSystem', 'deviceDetail/browser',
      'deviceDetail/browserId', 'deviceDetail/trustType',
      'location/city', 'location/state', 'location/countryOrRegion',
      'appliedConditionalAccessPolicies/id', 'appliedConditionalAccessPolicies/displayName',
      'authenticationDetails/authenticationMethod', 'authenticationDetails/authenticationMethodDetail',
      'authenticationDetails/authenticationStepRequirement', 'authenticationDetails/authenticationStepResultDetail',
    ],
    boolean: [
      'isInteractive', 'flaggedForReview', 'isTenantRestricted', 'isThroughGlobalSecureAccess',
      'deviceDetail/isCompliant', 'deviceDetail/isManaged', 'authenticationDetails/succeeded',
    ],
    int: ['status/errorCode', 'autonomousSystemNumber', 'processingTimeInMilliseconds', 'tokenProtectionStatusDetails/signInSessionStatusCode'],
    double: ['location/geoCoordinates/latitude', 'location/geoCoordinates/longitude', 'location/geoCoordinates/altitude'],
    dateTime: ['createdDateTime', 'authenticationDetails/authenticationStepDateTime'],
    // Flags enums serialise as one comma-separated string, so their values are not checked member by member.
    enum: ['authenticationProtocol', 'crossTenantAccessType', 'riskDetail', 'riskEventTypes[]'],
    complex: [
      'status', 'deviceDetail', 'location', 'location/geoCoordinates', 'tokenProtectionStatusDetails',
      'appliedConditionalAccessPolicies[]', 'authenticationDetails[]', 'networkLocationDetails[]',
    ],
  }, {
    conditionalAccessStatus: enumOf('success', 'failure', 'notApplied', 'unknownFutureValue'),
    riskLevelAggregated: riskLevel,
    riskLevelDuringSignIn: riskLevel,
    riskState: enumOf('none', 'confirmedSafe', 'remediated', 'dismissed', 'atRisk', 'confirmedCompromised', 'unknownFutureValue'),
    incomingTokenType: enumOf('none', 'primaryRefreshToken', 'saml11', 'saml20', 'unknownFutureValue', 'remoteDesktopToken', 'refreshToken'),
    originalTransferMethod: enumOf('none', 'deviceCodeFlow', 'authenticationTransfer', 'unknownFutureValue'),
    clientCredentialType: enumOf('none', 'clientSecret', 'clientAssertion', 'federatedIdentityCredential', 'managedIdentity', 'certificate', 'unknownFutureValue'),
    tokenIssuerType: enumOf('AzureAD', 'ADFederationServices', 'UnknownFutureValue', 'AzureADBackupAuth', 'ADFederationServicesMFAAdapter', 'NPSExtension'),
    'tokenProtectionStatusDetails/signInSessionStatus': enumOf('none', 'bound', 'unbound', 'unknownFutureValue'),
    'appliedConditionalAccessPolicies/result': enumOf(
      'success', 'failure', 'notApplied', 'notEnabled', 'unknown', 'unknownFutureValue',
      'reportOnlySuccess', 'reportOnlyFailure', 'reportOnlyNotApplied', 'reportOnlyInterrupted',
    ),
    'networkLocationDetails/networkType': enumOf('intranet', 'extranet', 'namedNetwork', 'trusted', 'trustedNamedLocation', 'unknownFutureValue'),
  }),
};

export const directoryAudit: Catalogue = {
  type: 'directoryAudit',
  entitySet: 'auditLogs/directoryAudits',
  properties: props({
    string: [
      'id', 'category', 'correlationId', 'resultReason', 'activityDisplayName', 'loggedByService', 'operationType',
      'initiatedBy/user/id', 'initiatedBy/user/displayName', 'initiatedBy/user/userPrincipalName', 'initiatedBy/user/ipAddress',
      'initiatedBy/app/appId', 'initiatedBy/app/displayName', 'initiatedBy/app/servicePrincipalId',
      'initiatedBy/app/servicePrincipalName',
      'targetResources/id', 'targetResources/displayName', 'targetResources/type', 'targetResources/userPrincipalName',
      'targetResources/groupType',
      'additionalDetails/key', 'additionalDetails/value',
    ],
    dateTime: ['activityDateTime'],
    complex: ['initiatedBy', 'initiatedBy/user', 'initiatedBy/app', 'targetResources[]', 'additionalDetails[]'],
  }, { result: enumOf('success', 'failure', 'timeout', 'unknownFutureValue') }),
};

/** Every catalogue by Graph type name. */
export const catalogues = { user, group, application, servicePrincipal, device, directoryRole, signIn, directoryAudit } as const;
export type ResourceName = keyof typeof catalogues;
