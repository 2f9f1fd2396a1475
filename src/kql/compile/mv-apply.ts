// mv-apply (https://learn.microsoft.com/kusto/query/mv-apply-operator): each input row is expanded
// into a subtable, the subquery runs on every subtable on its own, and the row's other columns are
// added to each result row. Compiled as one pass: rows carry their source row's id (`__rid`), the
// subquery's operators work per id (summarize groups by it, take/top rank within it), and the
// result is joined back to the source rows. A summarize without `by` gives one row per source row
// even when the expansion is empty, as a subquery over an empty subtable would.
import { kindOf } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { envOf, listItems, q, resultCols } from './context.ts';
import type { Col, Ctx, Rel } from './context.ts';
import { expandSql, expansions, params } from './mv.ts';
import { applyOperator } from './operators.ts';
import { scalar } from './scalar.ts';
import { convert } from './values.ts';

const supported = new Set([
  'FilterOperator', 'ExtendOperator', 'ProjectOperator', 'ProjectAwayOperator', 'ProjectRenameOperator', 'ProjectKeepOperator',
  'ProjectReorderOperator', 'ParseOperator', 'SummarizeOperator', 'TakeOperator', 'TopOperator', 'SortOperator',
  'DistinctOperator', 'CountOperator', 'MvExpandOperator',
]);

export function compileMvApply(rel: Rel, op: KNode, ctx: Ctx): Rel {
  const out = resultCols(op, ctx);
  const { index } = params(op, ctx);
  const base = ctx.add(`SELECT *, row_number() OVER () AS "__rid" FROM ${rel.from}`, rel.cols);
  const limit = op.RowLimitClause ? convert(scalar(op.RowLimitClause.RowLimit, envOf(ctx, rel)), 'long') : undefined;
  const items = listItems(op.Expressions);
  const exps = expansions(base, items, expandedCols(rel, items, ctx), ctx, limit);
  const { sql, cols } = expandSql(base, exps, index, ctx, ', "__rid", 1 AS "__present"');
  ctx.partition = { base: base.from };
  try {
    let cur = ctx.add(sql, cols);
    // The expanded columns take their declared types (`to typeof(...)`) before the subquery runs.
    const typed = cols.map((c) => ({ name: c.name, type: exps.find((x) => x.name === c.name)?.type ?? c.type }));
    const select = typed.map((c, i) => `${convert({ sql: q(c.name), type: cols[i]!.type }, c.type)} AS ${q(c.name)}`);
    cur = ctx.add(`SELECT ${select.join(', ')}, "__rid", "__present" FROM ${cur.from}`, typed);
    const ops: KNode[] = [];
    let sub = op.Subquery.Expression;
    while (kindOf(sub) === 'PipeExpression') {
      ops.unshift(sub.Operator);
      sub = sub.Expression;
    }
    ops.unshift(sub);
    for (const o of ops) {
      if (!supported.has(kindOf(o))) return ctx.fail('UnsupportedOperator', `mv-apply with a ${kindOf(o).replace(/Operator$/, '')} in its subquery is not supported`, o);
      cur = applyOperator(cur, o, ctx);
    }
    ctx.partition = undefined;
    // Join back: subquery columns from the subquery, the source row's other columns from the base.
    const subNames = new Set(cur.cols.map((c) => c.name));
    const baseNames = new Set(rel.cols.map((c) => c.name));
    const final = out.map((c) => {
      if (subNames.has(c.name)) return `s.${q(c.name)} AS ${q(c.name)}`;
      if (baseNames.has(c.name)) return `b.${q(c.name)} AS ${q(c.name)}`;
      return ctx.fail('SemanticError', `column '${c.name}' is missing after mv-apply`, op);
    });
    return ctx.add(`SELECT ${final.join(', ')} FROM ${cur.from} AS s JOIN ${base.from} AS b ON s."__rid" = b."__rid"`, out);
  } finally {
    ctx.partition = undefined;
  }
}

/** The input columns plus each named expansion (unnamed ones expand a column in place). */
function expandedCols(rel: Rel, items: KNode[], ctx: Ctx): Col[] {
  const cols: Col[] = [...rel.cols];
  for (const it of items) {
    const inner = it.Expression;
    if (kindOf(inner) === 'SimpleNamedExpression') cols.push({ name: String(inner.Name.SimpleName), type: 'dynamic' });
    else if (kindOf(inner) !== 'NameReference') return ctx.unsupported(inner, 'an unnamed mv-apply expression');
  }
  return cols;
}
