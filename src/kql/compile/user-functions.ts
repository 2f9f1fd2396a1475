// Calls to functions declared with `let f = (a:string, ...) { ... }`. The binder gives us each call's
// expansion (the body bound to this call's arguments); parameters are bound by name to the
// compiled arguments for the duration of the body.
import type { KNode } from '../kusto-language.ts';
import { kustoType, listItems } from './context.ts';
import type { Ctx, Env, Rel } from './context.ts';
import { scalar } from './scalar.ts';
import { compileLet, tabular } from './tabular.ts';
import type { Sql } from './values.ts';

function bindArguments(node: KNode, decl: KNode, env: Env | undefined, ctx: Ctx): void {
  const params = listItems(decl.Parameters.Parameters).map((p: KNode) => String(p.NameAndType.Name.SimpleName));
  const args = listItems(node.ArgumentList.Expressions);
  params.forEach((name, i) => {
    const arg = args[i];
    if (!arg) return;
    if (arg.ResultType?.Kind === 10) ctx.bind(name, { kind: 'tabular', rel: tabular(arg, ctx) });
    else if (env) {
      const v = scalar(arg, env);
      ctx.bind(name, { kind: 'scalar', sql: v.sql, type: v.type });
    } else {
      const v = scalar(arg, { ctx, col: () => undefined });
      ctx.bind(name, { kind: 'scalar', sql: v.sql, type: kustoType(arg, ctx) });
    }
  });
}

function expansionOf(node: KNode, ctx: Ctx): KNode {
  const body = node.GetExpansion();
  if (!body) return ctx.unsupported(node, 'this function call');
  return body;
}

export function callUserFunction(node: KNode, env: Env, decl: KNode): Sql {
  const body = expansionOf(node, env.ctx);
  env.ctx.push();
  try {
    bindArguments(node, decl, env, env.ctx);
    for (const st of listItems(body.Statements)) compileLet(st, env.ctx);
    return scalar(body.Expression, env);
  } finally {
    env.ctx.pop();
  }
}

export function tabularUserCall(node: KNode, ctx: Ctx, decl: KNode): Rel {
  const body = expansionOf(node, ctx);
  ctx.push();
  try {
    bindArguments(node, decl, undefined, ctx);
    for (const st of listItems(body.Statements)) compileLet(st, ctx);
    return tabular(body.Expression, ctx);
  } finally {
    ctx.pop();
  }
}
