/**
 * Framework adapters for the resource verifier: Node's `http`, Express-style middleware, Fastify.
 * They compute the request's external URL (for DPoP `htu`), run the verifier once per request,
 * and on failure send the status, `WWW-Authenticate`, `DPoP-Nonce` and an RFC 6750 JSON body.
 *
 * The external URL: pass `origin` (e.g. `https://api.example.com`) in production. Without it the
 * URL is built from the `Host` header and the connection's TLS state (or `X-Forwarded-Proto` when
 * `trustProxy` is set); a service reachable under several names should always pass `origin`.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, TemporarilyUnavailable } from '../../src/errors/oauth.ts';
import type { Principal } from './principal.ts';
import type { Verifier } from './verifier.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `fastifyOnRequest` after a successful verification. */
    principal?: Principal;
  }
}

export interface AdapterOptions {
  /** External origin of this service, e.g. `https://api.example.com` (no trailing slash). */
  origin?: string;
  /** Believe `X-Forwarded-Proto` / `X-Forwarded-Host` (only behind a proxy you control). */
  trustProxy?: boolean;
  /** Per-route permission requirements (override the verifier's). */
  scopes?: readonly string[];
  roles?: readonly string[];
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function externalUrl(opts: AdapterOptions, headers: IncomingHttpHeaders, encrypted: boolean, path: string): string {
  if (opts.origin) return `${opts.origin}${path}`;
  const proto = (opts.trustProxy && first(headers['x-forwarded-proto'])?.split(',')[0]?.trim()) || (encrypted ? 'https' : 'http');
  const host = (opts.trustProxy && first(headers['x-forwarded-host'])) || headers.host || 'localhost';
  return `${proto}://${host}${path}`;
}

/**
 * Turn any failure into an OAuthError with status and headers (unknown errors: 503, no details).
 *
 * @example
 * try { req.principal = await verifier.verify(r); } catch (e) { const err = toHttpError(e); reply(err.status, err.headers, err.toJSON()); }
 */
export function toHttpError(e: unknown): OAuthError {
  if (e instanceof OAuthError) return e;
  return new TemporarilyUnavailable('token verification unavailable', { detail: e instanceof Error ? e.message : String(e) });
}

function writeNode(res: ServerResponse, err: OAuthError): void {
  res.statusCode = err.status;
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify({ error: err.code, error_description: err.description }));
}

/**
 * Guard for Node's `http` server: resolves the Principal, or writes the error response and resolves
 * `undefined`.
 *
 * @example
 * const guard = nodeHttpGuard(verifier, { origin: 'https://api.example.com' });
 * http.createServer(async (req, res) => {
 *   const principal = await guard(req, res);
 *   if (!principal) return; // 401/403 already sent
 *   res.end(`hello ${principal.subject}`);
 * });
 */
export function nodeHttpGuard(verifier: Verifier, opts: AdapterOptions = {}): (req: IncomingMessage, res: ServerResponse) => Promise<Principal | undefined> {
  return async (req, res) => {
    try {
      const url = externalUrl(opts, req.headers, !!(req.socket as TLSSocket).encrypted, req.url ?? '/');
      const p = await verifier.verify({ method: req.method ?? 'GET', url, headers: req.headers }, opts);
      if (p.dpopNonce) res.setHeader('DPoP-Nonce', p.dpopNonce);
      return p;
    } catch (e) {
      writeNode(res, toHttpError(e));
      return undefined;
    }
  };
}

/** The slice of an Express request this middleware reads and writes. */
export interface ExpressLikeRequest {
  method: string;
  url: string;
  originalUrl?: string;
  headers: IncomingHttpHeaders;
  socket?: { encrypted?: boolean };
  principal?: Principal;
}

/** The slice of an Express response used (Express responses are Node `ServerResponse`s). */
export interface ExpressLikeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/**
 * Express-style middleware: sets `req.principal` and calls `next()`, or answers 401/403.
 *
 * @example
 * app.get('/orders', expressMiddleware(verifier, { scopes: ['Orders.Read'] }), (req, res) => res.json(req.principal));
 */
export function expressMiddleware(verifier: Verifier, opts: AdapterOptions = {}): (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    const url = externalUrl(opts, req.headers, !!req.socket?.encrypted, req.originalUrl ?? req.url);
    verifier.verify({ method: req.method, url, headers: req.headers }, opts).then(
      (p) => {
        if (p.dpopNonce) res.setHeader('DPoP-Nonce', p.dpopNonce);
        req.principal = p;
        next();
      },
      (e: unknown) => writeNode(res as unknown as ServerResponse, toHttpError(e)),
    );
  };
}

/**
 * Fastify `onRequest` hook: sets `request.principal`, or replies 401/403.
 *
 * @example
 * app.addHook('onRequest', fastifyOnRequest(verifier, { origin: 'https://api.example.com' }));
 * app.get('/orders', async (request) => ({ user: request.principal!.subject }));
 */
export function fastifyOnRequest(verifier: Verifier, opts: AdapterOptions = {}): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    try {
      const encrypted = !!(request.raw.socket as TLSSocket).encrypted;
      const url = externalUrl(opts, request.headers, encrypted, request.url);
      const p = await verifier.verify({ method: request.method, url, headers: request.headers }, opts);
      if (p.dpopNonce) void reply.header('DPoP-Nonce', p.dpopNonce);
      request.principal = p;
    } catch (e) {
      const err = toHttpError(e);
      await reply
        .code(err.status)
        .headers({ ...err.headers, 'cache-control': 'no-store' })
        .send({ error: err.code, error_description: err.description });
    }
  };
}
