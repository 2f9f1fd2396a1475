import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AsnTable } from '../../src/risk/geo/asn-table.ts';
import { distanceKm } from '../../src/risk/geo/distance.ts';
import { hostingAsns } from '../../src/risk/geo/hosting-asns.ts';
import { formatIpv4, isNonPublic, parseIp, parseIpv4, parseIpv6, subnetKey } from '../../src/risk/geo/ip.ts';
import { createGeoLookup, defaultGeoPaths, readCityRecord } from '../../src/risk/geo/lookup.ts';

test('IPv4 parsing round-trips and rejects ambiguous forms', () => {
  fc.assert(fc.property(fc.ipV4(), (ip) => formatIpv4(parseIpv4(ip)!) === ip));
  for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', '1.2.3.4.5', '', ' 1.2.3.4']) assert.equal(parseIpv4(bad), undefined, bad);
});

test('IPv6 parsing: compressed, full, embedded IPv4, zone ids; garbage rejected', () => {
  assert.deepEqual(parseIpv6('2001:db8::1'), { hi: 0x20010db800000000n, lo: 1n });
  assert.deepEqual(parseIpv6('2001:0db8:0000:0000:0000:0000:0000:0001'), parseIpv6('2001:db8::1'));
  assert.deepEqual(parseIpv6('fe80::1%eth0'), parseIpv6('fe80::1'));
  assert.deepEqual(parseIpv6('::ffff:1.2.3.4'), { hi: 0n, lo: 0xffff01020304n });
  for (const bad of ['2001:db8::1::2', '1:2:3:4:5:6:7:8:9', 'gggg::1', '2001:db8:::1', '12345::1', 'abc']) assert.equal(parseIpv6(bad), undefined, bad);
  fc.assert(fc.property(fc.ipV6(), (ip) => parseIpv6(ip) !== undefined));
  assert.deepEqual(parseIp('::ffff:8.8.8.8'), { version: 4, v4: parseIpv4('8.8.8.8') }, 'IPv4-mapped is IPv4');
});

test('private, loopback, CGNAT, link-local, documentation and multicast are not public', () => {
  for (const ip of ['10.0.0.1', '172.16.5.4', '192.168.1.1', '127.0.0.1', '100.64.0.1', '169.254.1.1', '192.0.2.1', '224.0.0.1', '::1', '::', 'fc00::1', 'fe80::1', 'ff02::1', '2001:db8::1', '::ffff:10.1.1.1']) {
    assert.equal(isNonPublic(parseIp(ip)!), true, ip);
  }
  for (const ip of ['8.8.8.8', '81.2.69.142', '2a00:1450:4009:80b::200e', '172.32.0.1']) assert.equal(isNonPublic(parseIp(ip)!), false, ip);
});

test('subnet keys: /24 for IPv4, /48 for IPv6 (privacy addresses rotate below it)', () => {
  assert.equal(subnetKey(parseIp('81.2.69.1')!), subnetKey(parseIp('81.2.69.254')!));
  assert.notEqual(subnetKey(parseIp('81.2.69.1')!), subnetKey(parseIp('81.2.70.1')!));
  assert.equal(subnetKey(parseIp('2a00:23c5:1234:5601::1')!), subnetKey(parseIp('2a00:23c5:1234:ffff:1:2:3:4')!));
  assert.notEqual(subnetKey(parseIp('2a00:23c5:1234::1')!), subnetKey(parseIp('2a00:23c5:1235::1')!));
});

test('haversine distance: London–Paris ≈ 344 km, London–Sydney ≈ 17 000 km', () => {
  assert.ok(Math.abs(distanceKm(51.5074, -0.1278, 48.8566, 2.3522) - 344) < 5);
  assert.ok(Math.abs(distanceKm(51.5074, -0.1278, -33.8688, 151.2093) - 16_994) < 50);
  assert.equal(distanceKm(10, 10, 10, 10), 0);
});

test('GeoIP2 (MaxMind) city records are read as well as DB-IP flat ones', () => {
  const r = readCityRecord({ city: { names: { en: 'Berlin' } }, country: { iso_code: 'DE' }, subdivisions: [{ names: { en: 'Land Berlin' } }], location: { latitude: 52.5, longitude: 13.4 } });
  assert.deepEqual(r, { countryOrRegion: 'DE', city: 'Berlin', state: 'Land Berlin', latitude: 52.5, longitude: 13.4 });
});

test('packaged data: location and ASN for public addresses, unknown for private ones, hosting recognised', () => {
  const geo = createGeoLookup();
  const google = geo.lookup('8.8.8.8');
  assert.equal(google.known, true);
  assert.equal(google.countryOrRegion, 'US');
  assert.equal(google.asn, 15169);
  assert.equal(google.isHosting, true);
  const hetzner6 = geo.lookup('2a01:4f8::1');
  assert.equal(hetzner6.asn, 24940);
  assert.equal(hetzner6.countryOrRegion, 'DE');
  assert.equal(hetzner6.isHosting, true);
  const mapped = geo.lookup('::ffff:1.1.1.1');
  assert.equal(mapped.asn, 13335);
  assert.ok(mapped.countryOrRegion, 'IPv4-mapped address uses the IPv4 city database');
  for (const ip of ['10.1.2.3', '::1', 'not an ip', '192.168.0.1']) assert.deepEqual(geo.lookup(ip), { known: false, isHosting: false }, ip);
  const stats = geo.stats();
  assert.ok(stats.asn.some((s) => s.family === 4 && s.rows > 100_000));
});

test('operator databases replace the packaged ones; extra hosting ASNs are honoured', () => {
  const paths = defaultGeoPaths();
  const geo = createGeoLookup({ cityMmdb: paths.cityMmdb, asnCsv: { ipv4NumCsv: paths.asnCsv.ipv4NumCsv }, extraHostingAsns: [20712] });
  assert.equal(geo.lookup('81.2.69.142').isHosting, true);
  assert.equal(geo.isHostingAsn(16509), true);
  assert.equal(geo.lookup('2a01:4f8::1').asn, undefined, 'no IPv6 ASN data configured');
});

test('ASN table: binary search hits range edges and misses gaps', () => {
  const table = new AsnTable({ ipv4NumCsv: defaultGeoPaths().asnCsv.ipv4NumCsv });
  assert.deepEqual(table.lookup(parseIp('1.0.0.0')!), { asn: 13335, org: 'Cloudflare, Inc.' });
  assert.deepEqual(table.lookup(parseIp('1.0.0.255')!), { asn: 13335, org: 'Cloudflare, Inc.' });
  assert.equal(table.lookup(parseIp('0.0.0.1')!), undefined);
  assert.equal(table.lookup(parseIp('2001:db8::1')!), undefined, 'no IPv6 file given');
  for (const asn of [16509, 8075, 396982, 14061, 16276, 24940, 63949, 20473, 31898, 45102, 132203, 13335]) assert.ok(hostingAsns.has(asn), String(asn));
});
