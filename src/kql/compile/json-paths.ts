// One JSON parse for several property reads. DuckDB keeps JSON as text and every json_extract
// parses its input again, so `x.a`, `x.b` and `x.c` on the same row parse the same text three
// times. The query's constant property paths are collected per column name before compiling; where
// a dynamic column is made (mv-expand), the paths read from it are extracted in one call into a
// hidden column, and `x.a` then reads a small JSON fragment from it. Top-level properties use
// `json_transform(col, '{"a":"JSON","b":"JSON"}')` (a STRUCT; the cheapest form — about a fifth less
// CPU than a list on the seed's per-app query), other paths `json_extract(col, [paths])` (a list).
// Both give the compact JSON text of each value; a JSON null comes out as SQL NULL from the STRUCT
// and as 'null' from the list, which every reader treats alike (tostring, isnull, isempty). Operators
// that pass the column through unchanged carry the hidden column along (Rel.jsonPaths); any other
// operator drops it and reads fall back to json_extract.
import { kindOf, nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { q, sqlString } from './context.ts';
import type { Ctx, JsonPaths, Rel } from './context.ts';

/** The SQL path literal of a constant `x.name`, `x["name"]` or `x[i]`, or undefined. */
export function constantPath(node: KNode): string | undefined {
  const k = kindOf(node);
  if (k === 'PathExpression') {
    const sel = node.Selector;
    // `x.[0]` (as Sentinel's `TargetResources.[0].id`): a bracketed number after the dot is an index.
    if (kindOf(sel) === 'BracketedExpression' && kindOf(sel.Expression) === 'LongLiteralExpression') {
      const n = Number(nodeText(sel.Expression));
      if (Number.isSafeInteger(n)) return `'$[${n}]'`;
    }
    const key = String(sel.SimpleName ?? sel.Name?.SimpleName ?? nodeText(sel)).replace(/^\[?['"]|['"]\]?$/g, '');
    return sqlString(jsonKeyPath(key));
  }
  if (k === 'ElementExpression') {
    const e = node.Selector?.Expression;
    if (!e?.IsConstant || e.ConstantValue === null || e.ConstantValue === undefined) return undefined;
    const v = e.ConstantValue;
    const t = String(e.ResultType?.Name ?? '');
    if (t === 'long' || t === 'int' || t === 'real' || t === 'decimal') {
      const n = Number(v);
      return Number.isFinite(n) ? `'${n < 0 ? `$[#${n}]` : `$[${n}]`}'` : undefined;
    }
    return sqlString(jsonKeyPath(String(v)));
  }
  return undefined;
}

export function jsonKeyPath(key: string): string {
  return `$."${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** Records, per column name, the constant paths the query reads (and how often) into ctx.pathsRead. */
export function collectPaths(root: KNode, ctx: Ctx): void {
  const seen = new Map<string, Map<string, number>>();
  const walk = (n: KNode): void => {
    if (!n || n.IsToken) return;
    const k = kindOf(n);
    if ((k === 'PathExpression' || k === 'ElementExpression') && kindOf(n.Expression) === 'NameReference' && n.Expression.ReferencedSymbol?.Kind === 9) {
      const path = constantPath(n);
      if (path) {
        const name = String(n.Expression.SimpleName);
        const m = seen.get(name) ?? new Map<string, number>();
        m.set(path, (m.get(path) ?? 0) + 1);
        seen.set(name, m);
      }
    }
    for (let i = 0; i < n.ChildCount; i++) walk(n.GetChild(i));
  };
  walk(root);
  for (const [name, m] of seen) ctx.pathsRead.set(name, { paths: [...m.keys()], reads: [...m.values()].reduce((a, b) => a + b, 0) });
}

/** Adds the hidden path lists for the named dynamic columns of `rel` whose paths the query reads. */
export function extractPaths(rel: Rel, names: string[], ctx: Ctx): Rel {
  const add: [string, JsonPaths][] = [];
  for (const name of names) {
    const read = ctx.pathsRead.get(name);
    // Worth a hidden column only when the text would otherwise be parsed more than once.
    if (!read || read.reads < 2 || rel.cols.find((c) => c.name === name)?.type !== 'dynamic') continue;
    add.push([name, { col: `__jp_${name}`, paths: read.paths }]);
  }
  if (!add.length) return rel;
  const jsonPaths = new Map([...(rel.jsonPaths ?? []), ...add]);
  const select = add.map(([name, jp]) => {
    const keys = topLevelKeys(jp.paths);
    if (!keys) return `json_extract(${q(name)}, [${jp.paths.join(', ')}]) AS ${q(jp.col)}`;
    const shape = structShape(keys);
    jp.fields = keys;
    return `json_transform(${q(name)}, ${sqlString(shape)}) AS ${q(jp.col)}`;
  });
  const next = ctx.add(`SELECT *, ${select.join(', ')} FROM ${rel.from}`, rel.cols);
  return { ...next, jsonPaths };
}

/**
 * The property names when every path is a top-level `$."name"` and no two names differ only in case
 * (DuckDB STRUCT field names are case-insensitive; JSON keys are not); otherwise undefined.
 */
export function topLevelKeys(paths: string[]): string[] | undefined {
  const keys: string[] = [];
  for (const p of paths) {
    const m = /^'\$\."((?:[^"\\]|\\.)*)"'$/.exec(p);
    if (!m) return undefined;
    const key = m[1]!.replaceAll("''", "'").replace(/\\(.)/g, '$1');
    keys.push(key);
  }
  const lower = new Set(keys.map((k) => k.toLowerCase()));
  return lower.size === keys.length ? keys : undefined;
}

/** The hidden path lists of `from` that survive into `to`'s columns unchanged (`kept` names). */
export function carryPaths(from: Rel, kept: (name: string) => boolean): { select: string; jsonPaths?: Map<string, JsonPaths> } {
  if (!from.jsonPaths) return { select: '' };
  const jsonPaths = new Map([...from.jsonPaths].filter(([name]) => kept(name)));
  if (!jsonPaths.size) return { select: '' };
  return { select: [...jsonPaths.values()].map((jp) => `, ${q(jp.col)}`).join(''), jsonPaths };
}

/**
 * True when, after the mv-expand operator `mvOp`, column `name` is read only through constant
 * top-level properties in `keys` until it is dropped — so the element's JSON text is never needed and
 * the array can be read straight into the STRUCTs of those properties, one parse per array instead of
 * one for the array plus one per element. Only operators that carry the hidden column (where, extend,
 * project) may come before the column is dropped (project without it, project-away, summarize, count,
 * or an extend that redefines it); anything else, or reaching the end of the pipe, answers false.
 */
export function readOnlyThroughPaths(mvOp: KNode, name: string, keys: string[]): boolean {
  const allowed = new Set(keys.map((k) => sqlString(jsonKeyPath(k))));
  const usesOk = (n: KNode): boolean => {
    if (!n || n.IsToken) return true;
    const k = kindOf(n);
    if ((k === 'PathExpression' || k === 'ElementExpression') && isColumn(n.Expression, name)) {
      const p = constantPath(n);
      return p !== undefined && allowed.has(p) && (kindOf(n) === 'PathExpression' || usesOk(n.Selector));
    }
    if (isColumn(n, name) || (k === 'NameReference' && String(n.SimpleName) === name)) return false;
    // Reads of columns by name or of every column (column_ifexists("x"), `*`) may reach the element.
    if (k === 'StarExpression') return false;
    if (k === 'FunctionCallExpression' && /^(column_?ifexists|pack_all|bag_pack_columns)$/.test(String(n.Name?.SimpleName))) return false;
    for (let i = 0; i < n.ChildCount; i++) if (!usesOk(n.GetChild(i))) return false;
    return true;
  };
  let cur = mvOp.Parent;
  if (kindOf(cur) !== 'PipeExpression' || cur.Operator !== mvOp) return false;
  for (;;) {
    const next = cur.Parent;
    if (!next || kindOf(next) !== 'PipeExpression' || next.Expression !== cur) return false; // still alive at the end
    const op = next.Operator;
    switch (kindOf(op)) {
      case 'FilterOperator':
        if (!usesOk(op.Condition)) return false;
        break;
      case 'ExtendOperator':
      case 'ProjectOperator': {
        let redefined = false;
        let keptPlain = false;
        for (const it of listItemsOf(op.Expressions)) {
          const ik = kindOf(it);
          if (ik === 'NameReference' && String(it.SimpleName) === name) { keptPlain = true; continue; }
          if (ik === 'SimpleNamedExpression') {
            if (!usesOk(it.Expression)) return false;
            if (String(it.Name.SimpleName) === name) redefined = true;
            continue;
          }
          if (ik === 'CompoundNamedExpression') return false;
          if (!usesOk(it)) return false;
        }
        if (redefined) return true;
        if (kindOf(op) === 'ProjectOperator' && !keptPlain) return true;
        break;
      }
      case 'ProjectAwayOperator':
        return !resultHas(op, name);
      case 'SummarizeOperator':
        return usesOk(op.Aggregates) && usesOk(op.ByClause);
      case 'CountOperator':
        return true;
      default:
        return false;
    }
    cur = next;
  }
}

function isColumn(n: KNode, name: string): boolean {
  return kindOf(n) === 'NameReference' && n.ReferencedSymbol?.Kind === 9 && String(n.SimpleName) === name;
}

function resultHas(op: KNode, name: string): boolean {
  const cols = op.ResultType?.Columns;
  for (let i = 0; i < (cols?.Count ?? 0); i++) if (String(cols.getItem(i).Name) === name) return true;
  return false;
}

function listItemsOf(list: KNode): KNode[] {
  const out: KNode[] = [];
  for (let i = 0; i < (list?.ChildCount ?? 0); i++) {
    const c = list.GetChild(i);
    const e = kindOf(c) === 'SeparatedElement' ? (c.Element ?? c.GetChild(0)) : c;
    if (e && !e.IsToken) out.push(e);
  }
  return out;
}

/** The STRUCT shape for json_transform of the top-level properties `keys`. */
export function structShape(keys: string[]): string {
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, 'JSON'])));
}
