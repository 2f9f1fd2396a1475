/**
 * Compiles a bound `$filter` / `$orderby` to SQL for SQLite, PostgreSQL and DuckDB, with the same
 * semantics as `evaluate.ts` (the property test in sql.property.test.ts holds the two together):
 * - every comparison is made two-valued (`x IS NOT NULL AND x = ?`, `x IS NULL OR x <> ?`) so `not`
 *   behaves as OData's rather than SQL's three-valued logic;
 * - textual values compare as `lower(…)`, in PostgreSQL under `COLLATE "C"` (code-point order);
 * - values are always bound parameters; only caller-provided column expressions reach the SQL text.
 */
import { UnsupportedQuery } from '../../errors/graph.ts';
import type { FilterExpr, LiteralValue, OrderByItem, ScalarType, Target } from './types.ts';
import { isTextual } from './types.ts';

export type Dialect = 'sqlite' | 'postgres' | 'duckdb';

/**
 * How a value is stored, where that differs between engines or layouts:
 * - booleans: `native` (BOOLEAN) or `int01` (INTEGER 0/1; always the case in SQLite);
 * - instants: `iso` (ISO-8601 text), `epochMs` (epoch milliseconds), `timestamp` (naive UTC TIMESTAMP)
 *   or `timestamptz`.
 * Defaults: SQLite `int01` / `iso`; PostgreSQL `native` / `timestamptz`; DuckDB `native` / `timestamp`
 * (the logs store keeps UTC datetimes as TIMESTAMP).
 */
export type Encoding = 'native' | 'int01' | 'iso' | 'epochMs' | 'timestamp' | 'timestamptz';

/** A scalar property: an SQL expression over the row (a column, `json_extract(...)`, `status.errorCode`). */
export interface ScalarColumn {
  readonly sql: string;
  /** Checked against the property's type when given, to catch column-map mistakes early. */
  readonly type?: ScalarType;
  readonly encoding?: Encoding;
}

/**
 * A collection property, for `any`/`all`. `from` is a FROM item yielding one row per element,
 * correlated with the outer row: SQLite `json_each(u.proxy_addresses) AS e`, PostgreSQL
 * `jsonb_array_elements_text(u.proxy_addresses) AS e(value)`, DuckDB `unnest(s.event_types) AS e(value)`.
 */
export interface CollectionColumn {
  readonly collection: {
    readonly from: string;
    /** Expression for a primitive element (`e.value`). */
    readonly element?: string | ScalarColumn;
    /** Expressions for fields of complex elements, by field path: `{ skuId: "json_extract(e.value, '$.skuId')" }`. */
    readonly fields?: Readonly<Record<string, string | ScalarColumn>>;
  };
}

export type ColumnMap = Readonly<Record<string, ScalarColumn | CollectionColumn>>;

export interface CompiledSql {
  readonly sql: string;
  readonly params: unknown[];
}

function unsupported(path: string): never {
  throw new UnsupportedQuery(`Unsupported or invalid query filter clause specified for property '${path}'.`);
}

class Compiler {
  readonly params: unknown[] = [];
  private lambda: CollectionColumn['collection'] | undefined;

  constructor(
    private readonly columns: ColumnMap,
    private readonly dialect: Dialect,
    private readonly paramOffset = 0,
  ) {}

  encodingOf(type: ScalarType, given: Encoding | undefined): Encoding {
    const d = this.dialect;
    if (type === 'boolean') return d === 'sqlite' ? 'int01' : (given ?? 'native');
    if (type !== 'dateTime') return 'native';
    if (d === 'sqlite') return given === 'epochMs' ? 'epochMs' : 'iso';
    return given ?? (d === 'postgres' ? 'timestamptz' : 'timestamp');
  }

