/**
 * The HTTP server: Fastify with Tessera's body parsers, client-address resolution, rate limits and
 * the one error handler that turns every failure into an OAuth or Graph error body — never a stack
 * trace, never a bare 500 for bad input.
 */
import { createServer as createPlainServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { tokenFastPath } from './token-fast-path.ts';
import type { App } from '../app/app.ts';
import { OAuthError, RateLimited, RequestTooLarge, InvalidRequest, toOAuthResponse } from '../errors/oauth.ts';
import { GraphError, toGraphBody } from '../errors/graph.ts';
import { clientIp, trustedProxies } from './client-ip.ts';
import { RateLimiter } from './rate-limit.ts';
import { newId } from '../util/ids.ts';

export interface ServerOptions {
  https?: { cert: string | Buffer; key: string | Buffer };
}

export const isGraphPath = (url: string): boolean => /^\/(v1\.0|beta)(\/|$|\?)/.test(url);

function graphCodeFor(status: number): GraphError['code'] {
  return status === 413 ? 'RequestEntityTooLarge' : status === 415 ? 'UnsupportedMediaType' : status === 429 ? 'TooManyRequests' : status === 404 ? 'Request_ResourceNotFound' : status === 405 ? 'MethodNotAllowed' : status >= 500 ? 'InternalServerError' : 'BadRequest';
}

export function createHttpServer(app: App, opts: ServerOptions = {}): FastifyInstance {
  const trust = trustedProxies(app.config.trustedProxies);
  const limiter = new RateLimiter(app.config.rateLimitPerMinute);
  const fast = tokenFastPath(app, trust, limiter);
  const f = Fastify({
    logger: false,
    bodyLimit: app.config.bodyLimit,
    routerOptions: { maxParamLength: 500 },
    genReqId: () => newId(),
    // Errors Fastify raises before routing (e.g. a malformed percent-encoding in the path) get the
    // same OAuth or Graph error bodies as everything else.
    frameworkErrors: (err: Error, req: FastifyRequest, reply: import('fastify').FastifyReply) => {
      const message = 'The request URL is malformed.';
      if (isGraphPath(req.url)) return reply.status(400).send(toGraphBody(new GraphError('BadRequest', message), String(req.id ?? newId())));
      return reply.status(400).send(new InvalidRequest(message, { detail: err.message }).toJSON());
    },
    // Our own server so the token endpoint's fast path (token-fast-path.ts) sees requests first;
    // the timeouts are the ones Fastify would set on a server it created.
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
      const listener = (req: IncomingMessage, res: ServerResponse): void => { if (!fast(req, res)) handler(req, res); };
      const server = opts.https ? createHttpsServer(opts.https, listener) : createPlainServer(listener);
      server.keepAliveTimeout = 72_000;
      return server;
    },
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  f.decorateRequest('clientIp', '');
  f.addHook('onRequest', async (req: FastifyRequest & { clientIp?: string }, reply) => {
    req.clientIp = clientIp(req.socket.remoteAddress, req.headers, trust);
    if (!limiter.allow(req.clientIp)) {
      void reply.header('Retry-After', '60');
      throw new RateLimited('Too many requests from this address; retry after a minute.', { aadsts: 50196, status: 429 });
    }
  });

  // Form bodies are parsed to raw key → string[] here; FormParams applies the OAuth rules.
  f.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const out: Record<string, string[]> = {};
    try {
      for (const [k, v] of new URLSearchParams(body as string)) (out[k] ??= []).push(v);
    } catch {
      done(new InvalidRequest('The request body is not valid application/x-www-form-urlencoded.'), undefined);
      return;
    }
    done(null, out);
  });

  f.setNotFoundHandler((req, reply) => {
    if (isGraphPath(req.url)) {
      void reply.status(404).send(toGraphBody(new GraphError('Request_ResourceNotFound', `Resource not found for the segment '${req.url.split('?')[0]!.split('/').slice(2).join('/').slice(0, 100)}'.`), req.id));
      return;
    }
    void reply.status(404).send({ error: 'not_found', error_description: `No endpoint at ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}.` });
  });

  f.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const graph = isGraphPath(req.url);
    if (err instanceof OAuthError) {
      const r = toOAuthResponse(err, req.headers.authorization);
      for (const [k, v] of Object.entries(r.headers)) void reply.header(k, v);
      if (graph) return reply.status(err.status).send(toGraphBody(new GraphError(graphCodeFor(err.status), err.description), req.id));
      return reply.status(r.status).send(r.body);
    }
    if (err instanceof GraphError) {
      for (const [k, v] of Object.entries(err.headers)) void reply.header(k, v);
      return reply.status(err.status).send(toGraphBody(err, req.id, typeof req.headers['client-request-id'] === 'string' ? req.headers['client-request-id'] : undefined));
    }
    // Fastify's own errors: body too large, bad JSON, unsupported media type, …
    let status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    let message = status < 500 ? err.message : 'The server could not complete the request.';
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') { status = 413; message = `The request body is larger than ${app.config.bodyLimit} bytes.`; }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') { status = 415; message = `Unsupported content type '${String(req.headers['content-type'] ?? '').slice(0, 60)}'.`; }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) { status = 400; message = 'The request body is not valid JSON.'; }
    if (status >= 500) app.log.error({ err, url: req.url }, 'unhandled error');
    if (graph) return reply.status(status).send(toGraphBody(new GraphError(graphCodeFor(status), message), req.id));
    const oauth = status === 413 ? new RequestTooLarge(message) : new OAuthError(status >= 500 ? 'server_error' : 'invalid_request', message, { status });
    return reply.status(status).send(oauth.toJSON());
  });
  return f;
}
