import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRiskEngine } from '../../src/risk/engine.ts';
import { DeviceSignalError } from '../../src/risk/offline/device-signals.ts';
import { LeakReportError, parseLeakReport } from '../../src/risk/offline/leaked-credentials.ts';
import { T0 } from './helpers.ts';

const SECRET = 'Xy7Q~abcdefghijklmnopqrstuvwxyz0123456789';
const gitleaks = JSON.stringify([
  { Description: 'Azure client secret', StartLine: 12, File: 'deploy/app.env', Commit: 'abc123', RuleID: 'azure-ad-client-secret', Secret: SECRET, Match: `CLIENT_SECRET=${SECRET}` },
  { Description: 'Stale secret', StartLine: 3, File: 'old.env', Commit: 'def', RuleID: 'generic-api-key', Secret: 'not-a-current-secret' },
  { Description: 'empty', Secret: '' },
]);
const trufflehog = [
  JSON.stringify({ SourceMetadata: { Data: { Git: { commit: 'c1', file: 'cfg.yaml', line: 4, repository: 'https://git.example/x' } } }, DetectorName: 'AzureEntra', Verified: true, Raw: SECRET }),
  '',
  JSON.stringify({ SourceMetadata: {}, DetectorName: 'Generic', Raw: 'zzz' }),
].join('\n');
const pairs = '# combolist\nana@contoso.example:CorrectHorse1\nbo@contoso.example:wrong\nnot a pair\nCARL@contoso.example,Pa,ss:word\n';

function engineWithCredentials() {
  const verified: string[] = [];
  const engine = createRiskEngine({
    now: () => T0,
    directory: {
      getUser: (id) => (id === 'u-ana' ? { id: 'u-ana', userPrincipalName: 'ana@contoso.example' } : undefined),
      getUserByPrincipalName: (upn) => (upn === 'ana@contoso.example' ? { id: 'u-ana', userPrincipalName: upn } : upn === 'carl@contoso.example' ? { id: 'u-carl', userPrincipalName: upn } : undefined),
      getServicePrincipal: () => undefined,
    },
    credentials: {
      verifyPassword: (upn, pw) => { verified.push(upn); return (upn === 'ana@contoso.example' && pw === 'CorrectHorse1') || (upn === 'carl@contoso.example' && pw === 'Pa,ss:word'); },
      matchClientSecret: (s) => (s === SECRET ? { servicePrincipalId: 'sp-9', appId: 'app-9', displayName: 'Deployer', keyId: 'key-1' } : undefined),
    },
  });
  return { engine, verified };
}

test('parsers: gitleaks, trufflehog JSON lines, credential pairs; garbage is a clear error', () => {
  assert.deepEqual(parseLeakReport(gitleaks).map((c) => [c.kind, c.location['file']]), [['secret', 'deploy/app.env'], ['secret', 'old.env']]);
  assert.deepEqual(parseLeakReport(trufflehog).map((c) => c.location['detector']), ['AzureEntra', 'Generic']);
  assert.deepEqual(parseLeakReport(pairs).map((c) => c.upn), ['ana@contoso.example', 'bo@contoso.example', 'carl@contoso.example']);
  assert.equal(parseLeakReport(pairs)[2]?.secret, 'Pa,ss:word', 'only the first separator splits');
  assert.throws(() => parseLeakReport('[{"Secret": 1', 'gitleaks'), LeakReportError);
  assert.throws(() => parseLeakReport('{"a":1}', 'gitleaks'), /JSON array/);
  assert.throws(() => parseLeakReport('{"Raw":"x"}\n{oops', 'trufflehog'), /line 2/);
});

test('leaked user passwords that are still valid raise leakedCredentials (high); plaintext is nowhere in the result', async () => {
  const { engine, verified } = engineWithCredentials();
  const r = await engine.ingestLeakedCredentials(pairs, { source: 'paste-site' });
  assert.equal(r.candidates, 3);
  assert.deepEqual(verified, ['ana@contoso.example', 'bo@contoso.example', 'carl@contoso.example']);
  assert.deepEqual(r.userDetections.map((d) => [d.userId, d.riskEventType, d.riskLevel, d.detectionTimingType, d.activity]), [
    ['u-ana', 'leakedCredentials', 'high', 'offline', 'user'], ['u-carl', 'leakedCredentials', 'high', 'offline', 'user'],
  ]);
  const dump = JSON.stringify(r) + JSON.stringify(await engine.repository.listDetections());
  assert.ok(!dump.includes('CorrectHorse1') && !dump.includes('Pa,ss:word'), 'no plaintext password stored or returned');
  assert.equal(engine.userRiskLevel('u-ana'), 'high');
});

test('a leaked client secret matched to a current credential raises leakedCredentials on the service principal', async () => {
  const { engine } = engineWithCredentials();
  for (const report of [gitleaks, trufflehog]) {
    const r = await engine.ingestLeakedCredentials(report);
    assert.equal(r.servicePrincipalDetections.length, 1);
    const d = r.servicePrincipalDetections[0]!;
    assert.deepEqual([d.servicePrincipalId, d.riskEventType, d.riskLevel, d.keyIds], ['sp-9', 'leakedCredentials', 'high', ['key-1']]);
    assert.ok(!JSON.stringify(d).includes(SECRET));
    assert.match(d.additionalInfo!, /secretSha256Prefix/);
  }
  assert.equal((await engine.repository.getRiskyServicePrincipal('sp-9'))?.riskLevel, 'high');
});

test('unresolvable matches are reported, not dropped; no callbacks is an explicit error', async () => {
  const { engine } = engineWithCredentials();
  const r = await engine.ingestLeakedCredentials('bo@contoso.example:x', { format: 'pairs' });
  assert.deepEqual(r.unresolved, []);
  const lonely = createRiskEngine({ credentials: { verifyPassword: () => true, matchClientSecret: () => undefined } });
  assert.deepEqual((await lonely.ingestLeakedCredentials('who@contoso.example:pw')).unresolved, ['who@contoso.example']);
  await assert.rejects(createRiskEngine().ingestLeakedCredentials('a@b.c:d'), /credentials/);
});

test('attemptedPrtAccess from an endpoint agent: validated, high, user activity', async () => {
  const { engine } = engineWithCredentials();
  const d = await engine.ingestDeviceSignal({
    type: 'attemptedPrtAccess', deviceId: 'dev-1', userId: 'u-ana', userPrincipalName: 'ana@contoso.example',
    observedDateTime: '2026-03-02T09:00:00Z', processName: 'rundll32.exe', reportedBy: 'tessera-agent',
  });
  assert.deepEqual([d.riskEventType, d.riskLevel, d.activity, d.source, d.requestId], ['attemptedPrtAccess', 'high', 'user', 'tessera-agent', null]);
  assert.equal(engine.userRiskLevel('u-ana'), 'high');
  for (const bad of [null, {}, { type: 'attemptedPrtAccess' }, { type: 'other', deviceId: 'd', userId: 'u', userPrincipalName: 'a@b.c', observedDateTime: '2026-03-02T09:00:00Z' },
    { type: 'attemptedPrtAccess', deviceId: 'd', userId: 'u', userPrincipalName: 'a@b.c', observedDateTime: 'yesterday' }]) {
    await assert.rejects(engine.ingestDeviceSignal(bad), DeviceSignalError);
  }
});
