/**
 * OData query options for the Graph-shaped admin API: parse, evaluate in memory, compile to SQL, page.
 */
export type {
  Catalogue, CompareOp, FilterExpr, Limits, LiteralValue, OrderByItem, PropertyDef, PropertyType, ScalarType,
  StringFunction, Target,
} from './types.ts';
export { defaultLimits } from './types.ts';
export { parseFilter } from './filter-parser.ts';
export { conjoin, referencedPaths } from './filter-tools.ts';
export { parseQueryOptions, MAX_TOP, MIN_TOP, type ParseQueryOptionsConfig, type QueryOptions } from './query-options.ts';
export { applySelect, compareRows, foldCase, getPath, matches, sortBy, type Row } from './evaluate.ts';
export { catalogues, type ResourceName } from './catalogues.ts';
export {
  compileFilter, compileOrderBy, installSqliteFunctions,
  type CollectionColumn, type ColumnMap, type CompiledSql, type Dialect, type Encoding, type ScalarColumn,
} from './sql.ts';
export {
  collectionResponse, createSkipTokenCodec, nextLink, pageWindow, paginate, queryFingerprint, serviceRoot, takePage,
  type CollectionResponse, type PageWindow, type SkipTokenCodec,
} from './paging.ts';
