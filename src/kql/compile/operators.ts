// The row-wise tabular operators: where, project (and -away/-keep/-rename/-reorder), extend, sort,
// take, top, distinct, count, as, serialize; the rest dispatch to their own files.
import { Kusto, kindOf } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { carry, envOf, listItems, q, resultCols, sqlString } from './context.ts';
import type { Col, Ctx, Env, Rel } from './context.ts';
import { compileBagUnpack } from './bag-unpack.ts';
import { compileJoin } from './join.ts';
import { compileMvExpand } from './mv.ts';
import { compileMvApply } from './mv-apply.ts';
import { compileParse } from './parse-op.ts';
import { scalar } from './scalar.ts';
import { compileSummarize } from './summarize.ts';
import { carryPaths } from './json-paths.ts';
import { compileMakeSeries } from './make-series.ts';
import { isTupleCall, tupleCall } from './series.ts';
import { compileUnion } from './union.ts';
import { convert } from './values.ts';

export function applyOperator(rel: Rel, op: KNode, ctx: Ctx): Rel {
  const k = kindOf(op);
  switch (k) {
    case 'FilterOperator': {
      const cond = convert(scalar(op.Condition, envOf(ctx, rel)), 'bool');
      // A filter keeps every column as it is: the hidden JSON path lists stay valid.
      const same = (next: Rel): Rel => ({ ...keepOrder(rel, next), ...(rel.jsonPaths ? { jsonPaths: rel.jsonPaths } : {}) });
      // WHERE drops rows whose condition is null, as Kusto's where does; no COALESCE, so DuckDB can
      // push the filter into the scan.
      if (repeatsJsonWork(cond)) {
        // DuckDB eliminates common subexpressions in projections, not in filters: evaluate a
        // condition that reads the same JSON path twice in a projection, then filter on it.
        const inner = ctx.add(`SELECT *, ${cond} AS "__where" FROM ${rel.from}`, rel.cols);
        return same(ctx.add(`SELECT * EXCLUDE ("__where") FROM ${inner.from} WHERE "__where"`, rel.cols));
      }
      return same(ctx.add(`SELECT * FROM ${rel.from} WHERE ${cond}`, rel.cols));
    }
    case 'ProjectOperator':
      return project(rel, op, ctx, false);
    case 'ExtendOperator':
      return project(rel, op, ctx, true);
    case 'ProjectAwayOperator':
    case 'ProjectKeepOperator':
    case 'ProjectReorderOperator':
      return keepOrder(rel, reselect(rel, resultCols(op, ctx), ctx, new Map()));
    case 'ProjectRenameOperator': {
      const renames = new Map<string, string>();
      for (const it of listItems(op.Expressions)) renames.set(String(it.Name.SimpleName), String(it.Expression.SimpleName ?? it.Expression.Name?.SimpleName));
      return reselect(rel, resultCols(op, ctx), ctx, renames);
    }
    case 'SortOperator':
      return sort(rel, listItems(op.Expressions), ctx);
    case 'TakeOperator': {
      const n = convert(scalar(op.Expression, envOf(ctx, rel)), 'long');
      if (ctx.partition) return ctx.add(`SELECT * FROM ${rel.from} QUALIFY row_number() OVER (PARTITION BY "__rid"${rel.order ? ` ORDER BY ${rel.order}` : ''}) <= ${n}`, rel.cols);
      return keepOrder(rel, ctx.add(`SELECT * FROM ${rel.from}${rel.order ? ` ORDER BY ${rel.order}` : ''} LIMIT ${n}`, rel.cols));
    }
    case 'TopOperator': {
      const sorted = sort(rel, [op.ByExpression], ctx);
      const n = convert(scalar(op.Expression, envOf(ctx, rel)), 'long');
      if (ctx.partition) return { ...ctx.add(`SELECT * FROM ${sorted.from} QUALIFY row_number() OVER (PARTITION BY "__rid" ORDER BY ${sorted.order}) <= ${n}`, rel.cols), order: sorted.order, orderCols: sorted.orderCols };
      return keepOrder(sorted, ctx.add(`SELECT * FROM ${sorted.from} ORDER BY ${sorted.order} LIMIT ${n}`, rel.cols));
    }
    case 'DistinctOperator': {
      const cols = resultCols(op, ctx);
      const items = listItems(op.Expressions);
      if (items.length === 1 && kindOf(items[0]) === 'StarExpression') return ctx.add(`SELECT DISTINCT * FROM ${rel.from}`, rel.cols); // __rid/__present included
      const env = envOf(ctx, rel);
      const select = items.map((it: KNode, i: number) => `${convert(scalar(kindOf(it) === 'SimpleNamedExpression' ? it.Expression : it, env), cols[i]!.type)} AS ${q(cols[i]!.name)}`);
      return ctx.add(`SELECT DISTINCT ${select.join(', ')}${carry(ctx)} FROM ${rel.from}`, cols);
    }
    case 'CountOperator': {
      const cols = resultCols(op, ctx);
      if (ctx.partition) {
        // Per source row, including rows whose expansion is empty (count 0).
        return ctx.add(`SELECT count(i."__present") AS ${q(cols[0]?.name ?? 'Count')}, b."__rid", 1 AS "__present" FROM ${ctx.partition.base} AS b LEFT JOIN ${rel.from} AS i ON i."__rid" = b."__rid" GROUP BY b."__rid"`, cols);
      }
      return ctx.add(`SELECT count(*) AS ${q(cols[0]?.name ?? 'Count')} FROM ${rel.from}`, cols);
    }
    case 'SummarizeOperator':
      return compileSummarize(rel, op, ctx);
    case 'MakeSeriesOperator':
      if (ctx.partition) return ctx.fail('UnsupportedOperator', 'make-series inside an mv-apply subquery is not supported', op);
      return compileMakeSeries(rel, op, ctx);
    case 'JoinOperator':
    case 'LookupOperator':
      if (ctx.partition) return ctx.fail('UnsupportedOperator', `${operatorName(op)} inside an mv-apply subquery is not supported`, op);
      return compileJoin(rel, op, ctx);
    case 'UnionOperator':
      if (ctx.partition) return ctx.fail('UnsupportedOperator', 'union inside an mv-apply subquery is not supported', op);
      return compileUnion(rel, op, ctx);
    case 'MvExpandOperator':
      return compileMvExpand(rel, op, ctx);
    case 'MvApplyOperator':
      if (ctx.partition) return ctx.fail('UnsupportedOperator', 'mv-apply inside an mv-apply subquery is not supported', op);
      return compileMvApply(rel, op, ctx);
    case 'ParseOperator':
      return compileParse(rel, op, ctx);
    case 'AsOperator':
      ctx.bind(String(op.Name.SimpleName), { kind: 'tabular', rel });
      return rel;
    case 'EvaluateOperator': {
      const call = op.FunctionCall;
      if (call && String(call.Name?.SimpleName) === 'bag_unpack' && !listItems(op.Parameters).length) return compileBagUnpack(rel, op, call, ctx);
      return ctx.fail('UnsupportedOperator', `the evaluate ${String(call?.Name?.SimpleName ?? '')} plugin is not supported by Tessera's KQL engine`, op);
    }
    case 'RenderOperator':
      // render is a visualisation hint for the client; the Log Analytics API returns the rows unchanged.
      return rel;
    case 'SerializeOperator':
      return listItems(op.Expressions).length ? project(rel, op, ctx, true) : rel;
    default:
      return ctx.fail('UnsupportedOperator', `the ${operatorName(op)} operator is not supported by Tessera's KQL engine`, op);
  }
}

