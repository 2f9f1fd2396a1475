/** Runs `tessera …` in-process (main from src/cli/main.ts) and collects its output. */
import { main } from '../../src/cli/main.ts';
import type { CliIO } from '../../src/cli/command.ts';

export function cliIO(): CliIO & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (l) => outLines.push(l), err: (l) => errLines.push(l), env: {}, cwd: process.cwd(), isTTY: false };
}

export async function run(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const io = cliIO();
  const code = await main(args, io);
  return { code, out: io.outLines.join('\n'), err: io.errLines };
}
