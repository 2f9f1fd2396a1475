// union (https://learn.microsoft.com/kusto/query/union-operator): columns are matched by name; a
// name whose type differs between inputs becomes one column per type (Name_string, Name_dynamic…),
// exactly as the binder names them; a column an input lacks is null there ("" for strings).
import { kindOf, nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { listItems, q, resultCols, sqlString } from './context.ts';
import type { Col, Ctx, Rel } from './context.ts';
import { tabular } from './tabular.ts';
import { KqlError } from '../errors.ts';
import { convert, sqlTypeOf } from './values.ts';

export function compileUnion(input: Rel | undefined, op: KNode, ctx: Ctx): Rel {
  const out = resultCols(op, ctx);
  let source: string | undefined;
  let fuzzy = false;
  for (const p of listItems(op.Parameters)) {
    const name = nodeText(p.Name).toLowerCase();
    if (name === 'withsource') source = nodeText(p.Expression);
    else if (name === 'isfuzzy') fuzzy = nodeText(p.Expression).toLowerCase() === 'true';
    else if (name === 'kind') continue;
    else return ctx.fail('UnsupportedOperator', `union parameter ${name} is not supported`, p);
  }
  const inputs: { rel: Rel; label: string }[] = [];
  if (input) inputs.push({ rel: input, label: 'union_arg0' });
  for (const e of listItems(op.Expressions)) {
    const label = kindOf(e) === 'NameReference' ? String(e.SimpleName) : String(e.ResultType?.Name ?? '') || `union_arg${inputs.length}`;
    let rel: Rel;
    try {
      rel = tabular(e, ctx);
    } catch (err) {
      // isfuzzy=true: an operand reading a table that does not exist is ignored, as in Kusto.
      if (fuzzy && err instanceof KqlError && err.code === 'SemanticError') continue;
      throw err;
    }
    inputs.push({ rel, label });
  }
  if (!inputs.length) return ctx.fail('SemanticError', 'none of the union operands refers to a table Tessera has', op);
  const selects = inputs.map(({ rel, label }) => {
    const have = new Map(rel.cols.map((c) => [c.name, c]));
    const cols = out.map((c) => `${columnFor(c, have, source, label)} AS ${q(c.name)}`);
    return `SELECT ${cols.join(', ')} FROM ${rel.from}`;
  });
  return ctx.add(selects.join(' UNION ALL '), out);
}

function columnFor(c: Col, have: Map<string, Col>, source: string | undefined, label: string): string {
  if (source && c.name === source) return sqlString(label);
  const exact = have.get(c.name);
  if (exact) return convert({ sql: q(exact.name), type: exact.type }, c.type);
  const m = /^(.*)_(string|long|int|real|bool|datetime|timespan|dynamic|guid|decimal)$/.exec(c.name);
  if (m) {
    const base = have.get(m[1]!);
    if (base && base.type === m[2]) return convert({ sql: q(base.name), type: base.type }, c.type);
    if (base) return `CAST(NULL AS ${sqlTypeOf(c.type)})`;
  }
  return c.type === 'string' ? "''" : `CAST(NULL AS ${sqlTypeOf(c.type)})`;
}

