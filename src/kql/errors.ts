/**
 * The one error type of the KQL engine. `code` is stable (tests and the Log Analytics API error
 * shape use it); `position` is 1-based line and column in the query text.
 */
export type KqlErrorCode =
  | 'SyntaxError' // the Kusto parser rejected the text
  | 'SemanticError' // the Kusto binder rejected it (unknown table, column, function, wrong types)
  | 'UnsupportedOperator' // valid KQL that Tessera does not run (e.g. `make-series`)
  | 'UnsupportedFunction'
  | 'UnsupportedExpression'
  | 'InvalidArgument' // e.g. a bad `timespan`
  | 'ExecutionError'; // DuckDB failed while running the compiled query

export interface KqlPosition {
  line: number;
  column: number;
}

export class KqlError extends Error {
  override readonly name = 'KqlError';
  constructor(
    readonly code: KqlErrorCode,
    message: string,
    readonly position?: KqlPosition,
  ) {
    super(position ? `${message} (line ${position.line}, column ${position.column})` : message);
  }
}

/** 1-based line/column of a character offset. */
export function positionAt(text: string, offset: number): KqlPosition {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}
