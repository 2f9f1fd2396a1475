// parse (https://learn.microsoft.com/kusto/query/parse-operator): the pattern becomes one regex,
// matched from the start of the value; a column matches lazily (greedily when it ends the
// pattern), a typed long/int/real column matches only a number. If the whole pattern fails, every
// extracted column is empty (strings) or null (other types).
import { kindOf, nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { carry, envOf, listItems, q, resultCols, sqlString } from './context.ts';
import type { Col, Ctx, KType, Rel } from './context.ts';
import { scalar } from './scalar.ts';
import { asString, convert } from './values.ts';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileParse(rel: Rel, op: KNode, ctx: Ctx): Rel {
  let mode = 'simple';
  for (const p of listItems(op.Parameters)) {
    const name = nodeText(p.Name).toLowerCase();
    const value = nodeText(p.Expression).toLowerCase();
    if (name === 'kind') mode = value;
    else return ctx.fail('UnsupportedOperator', `parse parameter ${name} is not supported`, p);
    if (mode !== 'simple' && mode !== 'regex') return ctx.fail('UnsupportedOperator', `parse kind=${mode} is not supported`, p);
  }
  const out = resultCols(op, ctx);
  const source = asString(scalar(op.Expression, envOf(ctx, rel)));
  const patterns = listItems(op.Patterns);
  let re = '^';
  const extracted: { name: string; type: KType; group: number }[] = [];
  patterns.forEach((p: KNode, i: number) => {
    const k = kindOf(p);
    const last = i === patterns.length - 1;
    if (k === 'StarExpression') re += last ? '.*' : '.*?';
    else if (k === 'StringLiteralExpression') {
      const lit = String(p.ConstantValue ?? '');
      re += mode === 'regex' ? lit : escapeRe(lit);
    } else if (k === 'NameDeclaration' || k === 'NameAndTypeDeclaration') {
      const name = String(k === 'NameDeclaration' ? p.SimpleName : p.Name.SimpleName);
      const type = (out.find((c) => c.name === name)?.type ?? 'string') as KType;
      const body = type === 'long' || type === 'int' ? '-?\\d+' : type === 'real' ? '-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?' : last ? '.*' : '.*?';
      re += `(${body})`;
      extracted.push({ name, type, group: extracted.length + 1 });
    } else ctx.unsupported(p, `the parse pattern element ${k}`);
  });
  const names = new Set(extracted.map((e) => e.name));
  const select: string[] = [];
  const cols: Col[] = [];
  for (const c of out) {
    const e = extracted.find((x) => x.name === c.name);
    if (e) select.push(`${convert({ sql: `regexp_extract(${source}, ${sqlString(re)}, ${e.group}, 's')`, type: 'string' }, c.type)} AS ${q(c.name)}`);
    else if (!names.has(c.name)) select.push(q(c.name));
    cols.push(c);
  }
  return ctx.add(`SELECT ${select.join(', ')}${carry(ctx)} FROM ${rel.from}`, cols);
}
