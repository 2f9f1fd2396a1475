/**
 * OData property catalogues of the identity protection resources (graph-shapes.md §6), for the admin API's shared
 * OData layer (src/admin/odata): which properties exist, their EDM types, and the enum members.
 */
import type { Catalogue, PropertyDef, ScalarType } from '../../admin/odata/index.ts';
import { riskDetails, riskLevels, riskStates } from '../types.ts';

function props(spec: Partial<Record<ScalarType | 'complex', readonly string[]>>, enums: Record<string, readonly string[]> = {}): Record<string, PropertyDef> {
  const out: Record<string, PropertyDef> = {};
  for (const [type, names] of Object.entries(spec) as [ScalarType | 'complex', readonly string[]][]) {
    for (const n of names) out[n.replace(/\[\]$/, '')] = n.endsWith('[]') ? { type, collection: true } : { type };
  }
  for (const [name, members] of Object.entries(enums)) out[name] = { type: 'enum', members: [...members, 'unknownFutureValue'] };
  return out;
}

const riskEnums = { riskLevel: riskLevels, riskState: riskStates, riskDetail: riskDetails };
const detectionEnums = {
  ...riskEnums,
  detectionTimingType: ['notDefined', 'realtime', 'nearRealtime', 'offline'],
  tokenIssuerType: ['AzureAD', 'ADFederationServices'],
};
const location = {
  string: ['location/city', 'location/state', 'location/countryOrRegion'],
  double: ['location/geoCoordinates/latitude', 'location/geoCoordinates/longitude', 'location/geoCoordinates/altitude'],
  complex: ['location', 'location/geoCoordinates'],
};

export const riskDetection: Catalogue = {
  type: 'riskDetection',
  entitySet: 'identityProtection/riskDetections',
  properties: props({
    string: ['id', 'requestId', 'correlationId', 'riskEventType', 'riskType', 'source', 'ipAddress', 'userId', 'userDisplayName', 'userPrincipalName', 'additionalInfo', ...location.string],
    double: location.double,
    dateTime: ['activityDateTime', 'detectedDateTime', 'lastUpdatedDateTime'],
    complex: location.complex,
  }, { ...detectionEnums, activity: ['signin', 'user'] }),
};

export const servicePrincipalRiskDetection: Catalogue = {
  type: 'servicePrincipalRiskDetection',
  entitySet: 'identityProtection/servicePrincipalRiskDetections',
  properties: props({
    string: ['id', 'requestId', 'correlationId', 'riskEventType', 'source', 'ipAddress', 'servicePrincipalId', 'servicePrincipalDisplayName', 'appId', 'additionalInfo', 'keyIds[]', ...location.string],
    double: location.double,
    dateTime: ['activityDateTime', 'detectedDateTime', 'lastUpdatedDateTime'],
    complex: location.complex,
  }, { ...detectionEnums, activity: ['signin', 'user', 'servicePrincipal'] }),
};

export const riskyUser: Catalogue = {
  type: 'riskyUser',
  entitySet: 'identityProtection/riskyUsers',
  properties: props({
    string: ['id', 'userDisplayName', 'userPrincipalName'],
    boolean: ['isDeleted', 'isProcessing'],
    dateTime: ['riskLastUpdatedDateTime'],
  }, riskEnums),
};

export const riskyServicePrincipal: Catalogue = {
  type: 'riskyServicePrincipal',
  entitySet: 'identityProtection/riskyServicePrincipals',
  properties: props({
    string: ['id', 'appId', 'displayName', 'servicePrincipalType'],
    boolean: ['accountEnabled', 'isEnabled', 'isProcessing'],
    dateTime: ['riskLastUpdatedDateTime'],
  }, riskEnums),
};
