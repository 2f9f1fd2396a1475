/**
 * The device properties a filter may test and the operators each allows (graph-shapes §5 table,
 * from [E5]). Property names are case-sensitive; operators are not.
 */

export type Operator =
  | 'eq' | 'ne' | 'startsWith' | 'notStartsWith' | 'endsWith' | 'notEndsWith'
  | 'contains' | 'notContains' | 'in' | 'notIn';

export const operators: readonly Operator[] = ['eq', 'ne', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'contains', 'notContains', 'in', 'notIn'];

/** [E5]: on an unregistered device every attribute is null; negative operators then evaluate true. */
export const negativeOperators: ReadonlySet<Operator> = new Set(['ne', 'notStartsWith', 'notEndsWith', 'notContains', 'notIn']);

export type PropertyKind = 'string' | 'boolean' | 'collection';

const stringOps: Operator[] = ['eq', 'ne', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'contains', 'notContains', 'in', 'notIn'];

export interface PropertySpec { kind: PropertyKind; ops: readonly Operator[] }

const spec: Record<string, PropertySpec> = {
  deviceId: { kind: 'string', ops: ['eq', 'ne', 'in', 'notIn'] },
  displayName: { kind: 'string', ops: stringOps },
  manufacturer: { kind: 'string', ops: stringOps },
  model: { kind: 'string', ops: stringOps },
  operatingSystem: { kind: 'string', ops: stringOps },
  operatingSystemVersion: { kind: 'string', ops: stringOps },
  enrollmentProfileName: { kind: 'string', ops: stringOps },
  deviceOwnership: { kind: 'string', ops: ['eq', 'ne'] },
  isCompliant: { kind: 'boolean', ops: ['eq', 'ne'] },
  mdmAppId: { kind: 'string', ops: ['eq', 'ne', 'in', 'notIn'] },
  // [E5] lists contains/notContains; Microsoft's own token-protection guidance writes
  // `systemLabels -eq "CloudPC"` (seed 003), so eq/ne are accepted as "some element equals".
  physicalIds: { kind: 'collection', ops: ['contains', 'notContains', 'eq', 'ne'] },
  systemLabels: { kind: 'collection', ops: ['contains', 'notContains', 'eq', 'ne'] },
  profileType: { kind: 'string', ops: ['eq', 'ne'] },
  trustType: { kind: 'string', ops: ['eq', 'ne'] },
};
for (let n = 1; n <= 15; n++) spec[`extensionAttribute${n}`] = { kind: 'string', ops: stringOps };

export const deviceProperties: Readonly<Record<string, PropertySpec>> = spec;
