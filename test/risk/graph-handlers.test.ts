import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSkipTokenCodec } from '../../src/admin/odata/index.ts';
import { GraphError } from '../../src/errors/graph.ts';
import { createRiskEngine } from '../../src/risk/engine.ts';
import {
  downloadReportCsv, getRiskDetection, getRiskyServicePrincipal, getRiskyUser, listRiskDetections, listRiskyServicePrincipals,
  listRiskyUserHistory, listRiskyUsers, listServicePrincipalRiskDetections, riskyServicePrincipalsAction, riskyUsersAction,
} from '../../src/risk/graph-handlers.ts';
import { ATTACKER_PC, T0, ev, token, train } from './helpers.ts';

async function seeded() {
  const engine = createRiskEngine({ now: () => T0 + 30 * 86_400_000 });
  const t = await train(engine);
  const e = ev('lagos', t, { isInteractive: false, presentedToken: token('homeLondon', t - 3_600_000), device: ATTACKER_PC, userDisplayName: '=HYPERLINK("http://evil")' });
  await engine.recordOutcome(e, engine.assessSignIn(e));
  await engine.flagApplication({ id: 'sp-1', appId: 'app-1', displayName: 'Exporter, "v2"' }, 'suspicious', 'flagged by operator');
  return { engine, deps: { repository: engine.repository, actions: engine.actions, skipTokens: createSkipTokenCodec('k'.repeat(32)) } };
}

/** A request URL for an identity protection collection with the given query options. */
function at(set: string, query: Record<string, string> = {}): string {
  const qs = new URLSearchParams(query).toString();
  return `https://idp.example/v1.0/identityProtection/${set}${qs ? `?${qs}` : ''}`;
}

