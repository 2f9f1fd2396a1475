/**
 * Shared vocabulary of the OData layer: property types, resource catalogues and the bound
 * `$filter` tree that the evaluator and the SQL compiler both consume.
 */

/** Scalar EDM types Tessera exposes. `complex` marks a structured property whose leaves are listed separately. */
export type ScalarType = 'string' | 'boolean' | 'int' | 'double' | 'dateTime' | 'guid' | 'enum';
export type PropertyType = ScalarType | 'complex';

export interface PropertyDef {
  readonly type: PropertyType;
  /** A collection (`string[]`, `assignedLicense[]`); only reachable in `$filter` through `any`/`all`. */
  readonly collection?: boolean;
  /** Allowed members of an enum, in declaration order. */
  readonly members?: readonly string[];
  /** Defaults to true for scalars and scalar collections. */
  readonly filterable?: boolean;
  /** Defaults to true for single-valued scalars. */
  readonly sortable?: boolean;
  /** Defaults to true for top-level properties. */
  readonly selectable?: boolean;
}

/**
 * The properties of one Graph resource. Keys are property paths: `displayName`, `status/errorCode`;
 * elements of a complex collection are keyed under the collection: `assignedLicenses/skuId`.
 */
export interface Catalogue {
  /** Graph type name as it appears in errors: `user` → `microsoft.graph.user`. */
  readonly type: string;
  /** Entity set used in `@odata.context`: `users`, `auditLogs/signIns`. */
  readonly entitySet: string;
  readonly properties: Readonly<Record<string, PropertyDef>>;
}

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type StringFunction = 'startswith' | 'endswith' | 'contains';

/**
 * A literal already converted to the type of the property it is compared with.
 * dateTime values are ISO-8601 UTC strings with milliseconds (`Date#toISOString`); guids are lower-case.
 */
export type LiteralValue = string | number | boolean | null;

/** What a comparison reads: a property of the row, or (inside a lambda) the current element or one of its fields. */
export interface Target {
  /** `property`: a path from the row; `element`: the lambda variable (field undefined) or `var/field`. */
  readonly kind: 'property' | 'element';
  /** Catalogue key: `displayName`, `status/errorCode`, `signInEventTypes`, `assignedLicenses/skuId`. */
  readonly path: string;
  /** For `element`: the part after the collection (`skuId`), undefined for a primitive element. */
  readonly field?: string;
  readonly type: ScalarType;
}

export type FilterExpr =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly kind: 'not'; readonly operand: FilterExpr }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly target: Target; readonly value: LiteralValue }
  | { readonly kind: 'in'; readonly target: Target; readonly values: readonly LiteralValue[] }
  | { readonly kind: 'function'; readonly name: StringFunction; readonly target: Target; readonly value: string }
  | {
      readonly kind: 'lambda';
      readonly op: 'any' | 'all';
      /** Catalogue key of the collection. */
      readonly collection: string;
      /** null for `coll/any()` (non-empty test). */
      readonly predicate: FilterExpr | null;
    };

export interface OrderByItem {
  readonly path: string;
  readonly type: ScalarType;
  readonly direction: 'asc' | 'desc';
}

export interface Limits {
  /** Longest `$filter` accepted, in characters. */
  readonly maxFilterLength: number;
  /** Deepest nesting of parentheses / boolean operators. */
  readonly maxDepth: number;
  /** Most comparison/function/lambda nodes in one filter. */
  readonly maxNodes: number;
  /** Most values in one `in (…)` list. */
  readonly maxInValues: number;
}

export const defaultLimits: Limits = { maxFilterLength: 4096, maxDepth: 32, maxNodes: 256, maxInValues: 256 };

/** Text-like types compare case-insensitively, as Entra ID does for directory string properties. */
export function isTextual(t: ScalarType): boolean {
  return t === 'string' || t === 'guid' || t === 'enum';
}

export function edmName(t: PropertyType): string {
  switch (t) {
    case 'string': return 'Edm.String';
    case 'boolean': return 'Edm.Boolean';
    case 'int': return 'Edm.Int32';
    case 'double': return 'Edm.Double';
    case 'dateTime': return 'Edm.DateTimeOffset';
    case 'guid': return 'Edm.Guid';
    case 'enum': return 'Edm.Enum';
    case 'complex': return 'Edm.ComplexType';
  }
}