function operatorName(op: KNode): string {
  const kw = op.GetChild(0);
  return kw?.IsToken ? String(kw.Text) : kindOf(op).replace(/Operator$/, '');
}

function keepOrder(from: Rel, to: Rel): Rel {
  if (!from.order || !from.orderCols) return to;
  const names = new Set(to.cols.map((c) => c.name));
  return from.orderCols.every((c) => names.has(c)) ? { ...to, order: from.order, orderCols: from.orderCols } : to;
}

/** SELECT the binder's output columns from the input, renaming where `renames` (new → old) says. */
function reselect(rel: Rel, out: Col[], ctx: Ctx, renames: Map<string, string>): Rel {
  const have = new Set(rel.cols.map((c) => c.name));
  const select = out.map((c) => {
    const src = renames.get(c.name) ?? c.name;
    if (!have.has(src)) return ctx.fail('SemanticError', `column '${src}' is not in the input`, undefined);
    return `${q(src)} AS ${q(c.name)}`;
  });
  return ctx.add(`SELECT ${select.join(', ')}${carry(ctx)} FROM ${rel.from}`, out);
}

/** `project` and `extend`: one SELECT with the binder's output columns. */
function project(rel: Rel, op: KNode, ctx: Ctx, extend: boolean): Rel {
  const out = resultCols(op, ctx);
  const input = new Map(rel.cols.map((c) => [c.name, q(c.name)]));
  const defined = new Map<string, string>();
  // Every item is evaluated against the input row: Kusto's binder resolves names in `extend` and
  // `project` against the input only (`extend b = 1, c = b` is an error), so `project a = b, b = a` swaps.
  const inputTypes = new Map(rel.cols.map((c) => [c.name, c.type]));
  const env: Env = { ctx, col: (n) => input.get(n), colType: (n) => inputTypes.get(n), jsonPath: envOf(ctx, rel).jsonPath! };
  const known = new Set(extend ? rel.cols.map((c) => c.name) : []);
  const fresh = out.filter((c) => !known.has(c.name)).map((c) => c.name);
  const types = new Map(out.map((c) => [c.name, c.type]));
  let freshIdx = 0;
  let position = 0;
  // Tuple-valued calls (series_fit_line, series_decompose, _anomalies, _forecast, series_periods_detect)
  // are computed once, as a STRUCT column of a preceding CTE, and each output column reads one field:
  // `extend (a, b) = f(x)` names the first fields, the binder names the rest (and every field of an
  // unnamed `extend f(x)`); `extend a = f(x)` names the first field only, as the binder does
  // (series_decompose_forecast is typed as a tuple, and the reference writes `forecast = …`).
  const items = listItems(op.Expressions);
  const tuples = new Map<KNode, { col: string; fields: string[] }>();
  const structs: string[] = [];
  const named = (it: KNode) => kindOf(it) === 'CompoundNamedExpression' || kindOf(it) === 'SimpleNamedExpression';
  for (const it of items) {
    const call = named(it) ? it.Expression : it;
    if (!isTupleCall(call)) continue;
    if (extend === false && !named(it)) return ctx.unsupported(it, 'a tuple-valued call in project');
    const t = tupleCall(call, env);
    const col = `__tuple${tuples.size}`;
    tuples.set(it, { col, fields: t.fields });
    structs.push(`${t.sql} AS ${q(col)}`);
  }
  const source = tuples.size ? ctx.add(`SELECT *, ${structs.join(', ')} FROM ${rel.from}`, rel.cols).from : rel.from;
  for (const it of items) {
    const ik = kindOf(it);
    const tuple = tuples.get(it);
    if (tuple) {
      const names = ik === 'CompoundNamedExpression' ? listItems(it.Names?.Names ?? it.GetChild(0)?.GetChild(0) ?? it.GetChild(0)).map((n: KNode) => String(n.SimpleName ?? n.Name?.SimpleName))
        : ik === 'SimpleNamedExpression' ? [String(it.Name.SimpleName)] : [];
      tuple.fields.forEach((f, i) => {
        let name = names[i];
        if (name === undefined || !types.has(name)) name = extend ? fresh[freshIdx] : out[position]?.name;
        if (!extend) position++;
        if (name === undefined) return ctx.fail('SemanticError', 'cannot name this column', it);
        if (names[i] === undefined || !known.has(name)) freshIdx++;
        defined.set(name, `struct_extract(${q(tuple.col)}, ${sqlString(f)})`);
      });
      continue;
    }
    if (ik === 'CompoundNamedExpression') return ctx.unsupported(it, 'a tuple assignment');
    let name: string;
    let expr: KNode;
    if (!extend) {
      // project: the i-th item is the i-th output column.
      name = out[position++]?.name ?? ctx.fail('SemanticError', 'cannot name this column', it);
      expr = ik === 'SimpleNamedExpression' ? it.Expression : it;
    } else if (ik === 'SimpleNamedExpression') {
      name = String(it.Name.SimpleName);
      expr = it.Expression;
      if (!known.has(name)) freshIdx++;
    } else {
      expr = it;
      // Kusto's own naming rule for an unnamed expression (e.g. `extend tostring(Location)` keeps
      // the name Location); an expression it cannot name gets the binder's next fresh column.
      const derived = Kusto.KustoFacts.GetExpressionResultName(it, null) as string | null;
      if (ik === 'NameReference' && input.has(String(it.SimpleName))) name = String(it.SimpleName);
      else if (derived && types.has(derived) && (known.has(derived) || fresh[freshIdx] === derived)) {
        name = derived;
        if (!known.has(derived)) freshIdx++;
      } else name = fresh[freshIdx++] ?? ctx.fail('SemanticError', 'cannot name this column', it);
      if (extend && known.has(name) && ik === 'NameReference') continue;
    }
    const type = types.get(name);
    if (!type) return ctx.fail('SemanticError', `column '${name}' is not in the result`, it);
    defined.set(name, convert(scalar(expr, env), type));
  }
  const select = out.map((c) => `${defined.has(c.name) ? defined.get(c.name) : q(c.name)} AS ${q(c.name)}`);
  // Columns that come out as they went in keep their hidden JSON path lists.
  const unchanged = (n: string): boolean => out.some((c) => c.name === n) && (!defined.has(n) || defined.get(n) === q(n));
  const hidden = carryPaths(rel, unchanged);
  const next = keepOrder(rel, ctx.add(`SELECT ${select.join(', ')}${hidden.select}${carry(ctx)} FROM ${source}`, out));
  return hidden.jsonPaths ? { ...next, jsonPaths: hidden.jsonPaths } : next;
}

