// externaldata(col:type, …)[url, …] with (format=…, ignoreFirstRecord=…)
// (https://learn.microsoft.com/kusto/query/externaldata-operator). Compilation is synchronous and
// fetching is not, so compileKql first collects every externaldata of the query and stops with
// NeedExternalData; runKql reads the files (src/kql/externaldata/) on the calling thread — never on
// the analytics worker — and compiles again with the rows supplied. The rows enter the SQL as one
// JSON literal read with from_json, which needs no per-value escaping beyond the JSON encoding.
import { positionAt } from '../errors.ts';
import type { KqlPosition } from '../errors.ts';
import { externalFormats, formatFromUrl } from '../externaldata/formats.ts';
import type { Cell, ExternalFormat } from '../externaldata/formats.ts';
import { kindOf, nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { listItems, q, resultCols, sqlString } from './context.ts';
import type { Col, Ctx, Rel } from './context.ts';
import { sqlTypeOf } from './values.ts';

export interface ExternalDataSpec {
  /** The operator's offset in the query: the key its rows are supplied under. */
  id: number;
  position: KqlPosition;
  urls: { url: string; position: KqlPosition }[];
  /** Declared with `format=`; otherwise inferred from each URL's extension (csv by default). */
  format: ExternalFormat | undefined;
  ignoreFirstRecord: boolean;
  cols: Col[];
}

export class NeedExternalData extends Error {
  override readonly name = 'NeedExternalData';
  constructor(readonly specs: ExternalDataSpec[]) {
    super('externaldata needs its files read');
  }
}

/** Every externaldata of the query whose rows `ctx` does not have yet. */
export function missingExternalData(root: KNode, ctx: Ctx): ExternalDataSpec[] {
  const out: ExternalDataSpec[] = [];
  const walk = (n: KNode): void => {
    if (!n || n.IsToken) return;
    if (kindOf(n) === 'ExternalDataExpression') {
      if (!ctx.externalRows.has(n.TextStart as number)) out.push(externalDataSpec(n, ctx));
      return;
    }
    for (let i = 0; i < n.ChildCount; i++) walk(n.GetChild(i));
  };
  walk(root);
  return out;
}

export function externalDataSpec(node: KNode, ctx: Ctx): ExternalDataSpec {
  if (node.Parameters?.ChildCount) return ctx.fail('UnsupportedOperator', `externaldata parameters are not supported: '${nodeText(node.Parameters).slice(0, 40)}'`, node.Parameters);
  const cols = resultCols(node, ctx);
  if (!cols.length) return ctx.fail('SemanticError', 'externaldata needs at least one column', node);
  const urls = listItems(node.URIs).map((u: KNode) => {
    if (!u.IsConstant || typeof u.ConstantValue !== 'string') return ctx.fail('InvalidArgument', 'an externaldata URL must be a string literal', u);
    return { url: u.ConstantValue, position: positionAt(ctx.text, u.TextStart as number) };
  });
  if (!urls.length) return ctx.fail('SemanticError', 'externaldata needs at least one URL', node);
  let format: ExternalFormat | undefined;
  let ignoreFirstRecord = false;
  for (const p of listItems(node.WithClause?.Properties)) {
    const name = String(p.Name?.SimpleName ?? '').toLowerCase();
    const value = nodeText(p.Expression).trim().replace(/^@?(['"])(.*)\1$/s, '$2');
    if (name === 'format') {
      const f = value.toLowerCase();
      if (!(externalFormats as readonly string[]).includes(f)) {
        return ctx.fail('UnsupportedOperator', `externaldata format '${value}' is not supported (supported: ${externalFormats.join(', ')})`, p);
      }
      format = f as ExternalFormat;
    } else if (name === 'ignorefirstrecord') {
      if (!/^(true|false)$/i.test(value)) return ctx.fail('InvalidArgument', `ignoreFirstRecord must be true or false, not '${value}'`, p);
      ignoreFirstRecord = /^true$/i.test(value);
    } else {
      return ctx.fail('UnsupportedOperator', `the externaldata property '${String(p.Name?.SimpleName)}' is not supported (supported: format, ignoreFirstRecord)`, p);
    }
  }
  return { id: node.TextStart as number, position: positionAt(ctx.text, node.TextStart as number), urls, format, ignoreFirstRecord, cols };
}

/** The format one URL of `spec` is read in. */
export function formatOf(spec: ExternalDataSpec, url: string): ExternalFormat {
  return spec.format ?? formatFromUrl(url);
}

export function compileExternalData(node: KNode, ctx: Ctx): Rel {
  const rows = ctx.externalRows.get(node.TextStart as number);
  if (!rows) throw new NeedExternalData([externalDataSpec(node, ctx)]);
  const cols = resultCols(node, ctx);
  if (!rows.length) return ctx.add(`SELECT ${cols.map((c) => `CAST(NULL AS ${sqlTypeOf(c.type)}) AS ${q(c.name)}`).join(', ')} WHERE false`, cols);
  const select = cols.map((c, i) => `${cellSql(`r[${i + 1}]`, c)} AS ${q(c.name)}`);
  // Materialised: the literal is parsed once however often the query reads the relation.
  return ctx.add(`SELECT ${select.join(', ')} FROM (SELECT unnest(from_json(${jsonLiteral(rows)}, '[["VARCHAR"]]')) AS r)`, cols, true);
}

/** A cell (text or null, see externaldata/formats.ts) as its column's DuckDB type. */
function cellSql(cell: string, c: Col): string {
  switch (c.type) {
    case 'string': return `COALESCE(${cell}, '')`;
    case 'guid': return cell;
    case 'timespan': return `to_microseconds(CAST(${cell} AS BIGINT))`;
    default: return `CAST(${cell} AS ${sqlTypeOf(c.type)})`;
  }
}

/**
 * The rows as a SQL string literal holding JSON. Everything outside printable ASCII is written as
 * a JSON \u escape (JSON.stringify already escapes control characters and lone surrogates), so the
 * SQL text carries no NUL, newline or multi-byte character; a quote is doubled, as SQL requires.
 */
export function jsonLiteral(rows: Cell[][]): string {
  const json = JSON.stringify(rows).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return sqlString(json);
}
