// Parses and binds KQL with Microsoft's parser; any error diagnostic becomes a KqlError at its
// position. Semantic errors (unknown table or column, wrong argument types) are reported exactly as
// Kusto's binder words them, so users see the same message Log Analytics would give.
import { KqlError, positionAt } from './errors.ts';
import { Kusto, kindOf, nodeText } from './kusto-language.ts';
import type { KNode } from './kusto-language.ts';
import { tesseraGlobals } from './schema-symbols.ts';

export interface ParsedQuery {
  text: string;
  /** The root QueryBlock. */
  root: KNode;
}

export function parseKql(original: string): ParsedQuery {
  let text = original;
  let code = Kusto.KustoCode.ParseAndAnalyze(text, tesseraGlobals());
  // `union isfuzzy=true` ignores operands whose tables do not exist (Kusto resolves this at run
  // time, the binder cannot: it types their columns "unknown" and splits same-named columns by type).
  // Drop such operands from the text and bind again, so the rest is typed as Kusto would run it.
  for (let i = 0; i < 8; i++) {
    const cut = fuzzyMissingOperand(code.Syntax);
    if (!cut) break;
    text = text.slice(0, cut.start) + ' '.repeat(cut.end - cut.start) + text.slice(cut.end);
    code = Kusto.KustoCode.ParseAndAnalyze(text, tesseraGlobals());
  }
  // Syntax diagnostics first (the parser's), then the binder's; both carry Category "General".
  for (const [code_, diags] of [['SyntaxError', code.GetSyntaxDiagnostics()], ['SemanticError', code.GetDiagnostics()]] as const) {
    for (let i = 0; i < diags.Count; i++) {
      const d = diags.getItem(i);
      if (String(d.Severity) !== 'Error') continue;
      throw new KqlError(code_, String(d.Message), positionAt(text, d.Start as number));
    }
  }
  return { text, root: code.Syntax };
}

/** The text span (with its comma) of one operand of a fuzzy union whose schema the binder could not resolve. */
function fuzzyMissingOperand(root: KNode): { start: number; end: number } | undefined {
  let found: { start: number; end: number } | undefined;
  const walk = (n: KNode): void => {
    if (!n || found || n.IsToken) return;
    if (kindOf(n) === 'UnionOperator' && /isfuzzy\s*=\s*true/i.test(nodeText(n.Parameters))) {
      const list = n.Expressions;
      const count = list.ChildCount as number;
      for (let i = 0; i < count && !found; i++) {
        const sep = list.GetChild(i);
        const e = sep.Element ?? sep.GetChild(0);
        if (!e || !unresolved(e)) continue;
        if (count === 1) return; // nothing would remain: let the binder's error stand
        // Remove the element with its trailing comma, or (for the last one) the preceding comma.
        const start = i === count - 1 ? (list.GetChild(i - 1).Separator?.TextStart ?? sep.TextStart) : sep.TextStart;
        found = { start: start as number, end: sep.End as number };
      }
    }
    for (let i = 0; i < n.ChildCount; i++) walk(n.GetChild(i));
  };
  walk(root);
  return found;
}

function unresolved(e: KNode): boolean {
  const t = e.ResultType;
  if (!t || t.Kind !== 10) return true;
  const cols = t.Columns;
  for (let i = 0; i < cols.Count; i++) if (String(cols.getItem(i).Type?.Name) === 'unknown') return true;
  return false;
}
