import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { after } from 'node:test';
import { runStoreContract } from './contract.ts';
import { runPolicyRepositoryContract } from '../policy/repository-contract.ts';
import { runRiskRepositoryContract } from '../risk/repository.contract.ts';
import { newId } from '../util/ids.ts';
import { openPostgresStore, openSqliteStore } from './open.ts';

runStoreContract('sqlite', () => openSqliteStore(':memory:'));
runPolicyRepositoryContract('sqlite', async () => (await openSqliteStore(':memory:')).policies(newId()));
runRiskRepositoryContract('sqlite', async () => (await openSqliteStore(':memory:')).risk(newId()));

const url = process.env.TESSERA_TEST_DATABASE_URL;
if (url) {
  const schema = `tessera_test_${randomBytes(4).toString('hex')}`;
  runStoreContract('postgres', () => openPostgresStore(url, { schema }));
  let pgStore: Awaited<ReturnType<typeof openPostgresStore>> | undefined;
  runPolicyRepositoryContract('postgres', async () => (pgStore ??= await openPostgresStore(url, { schema })).policies(newId()));
  runRiskRepositoryContract('postgres', async () => (pgStore ??= await openPostgresStore(url, { schema })).risk(newId()));
  after(async () => {
    await pgStore?.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });
}
