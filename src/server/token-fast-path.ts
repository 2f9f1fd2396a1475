/**
 * The token endpoint served straight from node:http, ahead of Fastify's router.
 *
 * `POST /{tenant}/oauth2/v2.0/token` is most of an identity provider's traffic (every refresh,
 * every client-credentials call), and its request is always the same shape: a small urlencoded form
 * in, a small JSON object out. Fastify's generic request/reply machinery (hooks, content-type
 * parser, serializer, reply pipeline) measured ≈ 15% of the endpoint's CPU here; this path does the
 * same work directly. Everything a token request needs from the framework is done here with the
 * same helpers and the same answers: client address through trusted proxies, the rate limit, the
 * body limit (413), the content type (415), the RFC 6749 §5.2 error bodies. The token logic itself
 * is `answerTokenRequest`, shared with the Fastify route. Anything unusual (another method, an
 * encoded or overlong tenant segment) is left to Fastify, which answers it as before.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app/app.ts';
import { RateLimited, RequestTooLarge, ServerError, toOAuthResponse, type OAuthResponse } from '../errors/oauth.ts';
import { answerTokenRequest } from '../protocol/token/endpoint.ts';
import { clientIp, type TrustCheck } from './client-ip.ts';
import type { RateLimiter } from './rate-limit.ts';

// GUIDs and DNS names; anything else (percent-encoding, 254+ characters) takes the Fastify route.
const TOKEN_PATH = /^\/([A-Za-z0-9][A-Za-z0-9.-]{0,252})\/oauth2\/v2\.0\/token(?:\?|$)/;

export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Returns a handler that serves token requests and returns false for every other request. */
export function tokenFastPath(app: App, trust: TrustCheck, limiter: RateLimiter): FastPath {
  const limit = app.config.bodyLimit;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const m = TOKEN_PATH.exec(req.url ?? '');
    if (!m) return false;
    const tenantSegment = m[1]!;
    const ip = clientIp(req.socket.remoteAddress, req.headers, trust);
    if (!limiter.allow(ip)) {
      send(res, toOAuthResponse(new RateLimited('Too many requests from this address; retry after a minute.', { aadsts: 50196, status: 429, headers: { 'Retry-After': '60' } })));
      return true;
    }
    const tooLarge = (): void => {
      // The rest of the body is not read: close the connection after answering.
      send(res, toOAuthResponse(new RequestTooLarge(`The request body is larger than ${limit} bytes.`)), true);
    };
    if (Number(req.headers['content-length']) > limit) {
      tooLarge();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => { done = true; });
    req.on('end', () => {
      if (done) return;
      done = true;
      const body: Record<string, string[]> = {};
      for (const [k, v] of new URLSearchParams(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'))) (body[k] ??= []).push(v);
      answerTokenRequest(app, { tenantSegment, method: 'POST', headers: req.headers, ip, body })
        .then((answer) => send(res, answer))
        .catch((err: unknown) => {
          // answerTokenRequest never rejects; this guards the write itself (an unhandled rejection would end the process).
          app.log.error({ err }, 'token response not written');
          send(res, toOAuthResponse(new ServerError('The server could not complete the request.')));
        });
    });
    return true;
  };
}

function send(res: ServerResponse, answer: OAuthResponse, close = false): void {
  if (res.destroyed || res.headersSent) return;
  const payload = JSON.stringify(answer.body);
  // A flat [name, value, …] list: node writes it as given, without building a header map.
  const headers: string[] = ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(payload))];
  for (const name in answer.headers) headers.push(name, answer.headers[name]!);
  if (close) headers.push('Connection', 'close');
  res.writeHead(answer.status, headers);
  res.end(payload);
}
