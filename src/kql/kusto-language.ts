// Loads Microsoft's Kusto parser and binder (@kusto/language-service-next, a Bridge.NET build of
// Kusto.Language). The package is a pair of browser-style scripts that define the global `Kusto`
// namespace, so it is loaded once with require and reached through globalThis.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The untyped Bridge.NET object graph; node shapes are read through the helpers in syntax.ts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KNode = any;

interface KustoGlobal {
  Language: KNode;
}

function load(): KNode {
  const g = globalThis as unknown as { Kusto?: KustoGlobal };
  if (!g.Kusto?.Language?.KustoCode) {
    require('@kusto/language-service-next/bridge.js');
    require('@kusto/language-service-next/Kusto.Language.Bridge.js');
  }
  return (globalThis as unknown as { Kusto: KustoGlobal }).Kusto.Language;
}

export const Kusto: KNode = load();

const syntaxKindNames = new Map<number, string>();
for (const [k, v] of Object.entries(Kusto.Syntax.SyntaxKind as Record<string, unknown>)) {
  if (typeof v === 'number') syntaxKindNames.set(v, k);
}

/** The SyntaxKind name of a node or token, e.g. `FilterOperator`, `HasExpression`. */
export function kindOf(node: KNode): string {
  return syntaxKindNames.get(node.Kind as number) ?? `Kind${String(node.Kind)}`;
}

/**
 * The source text of a node, rebuilt from its tokens. Offsets cannot be used for this: nodes of a
 * function's expansion (a `let f = (...) {...}` call) point into the body's own text.
 */
export function nodeText(node: KNode): string {
  if (node.IsToken) return String(node.Text);
  const first = node.GetFirstToken();
  const last = node.GetLastToken();
  if (!first) return '';
  let out = String(first.Text);
  let t = first;
  while (t && t !== last) {
    t = t.GetNextToken();
    if (!t) break;
    out += String(t.Trivia ?? '') + String(t.Text);
  }
  return out;
}
