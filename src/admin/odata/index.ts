/**
 * OData query options for the Graph-shaped admin API: parse, evaluate in memory, compile to SQL, page.
 */
export type {
  Catalogue, CompareOp, FilterExpr, Limits, LiteralValue, OrderByItem, PropertyDef, PropertyType, ScalarType,
  StringFunction, Target,
} from './types.ts';
export { defaultLimits } from './types.ts';
export { parseFilter } from './filter-parser.ts';
export { parseQueryOptions, MAX_TOP, MIN_TOP, type ParseQueryOptionsConfig, type QueryOptions } from './query-options.ts';
export { applySelect, compareRows, foldCase, getPath, matches, sortBy, type Row } from './evaluate.ts';
export { catalogues, type ResourceName } from './catalogues.ts';
