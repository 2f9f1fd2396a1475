/**
 * Seeds a fresh Tessera data folder before the benchmark starts the server: bootstraps the tenant
 * (same env as the server) and adds a public client with the bench redirect URI for the code flow,
 * through Tessera's store — the way the project's flow tests create fixtures — because the Graph
 * `POST /v1.0/applications` route may not exist yet. Prints `BENCH_SEED {"clientId":…}`.
 * Usage (by tessera.ts only): node --import tsx bench/targets/tessera-seed.ts <dataDir> <redirectUri>
 */
import { openTessera } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { newId } from '../../src/util/ids.ts';

const [dataDir, redirectUri] = process.argv.slice(2);
if (!dataDir || !redirectUri) {
  process.stderr.write('usage: tessera-seed.ts <dataDir> <redirectUri>\n');
  process.exit(2);
}
const config = loadConfig(process.env, { dataDir, port: '0', host: '127.0.0.1' });
const app = await openTessera(config, { env: process.env });
try {
  const domain = (process.env.TESSERA_TENANT_DOMAIN ?? '').toLowerCase();
  const tenants = await app.store.tenants.list();
  const tenant = tenants.find((t) => t.domain === domain) ?? tenants[0];
  if (!tenant) throw new Error('no tenant after bootstrap');
  const now = Date.now();
  const appId = newId();
  await app.store.applications.create({
    id: newId(), tenantId: tenant.id, appId, displayName: 'tessera-bench', isPublic: true, signInAudience: 'AzureADMyOrg',
    redirectUris: [redirectUri], identifierUris: [], appRoles: [], scopes: [], tokenProtectionRequired: false, createdAt: now, updatedAt: now,
  });
  await app.store.servicePrincipals.create({ id: newId(), tenantId: tenant.id, appId, displayName: 'tessera-bench', accountEnabled: true, createdAt: now });
  process.stdout.write(`BENCH_SEED ${JSON.stringify({ clientId: appId, tenantId: tenant.id })}\n`);
} finally {
  await app.close();
}
process.exit(0);
