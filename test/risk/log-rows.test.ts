import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logTables } from '../../src/logs/tables.generated.ts';
import { createRiskEngine } from '../../src/risk/engine.ts';
import { riskyServicePrincipalRow, riskyUserRow, servicePrincipalRiskEventRow, shapeRow, userRiskEventRow } from '../../src/risk/log-rows.ts';
import { ATTACKER_PC, ev, token, train } from './helpers.ts';

const ctx = { tenantId: 'ws-1' };
const cols = (t: keyof typeof logTables) => logTables[t].map((c) => c.name);

test('each mapper fills exactly the table columns with Graph values', async () => {
  const engine = createRiskEngine();
  const t = await train(engine);
  const e = ev('lagos', t, { isInteractive: false, presentedToken: token('homeLondon', t - 3_600_000), device: ATTACKER_PC, correlationId: 'corr-1' });
  const out = await engine.recordOutcome(e, engine.assessSignIn(e));
  const d = out.detections.find((x) => x.riskEventType === 'anomalousToken')!;
  const row = userRiskEventRow(d, ctx);
  assert.deepEqual(Object.keys(row), cols('AADUserRiskEvents'));
  assert.equal(row['RiskEventType'], 'anomalousToken');
  assert.equal(row['RequestId'], e.requestId);
  assert.equal(row['CorrelationId'], 'corr-1');
  assert.equal(row['Type'], 'AADUserRiskEvents');
  assert.equal(row['TenantId'], 'ws-1');
  assert.equal((row['Location'] as { countryOrRegion: string }).countryOrRegion, 'NG');
  assert.ok(Array.isArray(row['AdditionalInfo']), 'dynamic column holds parsed JSON');
  assert.equal(row['_BilledSize'], null);

  const u = riskyUserRow(out.riskyUser!, ctx);
  assert.deepEqual(Object.keys(u), cols('AADRiskyUsers'));
  assert.equal(u['RiskLevel'], 'high');
  assert.equal(u['UserPrincipalName'], 'ana@contoso.example');

  const spd = await engine.flagApplication({ id: 'sp-1', appId: 'app-1', displayName: 'Worker' }, 'malicious', 'tos violation');
  const sr = servicePrincipalRiskEventRow(spd, ctx);
  assert.deepEqual(Object.keys(sr), cols('AADServicePrincipalRiskEvents'));
  assert.equal(sr['RiskEventType'], 'maliciousApplication');
  assert.deepEqual(sr['KeyIds'], []);
  const rsp = riskyServicePrincipalRow((await engine.repository.getRiskyServicePrincipal('sp-1'))!, ctx);
  assert.deepEqual(Object.keys(rsp), cols('AADRiskyServicePrincipals'));
  assert.equal(rsp['AppId'], 'app-1');
  assert.equal(rsp['AccountEnabled'], true);
});

test('shapeRow refuses a column the table does not have', () => {
  assert.throws(() => shapeRow('AADRiskyUsers', { NotAColumn: 1 }), /AADRiskyUsers has no column NotAColumn/);
});
