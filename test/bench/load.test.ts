// The benchmark load generator counts requests, errors and status codes correctly (no timing assertions).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertLoopback, runLoad, runLoadInChild } from '../../bench/lib/load.ts';
import type { VirtualClient } from '../../bench/lib/load.ts';

let server: http.Server;
let baseUrl = '';
let served = 0;
let bodies = 0;

before(async () => {
  server = http.createServer((req, res) => {
    served++;
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; });
    req.on('end', () => {
      if (size > 0) bodies++;
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('hello ');
        res.end('world');
        return;
      }
      if (req.url === '/close') {
        res.writeHead(201, { connection: 'close', 'content-length': '2' }).end('ok');
        return;
      }
      const status = req.url === '/fail' ? 500 : 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ n: served }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

function alternating(): VirtualClient & { seen: number } {
  let i = 0;
  const c = {
    seen: 0,
    next: () => ({ method: 'POST' as const, path: i++ % 2 === 0 ? '/ok' : '/fail', body: 'a=1' }),
    onResponse: () => { c.seen++; },
    counters: () => ({ seen: c.seen }),
  };
  return c;
}

describe('bench load generator', () => {
  it('stops at maxRequests and counts non-2xx responses as errors', async () => {
    const client = alternating();
    const r = await runLoad({ baseUrl, connections: 1, durationMs: 60_000, warmupMs: 0, maxRequests: 200 }, [client]);
    assert.equal(r.stoppedBy, 'maxRequests');
    assert.equal(r.requests, 200);
    assert.equal(r.errors, 100);
    assert.deepEqual(r.statusCounts, { 500: 100 });
    assert.equal(r.counters.seen, 200);
    assert.ok(r.errorSamples[0]?.startsWith('500 '));
    assert.ok(r.latencyMs.p50 <= r.latencyMs.p99 && r.latencyMs.p99 <= r.latencyMs.max);
  });

  it('runs for a bounded time with several connections; every measured request reached the server', async () => {
    const servedBefore = served;
    const clients = [alternating(), { next: () => ({ method: 'GET' as const, path: '/ok' }) }, { next: () => ({ method: 'GET' as const, path: '/fail' }) }];
    const r = await runLoad({ baseUrl, connections: 3, durationMs: 1000, warmupMs: 0, maxRequests: 10_000_000 }, clients);
    assert.equal(r.stoppedBy, 'duration');
    assert.ok(r.requests > 0);
    assert.ok(served - servedBefore >= r.requests);
    assert.equal(r.errors, r.statusCounts['500'] ?? 0);
    assert.ok(r.errors > 0 && r.errors < r.requests);
    assert.equal(r.connections, 3);
  });

  it('reads chunked bodies and reconnects after connection: close', async () => {
    const bodies: string[] = [];
    const mk = (path: string): VirtualClient => ({
      next: () => ({ method: 'GET' as const, path }),
      onResponse: (status, body) => { bodies.push(`${status}:${body}`); },
    });
    const r1 = await runLoad({ baseUrl, connections: 1, durationMs: 60_000, warmupMs: 0, maxRequests: 10 }, [mk('/chunked')]);
    assert.equal(r1.errors, 0);
    assert.deepEqual(bodies, Array(10).fill('200:hello world'));
    bodies.length = 0;
    const r2 = await runLoad({ baseUrl, connections: 1, durationMs: 60_000, warmupMs: 0, maxRequests: 10 }, [mk('/close')]);
    assert.equal(r2.errors, 0);
    assert.deepEqual(bodies, Array(10).fill('201:ok'));
  });

  it('counts transport failures as errors with status 0', async () => {
    const dead = http.createServer();
    await new Promise<void>((res) => dead.listen(0, '127.0.0.1', res));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((res) => dead.close(res));
    const r = await runLoad({ baseUrl: `http://127.0.0.1:${port}`, connections: 1, durationMs: 60_000, warmupMs: 0, maxRequests: 5 },
      [{ next: () => ({ method: 'GET' as const, path: '/' }) }]);
    assert.equal(r.requests, 5);
    assert.equal(r.errors, 5);
    assert.deepEqual(r.statusCounts, { 0: 5 });
  });

  it('runs in a separate process with a client module', async () => {
    const servedBefore = served;
    const bodiesBefore = bodies;
    const r = await runLoadInChild({
      baseUrl, connections: 2, durationMs: 1000, warmupMs: 0, maxRequests: 10_000_000,
      clientModule: fileURLToPath(new URL('../../bench/lib/clients/static.ts', import.meta.url)),
      clientParams: { path: '/ok', body: 'grant_type=client_credentials' },
    });
    assert.ok(r.requests > 0);
    assert.equal(r.errors, 0);
    assert.ok(served - servedBefore >= r.requests);
    assert.ok(bodies - bodiesBefore >= r.requests);
  });

  it('refuses non-loopback targets', () => {
    assert.throws(() => assertLoopback('http://example.com'), /loopback/);
    assert.throws(() => assertLoopback('https://127.0.0.1:1'), /loopback/);
    assert.equal(assertLoopback('http://127.0.0.1:8080').port, '8080');
  });
});