  /** Adds a parameter, converted to the column's encoding and cast so the engine knows its type; returns the placeholder. */
  private param(value: Exclude<LiteralValue, null>, type: ScalarType, enc: Encoding): string {
    const d = this.dialect;
    let bound: unknown = value;
    if (type === 'boolean' && enc === 'int01') bound = value ? 1 : 0;
    if (type === 'dateTime' && enc === 'epochMs') bound = Date.parse(String(value));
    if (type === 'dateTime' && enc === 'timestamp') bound = String(value).replace('T', ' ').replace('Z', '');
    this.params.push(bound);
    const ph = d === 'postgres' ? `$${this.paramOffset + this.params.length}` : '?';
    const cast = (sqlType: string, duckType = sqlType) => (d === 'sqlite' ? ph : `CAST(${ph} AS ${d === 'postgres' ? sqlType : duckType})`);
    if (isTextual(type)) return d === 'sqlite' ? `lower(${ph})` : `lower(${cast('text', 'VARCHAR')})`;
    switch (type) {
      case 'boolean': return enc === 'int01' ? cast('integer', 'INTEGER') : cast('boolean', 'BOOLEAN');
      case 'int':
      case 'double': return cast('numeric', 'DOUBLE');
      case 'dateTime':
        if (enc === 'epochMs') return cast('bigint', 'BIGINT');
        if (enc === 'timestamp') return cast('timestamp', 'TIMESTAMP');
        return d === 'sqlite' ? ph : cast('timestamptz', 'TIMESTAMPTZ');
      default: return ph;
    }
  }

  /** The raw SQL expression a target reads, and how its value is encoded. */
  private column(target: Target): { sql: string; enc: Encoding } {
    let col: string | ScalarColumn | CollectionColumn | undefined;
    if (target.kind === 'element') {
      const coll = this.lambda;
      col = coll && (target.field === undefined ? coll.element : coll.fields?.[target.field]);
    } else {
      col = this.columns[target.path];
    }
    if (col === undefined || (typeof col !== 'string' && !('sql' in col))) return unsupported(target.path);
    const spec: ScalarColumn = typeof col === 'string' ? { sql: col } : col;
    if (spec.type !== undefined && spec.type !== target.type) {
      throw new Error(`column map: '${target.path}' is declared ${spec.type} but the catalogue says ${target.type}`);
    }
    return { sql: spec.sql, enc: this.encodingOf(target.type, spec.encoding) };
  }

  /** The comparable form of a value: folded text, instants from ISO text. */
  normalized(expr: string, type: ScalarType, enc: Encoding): string {
    if (isTextual(type)) return this.dialect === 'postgres' ? `(lower(${expr}) COLLATE "C")` : `lower(${expr})`;
    if (type === 'dateTime' && enc === 'iso') {
      return this.dialect === 'sqlite' ? `strftime('%Y-%m-%dT%H:%M:%fZ', ${expr})` : `CAST(${expr} AS TIMESTAMPTZ)`;
    }
    return expr;
  }

  private read(target: Target): { x: string; enc: Encoding } {
    const { sql, enc } = this.column(target);
    return { x: this.normalized(sql, target.type, enc), enc };
  }

