import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../command.ts';
import { loadConfig } from '../../config/load.ts';
import { startTessera } from '../../server/start.ts';

export const command: CliCommand = {
  path: ['start'],
  summary: 'Start the Tessera server',
  usage: `tessera start [--port N] [--host H] [--data DIR] [--tls-cert FILE --tls-key FILE] [--dev-tls]

Starts Tessera on http://127.0.0.1:8080 with its data in ./data (SQLite directory, DuckDB logs).
On first start it creates a tenant, an admin user and an automation client and prints their
credentials once. Environment: TESSERA_PORT, TESSERA_HOST, TESSERA_DATA, DATABASE_URL (PostgreSQL),
TESSERA_TENANT_DOMAIN, TESSERA_BOOTSTRAP_ADMIN_USER/PASSWORD, TESSERA_BOOTSTRAP_CLIENT_ID/SECRET,
TESSERA_TRUSTED_PROXIES, TESSERA_MASTER_KEY; see docs/configuration.md for all settings.`,
  async run(args, io) {
    let values;
    try {
      ({ values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'dev-tls': { type: 'boolean' } }, strict: true, allowPositionals: false }));
    } catch (e) {
      throw new CliUsageError((e as Error).message);
    }
    const config = loadConfig(io.env, {
      ...(values.port !== undefined ? { port: values.port } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(values.data !== undefined ? { dataDir: values.data } : {}),
      ...(values['tls-cert'] !== undefined ? { tlsCert: values['tls-cert'] } : {}),
      ...(values['tls-key'] !== undefined ? { tlsKey: values['tls-key'] } : {}),
      ...(values['dev-tls'] ? { devTls: 'true' } : {}),
    });
    const running = await startTessera(config, { env: io.env, announce: (lines) => lines.forEach((l) => io.out(l)) });
    const tenants = await running.app.store.tenants.list();
    io.out(`Tessera listening on ${running.url}`);
    for (const t of tenants) io.out(`  tenant ${t.domain}: ${running.url}/${t.id}/v2.0/.well-known/openid-configuration`);
    await new Promise<void>((resolve) => {
      const stop = () => { io.out('shutting down'); void running.close().then(resolve, resolve); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
