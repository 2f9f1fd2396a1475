/**
 * `tessera policy import DIR|FILE` and `tessera policy export DIR`: conditional access policies and
 * named locations as Graph JSON files, read from and written to the tenant's store. Exports from
 * Entra import as they are (UTF-16, annotations, beta keys); a refused file names the property and why.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { CliUsageError, type CliCommand, type CliIO } from '../command.ts';
import { loadConfig } from '../../config/load.ts';
import { openStore } from '../../store/open.ts';
import type { Store, Tenant } from '../../store/types.ts';
import { exportAll, importPath } from '../../policy/index.ts';

async function withTenant<T>(io: CliIO, values: { data?: string | undefined; tenant?: string | undefined }, fn: (store: Store, tenant: Tenant) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env, values.data ? { dataDir: values.data } : {});
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const tenants = await store.tenants.list();
    const tenant = values.tenant ? await store.tenants.get(values.tenant) : tenants.length === 1 ? tenants[0] : undefined;
    if (!tenant) throw new Error(values.tenant ? `no tenant '${values.tenant}'` : tenants.length ? 'several tenants exist; name one with --tenant' : 'no tenant yet; run tessera start once');
    return await fn(store, tenant);
  } finally {
    await store.close();
  }
}

const options = { data: { type: 'string' }, tenant: { type: 'string' }, json: { type: 'boolean' } } as const;

function parse(args: string[]) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
}

export const importCommand: CliCommand = {
  path: ['policy', 'import'],
  summary: 'Import conditional access policies and named locations (Graph JSON files or a folder)',
  usage: `tessera policy import DIR|FILE [--tenant DOMAIN|ID] [--data DIR] [--json]

Imports every .json file (recursively). Files Tessera cannot take are refused with the property and
the reason; the others are stored. Exit code 1 when any file was refused.`,
  async run(args, io) {
    const { values, positionals } = parse(args);
    if (positionals.length !== 1) throw new CliUsageError('give one file or folder to import');
    const path = positionals[0]!;
    if (!existsSync(path)) throw new Error(`${path}: no such file or folder`);
    const report = await withTenant(io, values, (store, tenant) => importPath(store.policies(tenant.id), path));
    if (values.json) io.out(JSON.stringify(report, null, 2));
    else {
      for (const f of report.files) {
        io.out(f.status === 'imported' ? `imported  ${f.file} (${f.kinds.join(', ')})${f.warnings.length ? ` — ${f.warnings.join('; ')}` : ''}` : `refused   ${f.file}: ${f.refusal?.property}: ${f.refusal?.reason}`);
      }
      io.out(`${report.imported} imported, ${report.refused} refused`);
    }
    return report.refused ? 1 : 0;
  },
};

export const exportCommand: CliCommand = {
  path: ['policy', 'export'],
  summary: 'Export conditional access policies and named locations as Graph JSON files',
  usage: 'tessera policy export DIR [--tenant DOMAIN|ID] [--data DIR]\n\nWrites DIR/policies/*.json and DIR/namedLocations/*.json; import them again with tessera policy import.',
  async run(args, io) {
    const { values, positionals } = parse(args);
    if (positionals.length !== 1) throw new CliUsageError('give the folder to export into');
    const n = await withTenant(io, values, (store, tenant) => exportAll(store.policies(tenant.id), positionals[0]!));
    io.out(`exported ${n} objects to ${positionals[0]}`);
    return 0;
  },
};
