// `tessera logs import FILE --table T [--data DIR]`: all-or-nothing import (see src/logs/import.ts).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CliUsageError } from '../command.ts';
import type { CliCommand } from '../command.ts';
import { openAnalyticsStore } from '../../logs/analytics-store.ts';
import { importFile } from '../../logs/import.ts';
import { isLogTableName, tableNames } from '../../logs/schema.ts';
import { dataDir, parseFlags } from './query.ts';

const usage = `usage: tessera logs import FILE --table T [--data DIR]
  Imports Log Analytics rows (JSON lines, or CSV as exported) into table T. If any line is bad,
  every bad line is reported and nothing is imported. Tables: ${tableNames.join(', ')}`;

export const command: CliCommand = {
  path: ['logs', 'import'],
  summary: 'Import Log Analytics rows (JSON lines or CSV) into a log table',
  usage,
  async run(args, io) {
    let store;
    try {
      const { positional, flags } = parseFlags(args, ['table', 'data', 'format']);
      if (positional.length !== 1) throw new CliUsageError('expected exactly one FILE');
      const table = flags.get('table');
      if (!table) throw new CliUsageError('--table is required');
      if (!isLogTableName(table)) throw new CliUsageError(`unknown table ${table}`);
      const file = positional[0]!;
      if (!existsSync(file)) throw new Error(`no such file: ${file}`);
      const format = flags.get('format');
      if (format !== undefined && format !== 'jsonl' && format !== 'csv') throw new CliUsageError('--format must be jsonl or csv');
      const dir = dataDir(flags, io);
      mkdirSync(dir, { recursive: true });
      store = await openAnalyticsStore({ path: join(dir, 'logs.duckdb') });
      const n = await importFile(store, table, file, {
        ...(format ? { format } : {}),
        onProgress: (done, total) => {
          if (!io.isTTY) return;
          const w = 30;
          const filled = Math.round((done / Math.max(total, 1)) * w);
          process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(w - filled)}] ${done}/${total}`);
          if (done === total) process.stderr.write('\n');
        },
      });
      io.out(`imported ${n} rows into ${table}`);
      return 0;
    } catch (err) {
      if (err instanceof CliUsageError) {
        io.err(`tessera logs import: ${err.message} (see tessera logs import --help)`);
        return 2;
      }
      io.err(`tessera logs import: ${(err as Error).message.split('\n')[0]}`);
      return 1;
    } finally {
      await store?.close();
    }
  },
};