/** sort/order by: KQL defaults to descending; nulls come first ascending and last descending. */
function sort(rel: Rel, items: KNode[], ctx: Ctx): Rel {
  const env = envOf(ctx, rel);
  const parts: string[] = [];
  const cols: string[] = [];
  for (const it of items) {
    let expr = it;
    let dir = 'DESC';
    let nulls: string | undefined;
    if (kindOf(it) === 'OrderedExpression') {
      expr = it.Expression;
      const ord = it.Ordering;
      if (ord?.AscOrDescKeyword && String(ord.AscOrDescKeyword.Text).toLowerCase() === 'asc') dir = 'ASC';
      if (ord?.NullsClause) nulls = String(ord.NullsClause.FirstOrLastKeyword.Text).toUpperCase();
    }
    const v = scalar(expr, env);
    if (kindOf(expr) === 'NameReference') cols.push(String(expr.SimpleName));
    else cols.push('\u0000'); // an expression: the order cannot be re-applied after this CTE
    parts.push(`${v.sql} ${dir} NULLS ${nulls ?? (dir === 'ASC' ? 'FIRST' : 'LAST')}`);
  }
  const order = parts.join(', ');
  const next = ctx.add(`SELECT * FROM ${rel.from} ORDER BY ${order}`, rel.cols);
  return { ...next, order, orderCols: cols };
}

/** True when the same JSON read appears more than once in `sql`. */
function repeatsJsonWork(sql: string): boolean {
  // A json_extract call, or a read of a hidden JSON path column (json-paths.ts), seen twice.
  const calls = sql.match(/json_extract(?:_string)?\([^()]*\)|struct_extract\("__jp_[^)]*\)|"__jp_[^"]*"\[\d+\]/g) ?? [];
  return new Set(calls).size < calls.length;
}
