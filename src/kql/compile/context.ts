// Compilation state: the CTE list being built, the let-bound names in scope, and the query clock.
import { KqlError, positionAt } from '../errors.ts';
import type { KqlErrorCode } from '../errors.ts';
import { kindOf, nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';

export type KType = 'string' | 'long' | 'int' | 'real' | 'decimal' | 'bool' | 'datetime' | 'timespan' | 'dynamic' | 'guid';
export interface Col { name: string; type: KType }
/** A relation: a CTE name and its Kusto columns. `order` is an ORDER BY to re-apply at the end. */
export interface Rel {
  from: string;
  cols: Col[];
  /** ORDER BY of the last sort, re-applied downstream while its columns survive (`orderCols`). */
  order?: string;
  orderCols?: string[];
  /**
   * Dynamic columns whose constant property paths were read from the JSON text once, into a hidden
   * list column (`json_extract(col, [paths])`): every JSON function re-parses its input, so
   * `x.a`, `x.b` and `x.c` would otherwise parse the same text three times (see json-paths.ts).
   */
  jsonPaths?: Map<string, JsonPaths>;
}

/** A hidden column holding the values of `paths` (SQL path literals): a STRUCT with `fields`, else a list. */
export interface JsonPaths {
  col: string; paths: string[]; fields?: string[];
  /** The column itself holds no value: only these paths may be read (mv.ts, readOnlyThroughPaths). */
  structOnly?: boolean;
}

export type Binding =
  | { kind: 'scalar'; sql: string; type: KType }
  | { kind: 'tabular'; rel: Rel }
  | { kind: 'function'; decl: KNode };

/** Where a scalar expression reads columns from. */
export interface Env {
  ctx: Ctx;
  col(name: string): string | undefined;
  /** The Kusto type of a column in scope, where known (column_ifexists needs it). */
  colType?(name: string): KType | undefined;
  /** A constant path of a dynamic column already extracted into a hidden list (Rel.jsonPaths). */
  jsonPath?(name: string, path: string): string | undefined;
}

export class Ctx {
  private readonly ctes: string[] = [];
  private n = 0;
  private readonly scopes: Map<string, Binding>[] = [new Map()];
  /**
   * Set while compiling an mv-apply subquery: every row carries its source row's id (`__rid`) and a
   * marker (`__present`), and operators work per source row. `base` holds one row per id.
   */
  partition: { base: string } | undefined;
  /** Keys found in the data for each `evaluate bag_unpack` (by its offset), see bag-unpack.ts. */
  readonly bagKeys = new Map<number, string[]>();
  /** Rows read for each externaldata (by its offset), as text cells; see externaldata.ts. */
  readonly externalRows = new Map<number, (string | null)[][]>();
  constructor(
    readonly text: string,
    readonly now: Date,
    /** Lower bound on TimeGenerated from the request's `timespan`, applied at every table scan. */
    readonly since: Date | undefined,
    /** Upper bound on TimeGenerated from an interval `timespan`. */
    readonly until?: Date,
  ) {}

  /** Constant property paths the query reads from each column name (json-paths.ts). */
  readonly pathsRead = new Map<string, { paths: string[]; reads: number }>();

  add(sql: string, cols: Col[], materialized = false): Rel {
    const name = `_t${this.n++}`;
    this.ctes.push(`${q(name)} AS ${materialized ? 'MATERIALIZED ' : ''}(${sql})`);
    return { from: q(name), cols };
  }

  withClause(): string {
    return this.ctes.length ? `WITH ${this.ctes.join(',\n')}\n` : '';
  }

  push(): void { this.scopes.push(new Map()); }
  pop(): void { this.scopes.pop(); }
  bind(name: string, b: Binding): void { this.scopes[this.scopes.length - 1]!.set(name, b); }
  lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i]!.get(name);
      if (b) return b;
    }
    return undefined;
  }

  fail(code: KqlErrorCode, message: string, node: KNode | undefined): never {
    const pos = node ? positionAt(this.text, node.TextStart as number) : undefined;
    throw new KqlError(code, message, pos);
  }

  unsupported(node: KNode, what?: string): never {
    const text = nodeText(node).slice(0, 40).split('\n')[0];
    this.fail('UnsupportedExpression', `${what ?? kindOf(node)} is not supported by Tessera's KQL engine: '${text}'`, node);
  }
}

export function q(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

export function envOf(ctx: Ctx, rel: Rel, alias?: string): Env {
  const types = new Map(rel.cols.map((c) => [c.name, c.type]));
  const a = alias ? `${alias}.` : '';
  return {
    ctx,
    col: (n) => {
      if (!types.has(n)) return undefined;
      // Only a mistake in readOnlyThroughPaths could lead here; fail rather than read the null column.
      if (rel.jsonPaths?.get(n)?.structOnly) throw new KqlError('UnsupportedExpression', `internal: column ${n} was read only through its properties, but is used as a whole here`);
      return `${a}${q(n)}`;
    },
    colType: (n) => types.get(n),
    jsonPath: (n, path) => {
      const jp = rel.jsonPaths?.get(n);
      const i = jp ? jp.paths.indexOf(path) : -1;
      if (!jp || i < 0) return undefined;
      return jp.fields ? `struct_extract(${a}${q(jp.col)}, ${sqlString(jp.fields[i]!)})` : `${a}${q(jp.col)}[${i + 1}]`;
    },
  };
}

/** Children of a SyntaxList of SeparatedElements (or plain list), skipping separators. */
export function listItems(list: KNode): KNode[] {
  const out: KNode[] = [];
  if (!list) return out;
  for (let i = 0; i < list.ChildCount; i++) {
    const c = list.GetChild(i);
    if (!c) continue;
    if (kindOf(c) === 'SeparatedElement') {
      const e = c.Element ?? c.GetChild(0);
      if (e) out.push(e);
    } else out.push(c);
  }
  return out;
}

export function kustoType(node: KNode, ctx: Ctx): KType {
  const t = node?.ResultType;
  const name = String(t?.Name ?? '');
  switch (name) {
    case 'string': case 'long': case 'int': case 'real': case 'decimal': case 'bool':
    case 'datetime': case 'timespan': case 'dynamic': case 'guid':
      return name;
    case 'bool?': return 'bool';
    default:
      if (t?.Kind === 1 && name === 'unknown') return ctx.fail('SemanticError', 'expression has an unknown type', node);
      return ctx.fail('UnsupportedExpression', `values of type '${name}' are not supported`, node);
  }
}

/** Output columns as the Kusto binder computed them for a tabular node. */
export function resultCols(node: KNode, ctx: Ctx): Col[] {
  const t = node.ResultType;
  const cols = t?.Columns;
  if (!cols) return ctx.fail('SemanticError', 'expected a tabular expression', node);
  const out: Col[] = [];
  for (let i = 0; i < cols.Count; i++) {
    const c = cols.getItem(i);
    // A column of unknown type can only come from an unresolvable operand of `union isfuzzy=true`
    // (the binder reports every other case as an error); such operands are skipped at run time, as
    // Kusto does, so their columns do not exist.
    if (String(c.Type?.Name) === 'unknown') continue;
    out.push({ name: String(c.Name), type: kustoType({ ResultType: c.Type }, ctx) });
  }
  return out;
}

/** The hidden per-row columns to carry through a SELECT while an mv-apply subquery compiles. */
export function carry(ctx: Ctx, alias?: string): string {
  if (!ctx.partition) return '';
  const a = alias ? `${alias}.` : '';
  return `, ${a}"__rid", ${a}"__present"`;
}
