// `in`, `!in`, `in~`, `has_any`, `has_all`: the right side is a list of scalars, a dynamic array
// (e.g. a `let` bound `dynamic([...])`), or a tabular expression whose first column is used.
import type { KNode } from '../kusto-language.ts';
import { listItems, q } from './context.ts';
import type { Env } from './context.ts';
import { scalar } from './scalar.ts';
import { tabular } from './tabular.ts';
import { hasTerm } from './terms.ts';
import { asString, convert } from './values.ts';
import type { Sql } from './values.ts';

type Mode = 'has_any' | 'has_all' | string;

export function compileInList(node: KNode, env: Env, mode: Mode): Sql {
  const { negate, insensitive } = caseOf(mode);
  const left = scalar(node.Left, env);
  const lhsType = left.type === 'dynamic' ? 'string' : left.type;
  const lhs = mode.startsWith('has') ? asString(left) : convert(left, lhsType);
  const items = listItems(node.Right.Expressions);
  const parts: string[] = [];
  const subqueries: string[] = [];
  for (const item of items) {
    const t = item.ResultType;
    if (t?.Kind === 10) {
      const rel = tabular(item, env.ctx);
      const first = rel.cols[0];
      if (!first) return env.ctx.fail('SemanticError', 'the tabular expression on the right of in has no columns', item);
      const col = convert({ sql: q(first.name), type: first.type }, lhsType);
      subqueries.push(`SELECT ${insensitive ? `lower(${col})` : col} FROM ${rel.from}`);
      continue;
    }
    const v = scalar(item, env);
    if (v.type === 'dynamic') {
      // Elements of a dynamic array, each as the left side's type.
      const elem = lhsType === 'string' || mode.startsWith('has')
        ? `CASE json_type(e) WHEN 'VARCHAR' THEN json_extract_string(e, '$') ELSE json(e)::VARCHAR END`
        : `TRY_CAST(json_extract_string(e, '$') AS ${sqlCast(lhsType)})`;
      subqueries.push(`SELECT ${insensitive ? `lower(${elem})` : elem} FROM (SELECT unnest(CASE WHEN json_type(${v.sql}) = 'ARRAY' THEN CAST(${v.sql} AS JSON[]) ELSE [${v.sql}] END) AS e)`);
    } else parts.push(insensitive ? `lower(${convert(v, lhsType)})` : convert(v, lhsType));
  }
  const probe = insensitive ? `lower(${lhs})` : lhs;
  if (mode === 'has_any' || mode === 'has_all') {
    const literalTests = parts.map((p) => hasTerm(lhs, { sql: unlower(p), type: 'string' }, true));
    const subTests = subqueries.map((s) => `${mode === 'has_any' ? 'EXISTS' : 'NOT EXISTS'} (SELECT 1 FROM (${s}) AS _v(x) WHERE ${mode === 'has_any' ? '' : 'NOT '}regexp_matches(${lhs}, '(^|[^0-9A-Za-z])' || regexp_escape(x) || '([^0-9A-Za-z]|$)', 'i'))`);
    const all = [...literalTests, ...subTests];
    if (!all.length) return { sql: mode === 'has_any' ? 'false' : 'true', type: 'bool' };
    return { sql: `(${all.join(mode === 'has_any' ? ' OR ' : ' AND ')})`, type: 'bool' };
  }
  const tests: string[] = [];
  if (parts.length) tests.push(`${probe} IN (${parts.join(', ')})`);
  for (const s of subqueries) tests.push(`${probe} IN (${s})`);
  const any = tests.length ? `(${tests.join(' OR ')})` : 'false';
  return { sql: negate ? `(NOT COALESCE(${any}, false))` : `COALESCE(${any}, false)`, type: 'bool' };
}

function caseOf(mode: Mode): { negate: boolean; insensitive: boolean } {
  // Kusto.Language's names are counter-intuitive: `in`/`!in` (case-sensitive) parse as
  // InExpression/NotInExpression, while `in~`/`!in~` parse as InCsExpression/NotInCsExpression.
  switch (mode) {
    case 'InExpression': return { negate: false, insensitive: false };
    case 'NotInExpression': return { negate: true, insensitive: false };
    case 'InCsExpression': return { negate: false, insensitive: true };
    case 'NotInCsExpression': return { negate: true, insensitive: true };
    default: return { negate: false, insensitive: true };
  }
}

function unlower(p: string): string {
  const m = /^lower\((.*)\)$/s.exec(p);
  return m ? m[1]! : p;
}

function sqlCast(t: string): string {
  return t === 'long' ? 'BIGINT' : t === 'int' ? 'INTEGER' : t === 'real' ? 'DOUBLE' : t === 'bool' ? 'BOOLEAN' : t === 'datetime' ? 'TIMESTAMP' : 'VARCHAR';
}

