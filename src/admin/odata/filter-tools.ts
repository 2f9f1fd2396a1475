/**
 * Small operations endpoints need on bound filters: which properties a filter reads (e.g. `/auditLogs/signIns`
 * lists interactive sign-ins only unless the filter mentions `signInEventTypes` or `isInteractive`), and
 * conjoining a server-side condition with the client's filter.
 */
import type { FilterExpr } from './types.ts';

/** Catalogue paths a filter reads, including collections used in lambdas and their element fields. */
export function referencedPaths(filter: FilterExpr | undefined): Set<string> {
  const out = new Set<string>();
  const walk = (e: FilterExpr): void => {
    switch (e.kind) {
      case 'and':
      case 'or': walk(e.left); walk(e.right); return;
      case 'not': walk(e.operand); return;
      case 'compare':
      case 'in':
      case 'function': out.add(e.target.path); return;
      case 'lambda': out.add(e.collection); if (e.predicate) walk(e.predicate); return;
    }
  };
  if (filter) walk(filter);
  return out;
}

/** `a and b`, where either side may be absent. */
export function conjoin(a: FilterExpr | undefined, b: FilterExpr | undefined): FilterExpr | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { kind: 'and', left: a, right: b };
}