async function graphError(p: Promise<unknown> | (() => unknown), code: string, message?: RegExp) {
  const run = typeof p === 'function' ? async () => p() : () => p;
  await assert.rejects(run, (e: unknown) => {
    assert.ok(e instanceof GraphError, `expected a GraphError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('list riskDetections with @odata.context, filter, select, orderby and signed paging', async () => {
  const { deps } = await seeded();
  const all = await listRiskDetections(deps, at('riskDetections'));
  assert.equal(all['@odata.context'], 'https://idp.example/v1.0/$metadata#identityProtection/riskDetections');
  assert.equal(all.value.length, 3);
  const only = await listRiskDetections(deps, at('riskDetections', { $filter: "riskEventType eq 'anomalousToken' and riskLevel eq 'high'", $select: 'id,riskEventType,ipAddress' }));
  assert.deepEqual(only.value.map((d) => Object.keys(d)), [['id', 'riskEventType', 'ipAddress']]);
  const byUpn = await listRiskDetections(deps, at('riskDetections', { $filter: "userPrincipalName eq 'ANA@contoso.example' and detectedDateTime ge 2026-01-01T00:00:00Z" }));
  assert.equal(byUpn.value.length, 3, 'string comparison is case-insensitive, as Entra\'s is');
  const either = await listRiskDetections(deps, at('riskDetections', { $filter: "riskEventType eq 'newCountry' or startswith(riskEventType, 'unfamiliar')", $orderby: 'riskEventType desc' }));
  assert.deepEqual(either.value.map((d) => d['riskEventType']), ['unfamiliarFeatures', 'newCountry']);
  const p1 = await listRiskDetections(deps, at('riskDetections', { $top: '2' }));
  assert.equal(p1.value.length, 2);
  const p2 = await listRiskDetections(deps, p1['@odata.nextLink']!);
  assert.equal(p2.value.length, 1);
  assert.equal(p2['@odata.nextLink'], undefined);
  assert.equal(new Set([...p1.value, ...p2.value].map((d) => d['id'])).size, 3);
  const got = await getRiskDetection(deps, p1.value[0]!['id']);
  assert.equal(got.id, p1.value[0]!['id']);
});

test('garbage query options get clear Graph errors', async () => {
  const { deps } = await seeded();
  const bad = async (query: Record<string, string>, code: string, message?: RegExp) => graphError(listRiskDetections(deps, at('riskDetections', query)), code, message);
  await bad({ $filter: "riskLevel eq 'extreme'" }, 'BadRequest', /not a valid enumeration value/);
  await bad({ $filter: "password eq 'x'" }, 'BadRequest', /password/);
  await bad({ $filter: "riskLevel gt 'low'" }, 'Request_UnsupportedQuery');
  await bad({ $filter: 'detectedDateTime ge yesterday' }, 'BadRequest');
  await bad({ $filter: "userId eq 'unterminated" }, 'BadRequest');
  await bad({ $filter: "riskLevel eq 'high' and" }, 'BadRequest');
  await bad({ $top: '0' }, 'BadRequest', /page size/);
  await bad({ $top: '-5' }, 'BadRequest', /\$top/);
  await bad({ $top: '100000' }, 'BadRequest');
  await bad({ $skiptoken: 'bm9wZQ' }, 'BadRequest', /skiptoken/);
  await bad({ $select: 'id,secret' }, 'BadRequest', /secret/);
  await bad({ $expand: 'user' }, 'Request_UnsupportedQuery', /\$expand/);
  const p1 = await listRiskDetections(deps, at('riskDetections', { $top: '1' }));
  const token = new URL(p1['@odata.nextLink']!).searchParams.get('$skiptoken')!;
  await bad({ $top: '1', $filter: "riskLevel eq 'low'", $skiptoken: token }, 'BadRequest', /another query/);
  await graphError(listRiskDetections(deps, 'not a url'), 'BadRequest');
  await graphError(getRiskDetection(deps, ''), 'BadRequest');
  await graphError(getRiskDetection(deps, 'no-such-id'), 'Request_ResourceNotFound');
  await graphError(getRiskyUser(deps, 42), 'BadRequest');
});

test('string literals with quotes and the word "and" inside parse as one clause', async () => {
  const { deps } = await seeded();
  const r = await listRiskyServicePrincipals(deps, at('riskyServicePrincipals', { $filter: "displayName eq 'Exporter, \"v2\"'" }));
  assert.equal(r.value.length, 1);
  const none = await listRiskDetections(deps, at('riskDetections', { $filter: "userDisplayName eq 'Ana and O''Brien'" }));
  assert.equal(none.value.length, 0);
});

test('riskyUsers list/get/history and actions (204), with body validation', async () => {
  const { deps } = await seeded();
  const users = await listRiskyUsers(deps, at('riskyUsers', { $filter: "riskState eq 'atRisk'" }));
  assert.deepEqual(users.value.map((u) => u['id']), ['u-ana']);
  assert.deepEqual(await riskyUsersAction(deps, 'confirmCompromised', { userIds: ['u-ana'] }, 'admin-1'), { status: 204 });
  assert.equal((await getRiskyUser(deps, 'u-ana')).riskState, 'confirmedCompromised');
  const h = await listRiskyUserHistory(deps, 'u-ana', at("riskyUsers('u-ana')/history"));
  assert.equal(h.value[0]?.initiatedBy, 'admin-1');
  await riskyUsersAction(deps, 'dismiss', { userIds: ['u-ana'] }, 'admin-1');
  assert.equal((await getRiskyUser(deps, 'u-ana')).riskState, 'dismissed');
  await riskyUsersAction(deps, 'confirmSafe', { userIds: ['u-ana'] }, 'admin-1');
  assert.equal((await getRiskyUser(deps, 'u-ana')).riskState, 'confirmedSafe');
  for (const bad of [undefined, null, 'u-ana', {}, { userIds: [] }, { userIds: 'u-ana' }, { userIds: [1] }, { userIds: ['a'], extra: 1 }, { userIds: Array.from({ length: 61 }, (_, i) => `u${i}`) }]) {
    await graphError(() => riskyUsersAction(deps, 'dismiss', bad, 'admin'), 'BadRequest', /userIds/);
  }
  await graphError(riskyUsersAction(deps, 'dismiss', { userIds: ['ghost'] }, 'admin'), 'Request_ResourceNotFound', /ghost/);
  await graphError(listRiskyUserHistory(deps, 'ghost', at('riskyUsers')), 'Request_ResourceNotFound');
});

test('riskyServicePrincipals and servicePrincipalRiskDetections', async () => {
  const { deps } = await seeded();
  const sps = await listRiskyServicePrincipals(deps, at('riskyServicePrincipals'));
  assert.equal(sps.value[0]?.['riskLevel'], 'medium');
  const dets = await listServicePrincipalRiskDetections(deps, at('servicePrincipalRiskDetections', { $filter: "servicePrincipalId eq 'sp-1'" }));
  assert.equal(dets.value[0]?.['riskEventType'], 'suspiciousApplication');
  await riskyServicePrincipalsAction(deps, 'confirmCompromised', { servicePrincipalIds: ['sp-1'] }, 'admin');
  const sp = await getRiskyServicePrincipal(deps, 'sp-1');
  assert.deepEqual([sp.riskState, sp.riskLevel, sp.riskDetail], ['confirmedCompromised', 'high', 'adminConfirmedServicePrincipalCompromised']);
  await riskyServicePrincipalsAction(deps, 'dismiss', { servicePrincipalIds: ['sp-1'] }, 'admin');
  assert.equal((await getRiskyServicePrincipal(deps, 'sp-1')).riskDetail, 'adminDismissedAllRiskForServicePrincipal');
  await graphError(() => riskyServicePrincipalsAction(deps, 'dismiss', { userIds: ['sp-1'] }, 'admin'), 'BadRequest', /servicePrincipalIds/);
});

test('CSV download: every report, RFC 4180 quoting, formula cells neutralised', async () => {
  const { deps } = await seeded();
  const csv = await downloadReportCsv(deps, 'riskDetections', at('riskDetections'));
  assert.equal(csv.contentType, 'text/csv; charset=utf-8');
  const lines = csv.body.trimEnd().split('\r\n');
  assert.equal(lines.length, 4);
  assert.ok(lines[0]!.startsWith('id,requestId,correlationId,riskEventType'));
  assert.ok(csv.body.includes(`"'=HYPERLINK(""http://evil"")"`), 'formula escaped and quoted');
  const sp = await downloadReportCsv(deps, 'riskyServicePrincipals', at('riskyServicePrincipals', { $select: 'id,displayName' }));
  assert.equal(sp.body, 'id,displayName\r\nsp-1,"Exporter, ""v2"""\r\n');
  for (const r of ['riskyUsers', 'servicePrincipalRiskDetections']) assert.ok((await downloadReportCsv(deps, r, at(r))).body.split('\r\n').length >= 3);
  await graphError(downloadReportCsv(deps, 'passwords', at('x')), 'BadRequest', /Unknown report/);
});
