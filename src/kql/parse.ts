// Parses and binds KQL with Microsoft's parser; any error diagnostic becomes a KqlError at its
// position. Semantic errors (unknown table or column, wrong argument types) are reported exactly as
// Kusto's binder words them, so users see the same message Log Analytics would give.
import { KqlError, positionAt } from './errors.ts';
import { Kusto } from './kusto-language.ts';
import type { KNode } from './kusto-language.ts';
import { tesseraGlobals } from './schema-symbols.ts';

export interface ParsedQuery {
  text: string;
  /** The root QueryBlock. */
  root: KNode;
}

export function parseKql(text: string): ParsedQuery {
  const code = Kusto.KustoCode.ParseAndAnalyze(text, tesseraGlobals());
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
