// Tabular expressions: sources (tables, let-bound names, datatable, externaldata, print, union, table(),
// materialize()) and the pipe. Each operator adds one CTE; DuckDB inlines and optimises them.
import { columnsOf, isLogTableName } from '../../logs/schema.ts';
import type { LogTableName } from '../../logs/tables.generated.ts';
import { kindOf } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { envOf, kustoType, listItems, q, resultCols } from './context.ts';
import type { Col, Ctx, KType, Rel } from './context.ts';
import { compileExternalData } from './externaldata.ts';
import { applyOperator } from './operators.ts';
import { scalar } from './scalar.ts';
import { compileUnion } from './union.ts';
import { tabularUserCall } from './user-functions.ts';
import { convert, sqlTypeOf, timestampLiteral } from './values.ts';

export function tabular(node: KNode, ctx: Ctx): Rel {
  const k = kindOf(node);
  switch (k) {
    case 'PipeExpression':
      return applyOperator(tabular(node.Expression, ctx), node.Operator, ctx);
    case 'ParenthesizedExpression':
      return tabular(node.Expression, ctx);
    case 'NameReference':
      return named(String(node.SimpleName ?? node.Name?.SimpleName), node, ctx);
    case 'FunctionCallExpression':
      return tabularCall(node, ctx);
    case 'MaterializeExpression':
      return materialize(tabular(node.Expression, ctx), ctx);
    case 'DataTableExpression':
      return datatable(node, ctx);
    case 'UnionOperator':
      return compileUnion(undefined, node, ctx);
    case 'PrintOperator':
      return print(node, ctx);
    case 'ExternalDataExpression':
      return compileExternalData(node, ctx);
    default:
      if (k.endsWith('Operator')) {
        const kw = node.GetChild(0);
        return ctx.fail('UnsupportedOperator', `the ${kw?.IsToken ? String(kw.Text) : k.replace(/Operator$/, '')} operator is not supported by Tessera's KQL engine`, node);
      }
      return ctx.unsupported(node, `the tabular expression ${k}`);
  }
}

function named(name: string, node: KNode, ctx: Ctx): Rel {
  const b = ctx.lookup(name);
  if (b?.kind === 'tabular') return b.rel;
  if (isLogTableName(name)) return scanTable(name, ctx);
  return ctx.fail('SemanticError', `'${name}' is not a table Tessera has`, node);
}

/** A table scan: strings are never null in Kusto, so NULL (a column a producer left out) reads as "". */
export function scanTable(name: LogTableName, ctx: Ctx): Rel {
  const cols: Col[] = columnsOf(name).map((c) => ({ name: c.name, type: c.type as KType }));
  const select = cols.map((c) => (c.type === 'string' ? `COALESCE(${q(c.name)}, '') AS ${q(c.name)}` : q(c.name))).join(', ');
  const hasTime = cols.some((c) => c.name === 'TimeGenerated');
  const where = ctx.since && hasTime ? ` WHERE "TimeGenerated" >= ${timestampLiteral(ctx.since)} AND "TimeGenerated" <= ${timestampLiteral(ctx.until ?? ctx.now)}` : '';
  return ctx.add(`SELECT ${select} FROM ${q(name)}${where}`, cols);
}

function tabularCall(node: KNode, ctx: Ctx): Rel {
  const name = String(node.Name.SimpleName);
  const args = listItems(node.ArgumentList.Expressions);
  const b = ctx.lookup(name);
  if (b?.kind === 'function') return tabularUserCall(node, ctx, b.decl);
  if (b?.kind === 'tabular') return b.rel;
  if (name === 'table') {
    const target = String(args[0]?.ConstantValue ?? node.ResultType?.Name ?? '');
    const lb = ctx.lookup(target);
    if (lb?.kind === 'tabular') return lb.rel;
    if (isLogTableName(target)) return scanTable(target, ctx);
    return ctx.fail('SemanticError', `table('${target}') is not a table Tessera has`, node);
  }
  if (name === 'materialize') return materialize(tabular(args[0], ctx), ctx);
  if (name === 'view' || name === 'toscalar') return tabular(args[0], ctx);
  return ctx.fail('UnsupportedFunction', `the tabular function ${name}() is not supported by Tessera's KQL engine`, node);
}

function materialize(rel: Rel, ctx: Ctx): Rel {
  return { ...ctx.add(`SELECT * FROM ${rel.from}`, rel.cols, true), ...(rel.order ? { order: rel.order, orderCols: rel.orderCols } : {}) };
}

function datatable(node: KNode, ctx: Ctx): Rel {
  const cols = resultCols(node, ctx);
  const values = listItems(node.Values);
  if (cols.length === 0) return ctx.fail('SemanticError', 'datatable needs at least one column', node);
  if (values.length % cols.length !== 0) return ctx.fail('SemanticError', 'datatable values do not fill whole rows', node);
  const env = { ctx, col: () => undefined };
  const rows: string[] = [];
  for (let i = 0; i < values.length; i += cols.length) {
    rows.push(`(${cols.map((c, j) => `CAST(${convert(scalar(values[i + j], env), c.type)} AS ${sqlTypeOf(c.type)})`).join(', ')})`);
  }
  const names = cols.map((c) => q(c.name)).join(', ');
  const body = rows.length
    ? `SELECT * FROM (VALUES ${rows.join(', ')}) AS _v(${names})`
    : `SELECT ${cols.map((c) => `CAST(NULL AS ${sqlTypeOf(c.type)}) AS ${q(c.name)}`).join(', ')} WHERE false`;
  return ctx.add(body, cols);
}

function print(node: KNode, ctx: Ctx): Rel {
  const cols = resultCols(node, ctx);
  const items = listItems(node.Expressions);
  const env = { ctx, col: () => undefined };
  const select = items.map((it: KNode, i: number) => {
    const e = kindOf(it) === 'SimpleNamedExpression' ? it.Expression : it;
    return `${convert(scalar(e, env), cols[i]!.type)} AS ${q(cols[i]!.name)}`;
  });
  return ctx.add(`SELECT ${select.join(', ')}`, cols);
}

/** A `let` statement: scalar, tabular, or a function declaration (bound for its call sites). */
export function compileLet(stmt: KNode, ctx: Ctx): void {
  const k = kindOf(stmt);
  if (k !== 'LetStatement') {
    if (k === 'SetOptionStatement') return;
    return ctx.fail('UnsupportedOperator', `the ${k.replace(/Statement$/, '')} statement is not supported`, stmt);
  }
  const name = String(stmt.Name.SimpleName);
  const e = stmt.Expression;
  if (kindOf(e) === 'FunctionDeclaration') {
    ctx.bind(name, { kind: 'function', decl: e });
    return;
  }
  if (e.ResultType?.Kind === 10) {
    ctx.bind(name, { kind: 'tabular', rel: tabular(e, ctx) });
    return;
  }
  const v = scalar(e, envOf(ctx, { from: '', cols: [] }));
  ctx.bind(name, { kind: 'scalar', sql: v.sql, type: kustoType(e, ctx) });
}
