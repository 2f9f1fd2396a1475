import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anonymizedIp } from '../../../src/risk/detectors/anonymized-ip.ts';
import { maliciousIp } from '../../../src/risk/detectors/malicious-ip.ts';
import { createRiskEngine } from '../../../src/risk/engine.ts';
import { IpLists } from '../../../src/risk/lists/ip-lists.ts';
import { T0, ev, types } from '../helpers.ts';

test('list formats: Tor exit-addresses, plain lines with comments, CIDR, IPv6, JSON; bad entries counted', () => {
  const l = new IpLists();
  const tor = 'ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nPublished 2024-01-01 01:00:00\nLastStatus 2024-01-01 02:00:00\nExitAddress 185.220.101.1 2024-01-01 02:05:00\n';
  assert.deepEqual(l.load('anonymizer', tor, { source: 'tor' }), { category: 'anonymizer', source: 'tor', added: 1, rejected: 0 });
  const drop = '; Spamhaus DROP\n1.10.16.0/20 ; SBL256894\n2001:db8:bad::/48 # v6 range\nnot-an-ip\n';
  const r = l.load('malicious', drop, { source: 'drop' });
  assert.equal(r.added, 2);
  assert.equal(r.rejected, 1);
  assert.equal(r.firstRejected, 'not-an-ip');
  l.load('nationState', JSON.stringify([{ indicator: '203.0.113.77' }, '198.51.100.0/24']), { source: 'intel' });
  assert.deepEqual(l.match('185.220.101.1'), ['anonymizer']);
  assert.deepEqual(l.match('1.10.31.255'), ['malicious']);
  assert.deepEqual(l.match('1.10.32.0'), []);
  assert.deepEqual(l.match('2001:db8:bad:1::5'), ['malicious']);
  assert.deepEqual(l.match('2001:db8:bae::5'), []);
  assert.deepEqual(l.match('198.51.100.200'), ['nationState']);
  assert.deepEqual(l.match('::ffff:203.0.113.77'), ['nationState'], 'IPv4-mapped IPv6 is the IPv4 address');
  assert.deepEqual(l.match('garbage'), []);
  assert.throws(() => l.load('malicious', '[not json'), /not valid JSON/);
});

test('replace swaps a refreshed feed; default appends', () => {
  const l = new IpLists();
  l.load('anonymizer', '9.9.9.9');
  l.load('anonymizer', '8.8.4.4');
  assert.deepEqual(l.match('9.9.9.9'), ['anonymizer']);
  l.load('anonymizer', '8.8.4.4', { replace: true });
  assert.deepEqual(l.match('9.9.9.9'), []);
});

test('anonymizedIPAddress is medium; nationStateIP high; listed malicious medium', () => {
  const lists = new IpLists();
  const e = createRiskEngine({ detectors: [anonymizedIp, maliciousIp], lists });
  lists.load('anonymizer', '105.112.3.3');
  let a = e.assessSignIn(ev('lagos', T0));
  assert.deepEqual(a.detections.map((d) => [d.riskEventType, d.level]), [['anonymizedIPAddress', 'medium']]);
  lists.load('nationState', '105.112.0.0/16');
  lists.load('malicious', '105.112.3.0/24');
  a = e.assessSignIn(ev('lagos', T0));
  assert.deepEqual(types(a), ['anonymizedIPAddress', 'maliciousIPAddress', 'nationStateIP']);
  assert.equal(a.riskLevelDuringSignIn, 'high');
});

test('maliciousIPAddress from a high failure rate: 20 failures over 5+ accounts, no successes', async () => {
  const e = createRiskEngine({ detectors: [maliciousIp] });
  for (let i = 0; i < 19; i++) {
    await e.recordOutcome(ev('awsVirginia', T0 + i * 1000, { status: 'failure', failureKind: 'invalidPassword', userId: `u${i % 6}` }));
  }
  assert.deepEqual(e.assessSignIn(ev('awsVirginia', T0 + 30_000)).detections, [], '19 failures is below the bar');
  await e.recordOutcome(ev('awsVirginia', T0 + 40_000, { status: 'failure', failureKind: 'invalidPassword', userId: 'u7' }));
  const [d] = e.assessSignIn(ev('awsVirginia', T0 + 50_000)).detections;
  assert.equal(d?.riskEventType, 'maliciousIPAddress');
  assert.equal(d?.level, 'low');
  assert.deepEqual(e.assessSignIn(ev('awsVirginia', T0 + 2 * 3_600_000)).detections, [], 'the window expires');
});
