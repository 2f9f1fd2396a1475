/**
 * The shape of a `tessera` sub-command. Each command lives in its own file under
 * `src/cli/commands/` and is listed in `src/cli/main.ts`. Commands print through `io`, never
 * `console`, so tests can run them in-process; they return the exit code and turn bad input into
 * a one-line reason on `io.err` with a non-zero code, never a stack trace.
 */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** True when stderr is a terminal: progress bars draw only then. */
  isTTY: boolean;
}

export interface CliCommand {
  /** Words that select the command, e.g. `['logs', 'import']`. */
  readonly path: readonly string[];
  /** One line for `tessera --help`. */
  readonly summary: string;
  /** Full usage text for `tessera <command> --help`. */
  readonly usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** A usage error: printed as one line with the command's usage hint, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}
