import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../command.ts';
import { loadConfig } from '../../config/load.ts';
import { openStore } from '../../store/open.ts';
import { createTenant } from '../../app/tenants.ts';

export const command: CliCommand = {
  path: ['tenant', 'create'],
  summary: 'Create another tenant with its admin user and automation client',
  usage: `tessera tenant create --domain DOMAIN [--admin-user UPN] [--admin-password P] [--client-id GUID] [--client-secret S] [--data DIR]

Generated passwords and secrets are printed once and never stored.`,
  async run(args, io) {
    let values;
    try {
      ({ values } = parseArgs({ args, options: { domain: { type: 'string' }, 'admin-user': { type: 'string' }, 'admin-password': { type: 'string' }, 'client-id': { type: 'string' }, 'client-secret': { type: 'string' }, data: { type: 'string' } }, strict: true, allowPositionals: false }));
    } catch (e) {
      throw new CliUsageError((e as Error).message);
    }
    if (!values.domain) throw new CliUsageError('--domain is required');
    const config = loadConfig(io.env, values.data ? { dataDir: values.data } : {});
    const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const r = await createTenant(store, { domain: values.domain, adminUser: values['admin-user'], adminPassword: values['admin-password'], clientId: values['client-id'], clientSecret: values['client-secret'] });
      io.out(`Created tenant ${r.domain} (${r.tenantId})`);
      io.out(`  admin user: ${r.adminUser}`);
      if (r.generatedAdminPassword) io.out(`  admin password: ${r.generatedAdminPassword}   (shown once; not stored)`);
      io.out(`  automation client id: ${r.clientId}`);
      if (r.generatedClientSecret) io.out(`  automation client secret: ${r.generatedClientSecret}   (shown once; not stored)`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
