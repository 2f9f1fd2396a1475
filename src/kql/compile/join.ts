// join and lookup (https://learn.microsoft.com/kusto/query/join-operator). The default kind is
// innerunique: the left side is first deduplicated on the join keys (one arbitrary row per key).
// Output columns and their renames (a right column whose name is taken becomes Name1) are the
// binder's.
import { kindOf, nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { listItems, q, resultCols } from './context.ts';
import type { Ctx, Env, Rel } from './context.ts';
import { scalar, unify } from './scalar.ts';
import { tabular } from './tabular.ts';

export function compileJoin(left: Rel, op: KNode, ctx: Ctx): Rel {
  const isLookup = kindOf(op) === 'LookupOperator';
  let kind = isLookup ? 'leftouter' : 'innerunique';
  for (const p of listItems(op.Parameters)) {
    const name = String(p.Name.SimpleName ?? p.Name.Name?.Text ?? '').toLowerCase();
    const value = nodeText(p.Expression).toLowerCase();
    if (name === 'kind') kind = value;
    else if (name !== 'hint.strategy' && name !== 'hint.remote' && !name.startsWith('hint.')) return ctx.fail('UnsupportedOperator', `join parameter ${name} is not supported`, p);
  }
  const right = tabular(op.Expression, ctx);
  const out = resultCols(op, ctx);
  const cond = op.ConditionClause ?? op.LookupClause;
  if (!cond || !cond.Expressions) return ctx.unsupported(op, 'a join without an on clause');
  const lEnv: Env = { ctx, col: (n) => (left.cols.some((c) => c.name === n) ? `l.${q(n)}` : undefined) };
  const rEnv: Env = { ctx, col: (n) => (right.cols.some((c) => c.name === n) ? `r.${q(n)}` : undefined) };
  const keysL: string[] = [];
  const on: string[] = [];
  for (const e of listItems(cond.Expressions)) {
    const ek = kindOf(e);
    if (ek === 'NameReference') {
      const n = String(e.SimpleName);
      const l = scalar(e, lEnv);
      const r = scalar(e, rEnv);
      const [a, b] = unify(l, r);
      on.push(`${a} = ${b}`);
      keysL.push(q(n));
    } else if (ek === 'EqualExpression') {
      const side = (x: KNode): { env: Env; name: string } => {
        if (kindOf(x) !== 'PathExpression') return ctx.unsupported(x, 'a join condition other than $left.A == $right.B');
        const which = String(x.Expression.SimpleName);
        const name = String(x.Selector.SimpleName);
        return { env: which === '$left' ? lEnv : rEnv, name };
      };
      const a = side(e.Left);
      const b = side(e.Right);
      const ln = a.env === lEnv ? a : b;
      const rn = a.env === lEnv ? b : a;
      const lx = { sql: `l.${q(ln.name)}`, type: left.cols.find((c) => c.name === ln.name)?.type ?? 'string' } as const;
      const rx = { sql: `r.${q(rn.name)}`, type: right.cols.find((c) => c.name === rn.name)?.type ?? 'string' } as const;
      const [x, y] = unify(lx, rx);
      on.push(`${x} = ${y}`);
      keysL.push(q(ln.name));
    } else return ctx.unsupported(e, 'this join condition');
  }
  const onSql = on.join(' AND ');
  const lsrc = kind === 'innerunique'
    ? `(SELECT * FROM ${left.from} QUALIFY row_number() OVER (PARTITION BY ${keysL.join(', ')}) = 1)`
    : left.from;
  const leftCols = left.cols;
  const rightCols = right.cols;
  const pick = (cols: typeof leftCols, alias: string, nullable: boolean, offset: number): string[] =>
    cols.map((c, i) => {
      const o = out[offset + i];
      if (!o) return ctx.fail('SemanticError', 'join output does not line up with its inputs', op);
      const ref = `${alias}.${q(c.name)}`;
      // An outer join's missing side reads as "" for strings: Kusto strings are never null.
      return `${nullable && c.type === 'string' ? `COALESCE(${ref}, '')` : ref} AS ${q(o.name)}`;
    });
  switch (kind) {
    case 'leftsemi':
      return ctx.add(`SELECT * FROM ${left.from} AS l WHERE EXISTS (SELECT 1 FROM ${right.from} AS r WHERE ${onSql})`, left.cols);
    case 'leftanti': case 'anti': case 'leftantisemi':
      return ctx.add(`SELECT * FROM ${left.from} AS l WHERE NOT EXISTS (SELECT 1 FROM ${right.from} AS r WHERE ${onSql})`, left.cols);
    case 'rightsemi':
      return ctx.add(`SELECT * FROM ${right.from} AS r WHERE EXISTS (SELECT 1 FROM ${left.from} AS l WHERE ${onSql})`, right.cols);
    case 'rightanti': case 'rightantisemi':
      return ctx.add(`SELECT * FROM ${right.from} AS r WHERE NOT EXISTS (SELECT 1 FROM ${left.from} AS l WHERE ${onSql})`, right.cols);
  }
  const join = { innerunique: 'INNER', inner: 'INNER', leftouter: 'LEFT', rightouter: 'RIGHT', fullouter: 'FULL OUTER' }[kind];
  if (!join) return ctx.fail('UnsupportedOperator', `join kind=${kind} is not supported`, op);
  if (isLookup) {
    // lookup: left columns, then right columns other than the keys.
    const keyNames = new Set(keysL.map((k) => k.slice(1, -1)));
    const rc = rightCols.filter((c) => !keyNames.has(c.name));
    const select = [...pick(leftCols, 'l', false, 0), ...pick(rc, 'r', true, leftCols.length)];
    return ctx.add(`SELECT ${select.join(', ')} FROM ${lsrc} AS l LEFT JOIN ${right.from} AS r ON ${onSql}`, out);
  }
  const select = [
    ...pick(leftCols, 'l', kind === 'rightouter' || kind === 'fullouter', 0),
    ...pick(rightCols, 'r', kind === 'leftouter' || kind === 'fullouter', leftCols.length),
  ];
  return ctx.add(`SELECT ${select.join(', ')} FROM ${lsrc} AS l ${join} JOIN ${right.from} AS r ON ${onSql}`, out);
}
