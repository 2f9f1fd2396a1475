/**
 * `tessera` — the command-line entry. Each sub-command is a module under ./commands; this file only
 * picks one, prints help, and turns failures into a one-line reason with a non-zero exit code.
 */
import type { CliCommand, CliIO } from './command.ts';
import { CliUsageError } from './command.ts';
import { command as start } from './commands/start.ts';
import { command as tenantCreate } from './commands/tenant-create.ts';
import { command as query } from './commands/query.ts';
import { command as logsImport } from './commands/logs-import.ts';
import { importCommand as policyImport, exportCommand as policyExport } from './commands/policy.ts';
import { deviceCommands } from './commands/device.ts';
import { ConfigError } from '../config/load.ts';

export const commands: CliCommand[] = [start, tenantCreate, query, logsImport, policyImport, policyExport, ...deviceCommands];

function help(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return [
    'Tessera — a self-hosted identity provider that makes stolen tokens worthless.',
    '',
    'Usage: tessera <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    "Run 'tessera <command> --help' for a command's options.",
  ].join('\n');
}

export function findCommand(argv: string[]): { cmd: CliCommand; rest: string[] } | undefined {
  let best: { cmd: CliCommand; rest: string[] } | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.cmd.path.length)) best = { cmd: c, rest: argv.slice(c.path.length) };
  }
  return best;
}

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(help());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`tessera: unknown command '${argv.slice(0, 2).join(' ')}'. Run 'tessera --help'.`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    io.out(found.cmd.usage);
    return 0;
  }
  try {
    return await found.cmd.run(found.rest, io);
  } catch (e) {
    if (e instanceof CliUsageError) {
      io.err(`tessera ${found.cmd.path.join(' ')}: ${e.message}. Run 'tessera ${found.cmd.path.join(' ')} --help'.`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`tessera ${found.cmd.path.join(' ')}: ${e instanceof ConfigError ? 'configuration: ' : ''}${msg.split('\n')[0]}`);
    return 1;
  }
}

export function defaultIO(): CliIO {
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stderr.isTTY),
  };
}
