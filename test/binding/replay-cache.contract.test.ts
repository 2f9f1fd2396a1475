// One contract for every ReplayCache (replay-cache.ts): the in-memory cache and Redis (a real
// redis-server on a random port, when the binary is installed).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryReplayCache, type ReplayCache } from '../../src/binding/replay-cache.ts';
import { RedisReplayCache } from '../../src/binding/redis-replay-cache.ts';

function runReplayCacheContract(name: string, make: () => Promise<ReplayCache>): void {
  test(`${name}: first use wins, replays lose, distinct keys are independent`, async () => {
    const c = await make();
    const k = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    assert.equal(await c.use(k, now + 60, now), true);
    assert.equal(await c.use(k, now + 60, now), false);
    assert.equal(await c.use(`${k}-2`, now + 60, now), true);
  });
  test(`${name}: of 50 concurrent uses of one key exactly one wins`, async () => {
    const c = await make();
    const k = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const results = await Promise.all(Array.from({ length: 50 }, () => c.use(k, now + 60, now)));
    assert.equal(results.filter(Boolean).length, 1);
  });
}

runReplayCacheContract('memory', async () => new MemoryReplayCache());

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
let server: ChildProcess | undefined;
let client: Redis | undefined;
if (hasRedis) {
  const port = 20000 + Math.floor(Math.random() * 30000);
  server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' });
  client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 2, retryStrategy: (n) => (n > 20 ? null : 100) });
  for (let i = 0; i < 50; i++) {
    try {
      await client.connect();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  after(async () => {
    await client?.quit().catch(() => undefined);
    server?.kill('SIGTERM');
  });
  runReplayCacheContract('redis', async () => new RedisReplayCache(client!, { prefix: `t:${randomUUID()}:` }));
  test('redis: entries expire after their TTL', async () => {
    const c = new RedisReplayCache(client!);
    const k = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    assert.equal(await c.use(k, now + 1, now), true);
    assert.ok((await client!.ttl(`tessera:replay:${k}`)) <= 1);
  });
} else {
  test('redis replay cache contract', { skip: 'redis-server not installed' }, () => {});
}
