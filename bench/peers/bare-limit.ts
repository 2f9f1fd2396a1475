/**
 * The limit: a bare node:http server that parses the urlencoded form, checks nothing else, and signs
 * one ES256 JWT (RFC 9068-shaped claims) with node:crypto per request. Any grant "succeeds".
 * Prints `BENCH_READY {"port":N}` when listening on 127.0.0.1 (random port, or BENCH_PORT).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { generateEs256Key, signJwt } from '../lib/es256.ts';

const key = generateEs256Key();
const issuer = 'http://127.0.0.1/bare';
const MAX_BODY = 64 * 1024;

function tokenResponse(form: URLSearchParams, auth: string | undefined): string {
  const now = Math.floor(Date.now() / 1000);
  let clientId = form.get('client_id') ?? '';
  if (!clientId && auth?.startsWith('Basic ')) {
    clientId = decodeURIComponent(Buffer.from(auth.slice(6), 'base64').toString().split(':')[0] ?? '');
  }
  const scope = form.get('scope') ?? '';
  const at = signJwt({ typ: 'at+jwt', alg: 'ES256', kid: key.kid }, {
    iss: issuer, sub: clientId, aud: 'https://graph.microsoft.com', client_id: clientId, scope,
    iat: now, nbf: now, exp: now + 3600, jti: randomUUID(),
  }, key.privateKey);
  const body: Record<string, unknown> = { access_token: at, token_type: 'Bearer', expires_in: 3600, scope };
  // A refresh chain needs a "new" refresh token: an opaque random value, nothing stored.
  if (form.get('grant_type') === 'refresh_token') body.refresh_token = randomUUID();
  return JSON.stringify(body);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__bench/memory') {
    (globalThis as { gc?: () => void }).gc?.();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(process.memoryUsage()));
    return;
  }
  if (req.method !== 'POST') { res.writeHead(405).end(); return; }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY) { res.writeHead(413).end(); req.destroy(); return; }
    chunks.push(c);
  });
  req.on('end', () => {
    if (res.writableEnded) return;
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const body = tokenResponse(form, req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  process.stdout.write(`BENCH_READY ${JSON.stringify({ port, tokenPath: '/token' })}\n`);
});
const shutdown = (): void => { server.close(); server.closeAllConnections(); setTimeout(() => process.exit(0), 200).unref(); };
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The harness holds our stdin open; when it goes away, so do we.
process.stdin.on('end', shutdown).on('error', shutdown).resume();
