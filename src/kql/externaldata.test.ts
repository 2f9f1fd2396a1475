// externaldata: the three Sentinel rules that use it, against files served by a real local HTTP
// server, and the guards that keep the operator from being an SSRF gadget (off by default,
// allowlist, redirects, size cap, time limit, mirror confinement).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { command as queryCommand } from '../cli/commands/query.ts';
import type { CliIO } from '../cli/command.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { openAnalyticsStore } from '../logs/analytics-store.ts';
import { openAnalyticsStoreInWorker } from '../logs/worker-store.ts';
import type { AnalyticsStore } from '../logs/analytics-store.ts';
import { KqlError } from './errors.ts';
import { clearExternalDataCache, externalDataOptions } from './externaldata/source.ts';
import type { ExternalDataOptions } from './externaldata/source.ts';
import { runKql } from './run.ts';
import { handleWorkspaceQuery } from './workspace-query.ts';

const corpus = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus', 'kql', 'sentinel');
const sentinel = (file: string) => readFileSync(join(corpus, file), 'utf8');
const knownAppsUrl = 'https://raw.githubusercontent.com/Azure/Azure-Sentinel/master/Sample%20Data/Feeds/Microsoft.OAuth.KnownApplications.csv';
const nordVpnUrl = 'https://raw.githubusercontent.com/microsoft/mstic/master/nordvpn-servers.csv';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const hits = new Map<string, number>();
let server: Server;
let base: string;
let store: AnalyticsStore;
const now = new Date('2024-06-10T12:00:00Z');

