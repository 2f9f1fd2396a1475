// evaluate bag_unpack(Column [, Prefix]) (https://learn.microsoft.com/kusto/query/bag-unpack-plugin):
// one column per top-level key of the bag, named Prefix + key, the bag column removed. The columns
// depend on the data, so the engine asks for the keys first: compilation stops with NeedBagKeys
// carrying a query for them, runKql runs it and compiles again with the keys known.
import { kindOf, nodeText } from '../kusto-language.ts';
import type { KNode } from '../kusto-language.ts';
import { envOf, listItems, q, sqlString } from './context.ts';
import type { Col, Ctx, Rel } from './context.ts';
import { scalar } from './scalar.ts';
import { asDynamic } from './values.ts';

export class NeedBagKeys extends Error {
  override readonly name = 'NeedBagKeys';
  constructor(readonly key: number, readonly sql: string) {
    super('bag_unpack needs the keys of its bags');
  }
}

export function compileBagUnpack(rel: Rel, op: KNode, call: KNode, ctx: Ctx): Rel {
  const args = listItems(call.ArgumentList.Expressions);
  const [bagArg, prefixArg, ...rest] = args;
  if (!bagArg || rest.length || (prefixArg && kindOf(prefixArg) !== 'StringLiteralExpression')) {
    return ctx.fail('UnsupportedFunction', 'bag_unpack is supported with a column and an optional prefix only', call);
  }
  const prefix = prefixArg ? String(prefixArg.ConstantValue ?? '') : '';
  const bag = asDynamic(scalar(bagArg, envOf(ctx, rel)));
  const id = op.TextStart as number;
  const keys = ctx.bagKeys.get(id);
  if (!keys) {
    throw new NeedBagKeys(id, `${ctx.withClause()}SELECT DISTINCT unnest(json_keys(${bag})) AS k FROM ${rel.from} WHERE json_type(${bag}) = 'OBJECT' ORDER BY k`);
  }
  const bagName = kindOf(bagArg) === 'NameReference' ? String(bagArg.SimpleName) : undefined;
  const keep = rel.cols.filter((c) => c.name !== bagName);
  const taken = new Set(keep.map((c) => c.name));
  const added: Col[] = [];
  const select = keep.map((c) => q(c.name));
  for (const k of keys) {
    const name = prefix + k;
    if (taken.has(name)) return ctx.fail('UnsupportedOperator', `bag_unpack: the key '${k}' collides with the column ${name} (${nodeText(call).slice(0, 30)})`, call);
    taken.add(name);
    select.push(`json_extract(${bag}, ${sqlString(`$."${k.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)}) AS ${q(name)}`);
    added.push({ name, type: 'dynamic' });
  }
  return ctx.add(`SELECT ${select.join(', ')} FROM ${rel.from}`, [...keep, ...added]);
}
