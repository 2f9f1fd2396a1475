import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPolicyRepository } from '../../src/policy/repository.ts';
import { PolicySnapshotCache } from '../../src/policy/snapshot.ts';
import { samplePolicy, sampleLocation } from '../../src/policy/repository-contract.ts';
import { resolveDevicePlatform } from '../../src/policy/platform.ts';

describe('snapshot cache', () => {
  it('keeps one snapshot per repository version and rebuilds after any change', async () => {
    const repo = new MemoryPolicyRepository();
    const cache = new PolicySnapshotCache(repo);
    const empty = await cache.current();
    assert.equal(empty.policies.length, 0);
    assert.equal(await cache.current(), empty, 'unchanged version → same snapshot object');
    const p = await repo.createPolicy(samplePolicy('A'));
    const one = await cache.current();
    assert.notEqual(one, empty);
    assert.deepEqual(one.policies.map((x) => x.id), [p.id]);
    await repo.createNamedLocation(sampleLocation('HQ'));
    assert.equal((await cache.current()).namedLocations.size, 1);
    await repo.deletePolicy(p.id);
    assert.equal((await cache.current()).policies.length, 0, 'soft-deleted policies leave the snapshot');
  });

  it('shares one rebuild between concurrent callers, and invalidate() forces a rebuild', async () => {
    const repo = new MemoryPolicyRepository();
    await repo.createPolicy(samplePolicy('A'));
    const cache = new PolicySnapshotCache(repo);
    const [a, b] = await Promise.all([cache.current(), cache.current()]);
    assert.equal(a, b);
    cache.invalidate();
    const c = await cache.current();
    assert.notEqual(c, a);
    assert.equal(c.version, a.version);
  });
});

describe('device platform resolution', () => {
  it('prefers the registered device OS, then the user agent', () => {
    assert.equal(resolveDevicePlatform({ operatingSystem: 'Windows' }, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)'), 'windows');
    assert.equal(resolveDevicePlatform(null, 'Mozilla/5.0 (Linux; Android 14; Pixel 8)'), 'android');
    assert.equal(resolveDevicePlatform(null, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)'), 'macOS');
    assert.equal(resolveDevicePlatform(null, 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64)'), 'linux');
    assert.equal(resolveDevicePlatform(null, 'curl/8.5'), null);
  });
});