function serve(path: string, body: string, type = 'text/csv'): void {
  routes.set(path, (_req, res) => {
    res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

before(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const h = routes.get(path);
    if (h) return h(req, res);
    res.writeHead(404).end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  store = await openAnalyticsStore({ path: ':memory:' });
  seedAudit();
  seedSignIns();
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
});
beforeEach(() => clearExternalDataCache());

const allowLocal = (): ExternalDataOptions => ({ allow: [`${base}/`] });
async function rows(query: string, externalData?: ExternalDataOptions): Promise<unknown[][]> {
  return (await runKql(store, query, { now, ...(externalData ? { externalData } : {}) })).tables[0]!.rows;
}
async function rejects(query: string, externalData: ExternalDataOptions | undefined, pattern: RegExp, code?: string): Promise<KqlError> {
  let caught: unknown;
  try {
    await runKql(store, query, { now, ...(externalData ? { externalData } : {}) });
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof KqlError, `expected a KqlError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  if (code) assert.equal(caught.code, code);
  return caught;
}

// ---- Rows for the Sentinel rules ----------------------------------------------------------------

const evilApp = 'a1b2c3d4-0000-4000-8000-00000000e011';
const knownApp = '00000003-0000-0000-c000-000000000000';

function consent(appId: string, appName: string, correlationId: string): Record<string, unknown> {
  const consentText = 'ConsentAction.Permissions: [[Id: x, ClientId: y, ConsentType: Principal, Scope: User.Read offline_access Mail.ReadWrite Mail.Send Files.Read.All]';
  return {
    TimeGenerated: new Date(now.getTime() - 3_600_000), LoggedByService: 'Core Directory', Category: 'ApplicationManagement',
    OperationName: 'Consent to application', CorrelationId: correlationId,
    TargetResources: [{ displayName: appName, id: appId.toUpperCase(), modifiedProperties: [{}, {}, {}, {}, { displayName: 'ConsentAction.Permissions', newValue: consentText }] }],
    InitiatedBy: { user: { userPrincipalName: 'victim@contoso.com', ipAddress: '198.51.100.7' } },
    AdditionalDetails: [{ key: 'User-Agent', value: 'Mozilla/5.0' }],
  };
}
function grant(correlationId: string): Record<string, unknown> {
  return {
    TimeGenerated: new Date(now.getTime() - 3_600_000), LoggedByService: 'Core Directory', Category: 'ApplicationManagement',
    OperationName: 'Add delegated permission grant', CorrelationId: correlationId,
    TargetResources: [{ displayName: 'Microsoft Graph', modifiedProperties: [] }], InitiatedBy: {}, AdditionalDetails: [],
  };
}
function seedAudit(): void {
  store.append('AuditLogs', [consent(evilApp, 'PwnAuth Demo', 'corr-evil'), grant('corr-evil'), consent(knownApp, 'Microsoft Graph Explorer', 'corr-known'), grant('corr-known')]);
}
function seedSignIns(): void {
  const signIn = (ip: string, upn: string) => ({
    TimeGenerated: new Date(now.getTime() - 3_600_000), ResultType: '0', IPAddress: ip, UserPrincipalName: upn, AppDisplayName: 'Azure Portal',
    ClientAppUsed: 'Browser', ConditionalAccessStatus: 'notApplied', AuthenticationRequirement: 'singleFactorAuthentication', RiskDetail: 'none',
  });
  store.append('SigninLogs', [signIn('185.93.1.10', 'vpn.user@contoso.com'), signIn('203.0.113.9', 'office.user@contoso.com')]);
}

const knownAppsCsv = `${knownApp},Microsoft Graph\n00000002-0000-0ff1-ce00-000000000000,Office 365 Exchange Online\n`;
const nordVpnCsv = [
  'id,ip_address,search_keywords,categories,name,domain,price,flag,country,location,load,features',
  '1,185.93.1.10,"[""P2P""]","[{""name"":""Standard VPN servers""}]",Norway #1,no1.nordvpn.com,0,NO,Norway,"{""lat"":59.9,""long"":10.7}",17,"{""ikev2"":true}"',
  '2,185.93.1.11,[],[],Norway #2,no2.nordvpn.com,0,NO,Norway,{},20,{}',
  '',
].join('\n');

test('externaldata is off by default: the error names the operator, its position and both settings', async () => {
  const err = await rejects(`print x = 1 | join kind=inner (externaldata(x:long)[@"${base}/n.csv"]) on x`, undefined, /externaldata is turned off/, 'UnsupportedOperator');
  assert.match(err.message, /TESSERA_KQL_EXTERNALDATA_ALLOW/);
  assert.match(err.message, /TESSERA_KQL_EXTERNALDATA_MIRROR/);
  assert.deepEqual(err.position, { line: 1, column: 32 });
  assert.equal(hits.get('/n.csv'), undefined, 'nothing was fetched');
  // The workspace API answers 400 with the code and position; the configuration default is off.
  const res = await handleWorkspaceQuery(store, { query: `externaldata(x:long)["${base}/n.csv"]` }, now);
  assert.equal(res.status, 400);
  assert.match(JSON.stringify(res.body), /UnsupportedOperator.*turned off/);
  assert.equal(externalDataOptions(loadConfig({})), undefined);
});

test('settings: both load from the environment and reach the workspace API; a non-https prefix is refused', async () => {
  const cfg = loadConfig({ TESSERA_KQL_EXTERNALDATA_ALLOW: `https://raw.githubusercontent.com/Azure/, ${base}/`, TESSERA_KQL_EXTERNALDATA_MIRROR: '/srv/mirror' });
  assert.deepEqual(cfg.kqlExternalDataAllow, ['https://raw.githubusercontent.com/Azure/', `${base}/`]);
  assert.equal(cfg.kqlExternalDataMirror, '/srv/mirror');
  assert.throws(() => loadConfig({ TESSERA_KQL_EXTERNALDATA_ALLOW: 'http://example.com/' }), (e: Error) => e instanceof ConfigError && /TESSERA_KQL_EXTERNALDATA_ALLOW/.test(e.message));
  assert.throws(() => loadConfig({ TESSERA_KQL_EXTERNALDATA_ALLOW: 'file:///etc/' }), ConfigError);
  serve('/api.csv', 'a,1\nb,2\n');
  const externalData = externalDataOptions(loadConfig({ TESSERA_KQL_EXTERNALDATA_ALLOW: `${base}/` }));
  const res = await handleWorkspaceQuery(store, { query: `externaldata(k:string, v:long)["${base}/api.csv"] | summarize sum(v)` }, now, externalData ? { externalData } : {});
  assert.equal(res.status, 200);
  assert.deepEqual((res.body as { tables: { rows: unknown[][] }[] }).tables[0]!.rows, [[3]]);
});

test('Sentinel MaliciousOAuthApp_PwnAuth and SuspiciousOAuthApp_OfflineAccess: a consent to an app missing from the known-apps CSV is flagged, a known one is not', async () => {
  serve('/Microsoft.OAuth.KnownApplications.csv', knownAppsCsv);
  for (const file of ['MaliciousOAuthApp_PwnAuth.kql', 'SuspiciousOAuthApp_OfflineAccess.kql']) {
    const text = sentinel(file);
    assert.ok(text.includes(knownAppsUrl), `${file} reads the known-apps feed`);
    const res = await runKql(store, text.replace(knownAppsUrl, `${base}/Microsoft.OAuth.KnownApplications.csv`), { now, externalData: allowLocal() });
    const t = res.tables[0]!;
    const col = (name: string) => t.columns.findIndex((c) => c.name === name);
    assert.deepEqual(t.rows.map((r) => [r[col('AppClientId')], r[col('GrantConsentType')], r[col('GrantInitiatedBy')], r[col('GrantAuthentication')]]), [
      [evilApp, 'Principal', 'victim@contoso.com', 'Microsoft Graph'],
    ], file);
  }
  // Without the known-apps file's rows, the known app would be flagged too: the file is what filters it.
  serve('/Microsoft.OAuth.KnownApplications.csv', 'ffffffff-0000-0000-0000-000000000000,Other\n');
  clearExternalDataCache();
  const text = sentinel('MaliciousOAuthApp_PwnAuth.kql').replace(knownAppsUrl, `${base}/Microsoft.OAuth.KnownApplications.csv`);
  const all = await runKql(store, text, { now, externalData: allowLocal() });
  assert.equal(all.tables[0]!.rows.length, 2);
});

test('Sentinel Signins-from-NordVPN-Providers: the sign-in from an IP in the served NordVPN CSV comes back (header skipped)', async () => {
  serve('/nordvpn-servers.csv', nordVpnCsv);
  const text = sentinel('Signins-from-NordVPN-Providers.kql');
  assert.ok(text.includes(nordVpnUrl));
  const res = await runKql(store, text.replace(nordVpnUrl, `${base}/nordvpn-servers.csv`), { now, externalData: allowLocal() });
  const t = res.tables[0]!;
  const pick = (r: unknown[], name: string) => r[t.columns.findIndex((c) => c.name === name)];
  assert.equal(t.rows.length, 1);
  const r = t.rows[0]!;
  assert.equal(pick(r, 'IPAddress'), '185.93.1.10');
  assert.equal(pick(r, 'UserPrincipalName'), 'vpn.user@contoso.com');
  assert.deepEqual(pick(r, 'categories'), [{ name: 'Standard VPN servers' }]);
  assert.equal(pick(r, 'domain'), 'no1.nordvpn.com');
  assert.equal(pick(r, 'country'), 'Norway');
  assert.equal(t.columns.find((c) => c.name === 'categories')?.type, 'dynamic');
});

test('a URL outside the allowlist is refused before any request; entries without a trailing / allow exactly one URL', async () => {
  serve('/secret/a.csv', 'x\n');
  serve('/public/a.csv', 'y\n');
  const q = (path: string) => `externaldata(v:string)["${base}${path}"]`;
  const onlyPublic = { allow: [`${base}/public/`] };
  const err = await rejects(q('/secret/a.csv'), onlyPublic, /is not under an allowed prefix of TESSERA_KQL_EXTERNALDATA_ALLOW/, 'InvalidArgument');
  assert.deepEqual(err.position, { line: 1, column: 24 });
  assert.equal(hits.get('/secret/a.csv'), undefined);
  // Dot segments are resolved before the comparison, so they cannot climb out of the prefix.
  await rejects(q('/public/../secret/a.csv'), onlyPublic, /not under an allowed prefix/);
  await rejects(`externaldata(v:string)["${base}/public/%2e%2e/secret/a.csv"]`, onlyPublic, /not under an allowed prefix/);
  // A prefix without "/" is one URL: it must not admit a longer path or host.
  await rejects(q('/public/a.csvx'), { allow: [`${base}/public/a.csv`] }, /not under an allowed prefix/);
  assert.deepEqual(await rows(q('/public/a.csv'), { allow: [`${base}/public/a.csv`] }), [['y']]);
  assert.equal(hits.get('/secret/a.csv'), undefined);
  // Not https (http only on loopback), credentials, and other schemes are never fetched.
  await rejects('externaldata(v:string)["http://example.com/a.csv"]', { allow: ['http://example.com/'] }, /only https URLs/);
  await rejects('externaldata(v:string)["file:///etc/passwd"]', { allow: ['file:///'] }, /only https URLs/);
  await rejects(`externaldata(v:string)["http://user:pw@127.0.0.1:1/a.csv"]`, { allow: ['http://127.0.0.1:1/'] }, /credentials/);
});

test('a redirect is followed only to an allowed URL', async () => {
  serve('/public/target.csv', 'moved\n');
  routes.set('/public/redirect-in', (_req, res) => res.writeHead(302, { location: '/public/target.csv' }).end());
  routes.set('/public/redirect-out', (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
  routes.set('/public/redirect-private', (_req, res) => res.writeHead(301, { location: '/secret/a.csv' }).end());
  routes.set('/public/loop', (_req, res) => res.writeHead(302, { location: '/public/loop' }).end());
  const opts = { allow: [`${base}/public/`] };
  assert.deepEqual(await rows(`externaldata(v:string)["${base}/public/redirect-in"]`, opts), [['moved']]);
  await rejects(`externaldata(v:string)["${base}/public/redirect-out"]`, opts, /redirect-out redirects to a URL that is not fetched: http:\/\/169\.254\.169\.254\/latest\/meta-data\/: only https/, 'InvalidArgument');
  routes.set('/public/redirect-https', (_req, res) => res.writeHead(307, { location: 'https://evil.example/x.csv' }).end());
  await rejects(`externaldata(v:string)["${base}/public/redirect-https"]`, opts, /redirects to https:\/\/evil\.example\/x\.csv, which is not under an allowed prefix/, 'InvalidArgument');
  await rejects(`externaldata(v:string)["${base}/public/redirect-private"]`, opts, /redirects to .*\/secret\/a\.csv, which is not under an allowed prefix/, 'InvalidArgument');
  assert.equal(hits.get('/secret/a.csv') ?? 0, 0, 'the redirect target outside the allowlist was not requested');
  await rejects(`externaldata(v:string)["${base}/public/loop"]`, opts, /more than 5 redirects/, 'ExecutionError');
});

test('a body over the size cap is refused, whether declared or streamed', async () => {
  serve('/big.csv', 'x\n'.repeat(2000));
  routes.set('/big-chunked.csv', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv' }); // no content-length: chunked
    let n = 0;
    const write = () => {
      if (n++ >= 50) return res.end();
      res.write('y\n'.repeat(100), write);
    };
    write();
  });
  const opts = { ...allowLocal(), maxBytes: 1000 };
  await rejects(`externaldata(v:string)["${base}/big.csv"]`, opts, /larger than the 1000-byte limit \(4000 bytes\)/, 'ExecutionError');
  await rejects(`externaldata(v:string)["${base}/big-chunked.csv"]`, opts, /big-chunked\.csv is larger than the 1000-byte limit/, 'ExecutionError');
  assert.equal((await rows(`externaldata(v:string)["${base}/big.csv"] | count`, allowLocal()))[0]![0], 2000);
});

test('a server that never answers fails cleanly after the time limit', async () => {
  routes.set('/hang.csv', () => undefined);
  const t0 = Date.now();
  await rejects(`externaldata(v:string)["${base}/hang.csv"]`, { ...allowLocal(), timeoutMs: 200 }, /hang\.csv did not answer within 200 ms/, 'ExecutionError');
  assert.ok(Date.now() - t0 < 5000);
  // A server that is not there at all.
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  const port = (gone.address() as { port: number }).port;
  await new Promise((resolve) => gone.close(resolve));
  await rejects(`externaldata(v:string)["http://127.0.0.1:${port}/x.csv"]`, { allow: [`http://127.0.0.1:${port}/`] }, /could not be fetched: ECONNREFUSED/, 'ExecutionError');
  serve('/gone.csv', '');
  routes.delete('/gone.csv');
  await rejects(`externaldata(v:string)["${base}/gone.csv"]`, allowLocal(), /answered HTTP 404/, 'ExecutionError');
});

test('a mirror answers without the network; a file name leading outside it is refused', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-mirror-'));
  const mirror = join(root, 'mirror');
  mkdirSync(mirror);
  writeFileSync(join(root, 'outside.csv'), 'leaked\n');
  writeFileSync(join(mirror, 'nordvpn.csv'), nordVpnCsv);
  symlinkSync(join(root, 'outside.csv'), join(mirror, 'link.csv'));
  writeFileSync(join(mirror, 'index.json'), JSON.stringify({
    [nordVpnUrl]: 'nordvpn.csv',
    'https://example.com/up.csv': '../outside.csv',
    'https://example.com/abs.csv': join(root, 'outside.csv'),
    'https://example.com/link.csv': 'link.csv',
  }));
  // The rule as published, unchanged: its URL is answered from the mirror (no allowlist at all).
  const res = await runKql(store, sentinel('Signins-from-NordVPN-Providers.kql'), { now, externalData: { mirror } });
  assert.deepEqual(res.tables[0]!.rows.map((r) => r[2]), ['185.93.1.10']);
  for (const name of ['up', 'abs', 'link']) {
    await rejects(`externaldata(v:string)["https://example.com/${name}.csv"]`, { mirror }, /leads outside the mirror directory/, 'InvalidArgument');
  }
  // A URL the mirror does not list falls to the allowlist, which is empty here.
  await rejects('externaldata(v:string)["https://example.com/other.csv"]', { mirror }, /not under an allowed prefix .* and not in the mirror/);
});

test('a malformed file fails with the URL and the line', async () => {
  serve('/bad.csv', 'a,1\nb,2\n"c,3\nd,4\n');
  await rejects(`externaldata(k:string, v:long)["${base}/bad.csv"]`, allowLocal(), new RegExp(`${base}/bad\\.csv is not valid csv: line 3: unterminated quoted field`), 'ExecutionError');
  serve('/bad.json', '{"a":1}\n{"a":2}\n{"a":\n');
  await rejects(`externaldata(a:long)["${base}/bad.json"] with (format="multijson")`, allowLocal(), /bad\.json is not valid multijson: line 3: the JSON object is not closed/);
  serve('/bad2.json', '{"a":1}\n{"a":2,}\n');
  await rejects(`externaldata(a:long)["${base}/bad2.json"] with (format="json")`, allowLocal(), /bad2\.json is not valid json: line 2: the JSON object does not parse/);
  await rejects(`externaldata(a:long)["${base}/bad.csv"] with (format="parquet")`, allowLocal(), /format 'parquet' is not supported/, 'UnsupportedOperator');
  await rejects(`externaldata(a:long)["${base}/bad.csv"] with (compressed=true)`, allowLocal(), /property 'compressed' is not supported/, 'UnsupportedOperator');
});

test('values convert to the declared types; a value that does not convert is null', async () => {
  serve('/types.csv', [
    '42,9007199254740993,2.5,true,2024-01-02T03:04:05Z,{"a":[1]},5E2B6D3A-1111-4222-8333-444455556666,1.02:03:04,text',
    'x,1.5,abc,maybe,not a date,not json,not-a-guid,soon,',
    '3000000000,,,0,2024-01-02 03:04:05,7,,00:00:30,',
  ].join('\n'));
  const res = await runKql(store, `externaldata(i:int, l:long, r:real, b:bool, d:datetime, y:dynamic, g:guid, t:timespan, s:string)["${base}/types.csv"]`, { now, externalData: allowLocal() });
  assert.deepEqual(res.tables[0]!.columns.map((c) => c.type), ['int', 'long', 'real', 'bool', 'datetime', 'dynamic', 'guid', 'timespan', 'string']);
  const withoutLong = res.tables[0]!.rows.map((r) => r.filter((_, i) => i !== 1));
  assert.deepEqual(withoutLong, [
    [42, 2.5, true, '2024-01-02T03:04:05.000Z', { a: [1] }, '5e2b6d3a-1111-4222-8333-444455556666', '1.02:03:04', 'text'],
    [null, null, null, null, 'not json', null, null, ''],
    [null, null, false, '2024-01-02T03:04:05.000Z', 7, null, '00:00:30', ''],
  ]);
  // The long beyond 2^53 arrives exactly (compared as text: a JavaScript number cannot hold it).
  assert.deepEqual(await rows(`externaldata(i:int, l:long)["${base}/types.csv"] | project tostring(l)`, allowLocal()), [['9007199254740993'], [''], ['']]);
});

test('formats: tsv, txt, json lines, a JSON array, multijson across lines; several URLs are concatenated', async () => {
  serve('/a.tsv', 'name\tn\n"tab\tinside"\t1\nplain\t2\n');
  serve('/lines.txt', 'first line\n\nsecond, with comma\n');
  serve('/rows.json', '{"name":"j1","n":1,"extra":true}\n{"n":"2","name":{"nested":1}}\n');
  serve('/array.json', '[{"name":"a1","n":10}]');
  serve('/multi.json', '{\n  "name": "m1",\n  "n": 5\n}\n{"name":"m2"}');
  serve('/one.csv', 'c1,1\n');
  serve('/two.csv', 'c2,2\n');
  const q = (path: string, fmt: string) => `externaldata(name:string, n:long)["${base}${path}"] with (format="${fmt}", ignoreFirstRecord=${fmt === 'tsv'})`;
  assert.deepEqual(await rows(q('/a.tsv', 'tsv'), allowLocal()), [['tab\tinside', 1], ['plain', 2]]);
  assert.deepEqual(await rows(`externaldata(line:string)["${base}/lines.txt"] with (format="txt")`, allowLocal()), [['first line'], ['second, with comma']]);
  assert.deepEqual(await rows(q('/rows.json', 'json'), allowLocal()), [['j1', 1], ['{"nested":1}', 2]]);
  assert.deepEqual(await rows(q('/array.json', 'multijson'), allowLocal()), [['a1', 10]]);
  assert.deepEqual(await rows(q('/multi.json', 'multijson'), allowLocal()), [['m1', 5], ['m2', null]]);
  // Format inferred from the extension when not given (csv otherwise), and two URLs read in order.
  assert.deepEqual(await rows(`externaldata(name:string, n:long)["${base}/one.csv", h@"${base}/two.csv"]`, allowLocal()), [['c1', 1], ['c2', 2]]);
  assert.deepEqual(await rows(`externaldata(name:string, n:long)["${base}/array.json"]`, allowLocal()), [['a1', 10]]);
  // An empty file is an empty table with the declared columns.
  serve('/empty.csv', '');
  const empty = await runKql(store, `externaldata(name:string, n:long)["${base}/empty.csv"]`, { now, externalData: allowLocal() });
  assert.deepEqual(empty.tables[0]!.rows, []);
  assert.deepEqual(empty.tables[0]!.columns.map((c) => c.name), ['name', 'n']);
});

test('strings with quotes, backslashes, newlines and unicode come through exactly; 5,000 rows work', async () => {
  const tricky = [`it's "quoted"`, 'back\\slash \\n not a newline', 'two\nlines\r\nand a tab\t', 'é 中文 😀 \u2028', `'); DROP TABLE SigninLogs; --`, 'nul\u0000byte'];
  serve('/tricky.json', tricky.map((s, i) => JSON.stringify({ i, s })).join('\n'));
  const got = await rows(`externaldata(i:int, s:string)["${base}/tricky.json"] with (format="multijson") | order by i asc | project s`, allowLocal());
  assert.deepEqual(got.map((r) => r[0]), tricky);
  const csv = tricky.map((s, i) => `${i},"${s.replaceAll('"', '""')}"`).join('\n');
  serve('/tricky.csv', csv);
  const viaCsv = await rows(`externaldata(i:int, s:string)["${base}/tricky.csv"] | order by i asc | project s`, allowLocal());
  assert.deepEqual(viaCsv.map((r) => r[0]), tricky);
  const big = Array.from({ length: 5000 }, (_, i) => `${i},user${i}@contoso.com,"{""n"":${i}}"`).join('\n');
  serve('/big5000.csv', big);
  assert.deepEqual(await rows(`externaldata(i:long, upn:string, d:dynamic)["${base}/big5000.csv"] | summarize count(), sum(i), max(toint(d.n)), dcount(upn)`, allowLocal()), [[5000, 12_497_500, 4999, 5000]]);
});

test('a fetched file is cached: the next run does not fetch it again', async () => {
  let n = 0;
  routes.set('/cached.csv', (_req, res) => res.end(`v${++n}\n`));
  const q = `externaldata(v:string)["${base}/cached.csv"]`;
  assert.deepEqual(await rows(q, allowLocal()), [['v1']]);
  assert.deepEqual(await rows(q, allowLocal()), [['v1']]);
  assert.equal(hits.get('/cached.csv'), 1);
  // Two queries at once share one request.
  clearExternalDataCache();
  await Promise.all([rows(q, allowLocal()), rows(q, allowLocal())]);
  assert.equal(hits.get('/cached.csv'), 2);
  // With the cache off (ttl 0) every run fetches; the allowlist is checked before the cache.
  assert.deepEqual(await rows(q, { ...allowLocal(), cacheTtlMs: 0 }), [['v3']]);
  await rejects(q, { allow: [`${base}/other/`] }, /not under an allowed prefix/);
});

test('with the analytics store on a worker thread, the file is read here and only SQL reaches the worker', async () => {
  serve('/worker.csv', 'w1,1\nw2,2\n');
  const worker = await openAnalyticsStoreInWorker({ path: ':memory:' });
  try {
    const res = await runKql(worker, `externaldata(k:string, v:long)["${base}/worker.csv"] | where v > 1`, { now, externalData: allowLocal() });
    assert.deepEqual(res.tables[0]!.rows, [['w2', 2]]);
    assert.equal(hits.get('/worker.csv'), 1);
  } finally {
    await worker.close();
  }
});

test('tessera query: externaldata follows TESSERA_KQL_EXTERNALDATA_ALLOW and TESSERA_KQL_EXTERNALDATA_MIRROR', async () => {
  serve('/cli.csv', 'c1,1\n');
  const data = mkdtempSync(join(tmpdir(), 'tessera-cli-ext-'));
  const run = async (env: NodeJS.ProcessEnv) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), env, cwd: data, isTTY: false };
    const code = await queryCommand.run([`externaldata(k:string, v:long)["${base}/cli.csv"]`, '--format', 'json', '--data', data], io);
    return { code, out, err };
  };
  const off = await run({});
  assert.equal(off.code, 1);
  assert.match(off.err[0]!, /externaldata is turned off.*TESSERA_KQL_EXTERNALDATA_ALLOW/);
  const on = await run({ TESSERA_KQL_EXTERNALDATA_ALLOW: `${base}/` });
  assert.equal(on.code, 0, on.err.join('\n'));
  assert.deepEqual(JSON.parse(on.out[0]!).tables[0].rows, [['c1', 1]]);
  // A relative mirror directory is taken from the working directory.
  mkdirSync(join(data, 'mirror'));
  writeFileSync(join(data, 'mirror', 'index.json'), JSON.stringify({ [`${base}/cli.csv`]: 'cli.csv' }));
  writeFileSync(join(data, 'mirror', 'cli.csv'), 'from-mirror,2\n');
  const mirrored = await run({ TESSERA_KQL_EXTERNALDATA_MIRROR: 'mirror' });
  assert.equal(mirrored.code, 0, mirrored.err.join('\n'));
  assert.deepEqual(JSON.parse(mirrored.out[0]!).tables[0].rows, [['from-mirror', 2]]);
});