  compile(e: FilterExpr): string {
    switch (e.kind) {
      case 'and': return `(${this.compile(e.left)} AND ${this.compile(e.right)})`;
      case 'or': return `(${this.compile(e.left)} OR ${this.compile(e.right)})`;
      case 'not': return `(NOT ${this.compile(e.operand)})`;
      case 'compare': {
        const { x, enc } = this.read(e.target);
        if (e.value === null) return e.op === 'eq' ? `(${x} IS NULL)` : `(${x} IS NOT NULL)`;
        const p = this.param(e.value, e.target.type, enc);
        if (e.op === 'ne') return `(${x} IS NULL OR ${x} <> ${p})`;
        const sqlOp = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' }[e.op];
        return `(${x} IS NOT NULL AND ${x} ${sqlOp} ${p})`;
      }
      case 'in': {
        const { x, enc } = this.read(e.target);
        const nonNull = e.values.filter((v): v is Exclude<LiteralValue, null> => v !== null);
        const parts: string[] = [];
        if (nonNull.length > 0) {
          parts.push(`(${x} IS NOT NULL AND ${x} IN (${nonNull.map((v) => this.param(v, e.target.type, enc)).join(', ')}))`);
        }
        if (nonNull.length < e.values.length) parts.push(`(${x} IS NULL)`);
        return `(${parts.join(' OR ')})`;
      }
      case 'function': {
        const { x } = this.read(e.target);
        const escaped = e.value.replace(/[\\%_]/g, (c) => `\\${c}`);
        const pattern = e.name === 'startswith' ? `${escaped}%` : e.name === 'endswith' ? `%${escaped}` : `%${escaped}%`;
        return `(${x} IS NOT NULL AND ${x} LIKE ${this.param(pattern, 'string', 'native')} ESCAPE '\\')`;
      }
      case 'lambda': {
        const col = this.columns[e.collection];
        if (col === undefined || !('collection' in col)) return unsupported(e.collection);
        this.lambda = col.collection;
        try {
          const from = col.collection.from;
          if (e.predicate === null) return `(EXISTS (SELECT 1 FROM ${from}))`;
          const pred = this.compile(e.predicate);
          return e.op === 'any'
            ? `(EXISTS (SELECT 1 FROM ${from} WHERE ${pred}))`
            : `(NOT EXISTS (SELECT 1 FROM ${from} WHERE NOT ${pred}))`;
        } finally {
          this.lambda = undefined;
        }
      }
    }
  }
}

/**
 * Compiles a filter to a boolean SQL expression (for a WHERE clause) and its parameters
 * (`?` placeholders for SQLite/DuckDB, `$1…` for PostgreSQL).
 * @throws `Request_UnsupportedQuery` when the filter reads a property or collection the map lacks
 * @example
 * const { sql, params } = compileFilter(q.filter, { displayName: { sql: 'u.display_name' } }, 'sqlite');
 * db.prepare(`SELECT * FROM users u WHERE ${sql}`).all(...params);
 */
export function compileFilter(
  filter: FilterExpr,
  columns: ColumnMap,
  dialect: Dialect,
  options: { /** PostgreSQL: parameters the caller binds before these; the first placeholder is `$(paramOffset+1)`. */ paramOffset?: number } = {},
): CompiledSql {
  const c = new Compiler(columns, dialect, options.paramOffset ?? 0);
  const sql = c.compile(filter);
  return { sql, params: c.params };
}

/**
 * Compiles `$orderby` to an ORDER BY list (without the keywords), in the order `compareRows` uses:
 * nulls first ascending, last descending, textual values case-folded, ties broken by `tiebreak`
 * (the id column, compared by code point).
 * @example `SELECT … ORDER BY ${compileOrderBy(q.orderby ?? [], columns, 'postgres', 'u.id')}`
 */
export function compileOrderBy(orderby: readonly OrderByItem[], columns: ColumnMap, dialect: Dialect, tiebreak: string): string {
  const c = new Compiler(columns, dialect);
  const parts = orderby.map((o) => {
    const col = columns[o.path];
    if (col === undefined || !('sql' in col)) return unsupported(o.path);
    const dir = o.direction === 'asc' ? 'ASC NULLS FIRST' : 'DESC NULLS LAST';
    return `${c.normalized(col.sql, o.type, c.encodingOf(o.type, col.encoding))} ${dir}`;
  });
  parts.push(`${dialect === 'postgres' ? `${tiebreak} COLLATE "C"` : tiebreak} ASC`);
  return parts.join(', ');
}

/**
 * Makes SQLite's `lower()` fold the whole of Unicode like `String#toLowerCase` (built-in SQLite folds
 * ASCII only), so SQLite filters agree with the in-memory evaluator on non-ASCII text. Call once per
 * connection; without it non-ASCII comparisons are case-sensitive.
 */
export function installSqliteFunctions(db: {
  function(name: string, options: { deterministic: boolean }, fn: (s: unknown) => unknown): unknown;
}): void {
  db.function('lower', { deterministic: true }, (s) => (s === null || s === undefined ? null : String(s).toLowerCase()));
}
