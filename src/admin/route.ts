/**
 * The shared plumbing of every Graph route: mounting under `/v1.0` and `/beta`, authenticating the
 * caller, checking a permission, reading a JSON body, and answering a list request with OData query
 * options and `@odata.nextLink` paging. Resource files declare routes through `GraphRouter` and never
 * touch Fastify directly.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app/app.ts';
import type { AuditInput } from '../app/audit.ts';
import type { Permission } from '../directory/roles.ts';
import { AuthorizationDenied, BadRequest, ResourceNotFound, UnsupportedMediaType } from '../errors/graph.ts';
import { applySelect, collectionResponse, createSkipTokenCodec, matches, paginate, parseQueryOptions, serviceRoot, type Catalogue, type SkipTokenCodec } from './odata/index.ts';
import { authenticate, type GraphCaller } from './auth.ts';

export interface GraphContext {
  app: App;
  req: FastifyRequest;
  reply: FastifyReply;
  caller: GraphCaller;
  params: Record<string, string>;
  /** The request URL as the client addressed it (for nextLink and @odata.context). */
  url: URL;
  /** Writes the audit record (durably) for a change made by this caller. */
  audit(input: Omit<AuditInput, 'tenantId' | 'actor' | 'correlationId'>): Promise<void>;
}

/** What a handler returns: a body (200), `{ status, body }`, or undefined for 204. */
export type GraphResult = Record<string, unknown> | { status: 201 | 200; body: Record<string, unknown> } | undefined;
export type GraphHandler = (c: GraphContext) => Promise<GraphResult>;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface GraphRouter {
  app: App;
  /** Declares `method path` under both versions; the caller must hold `permission` ('self': any signed-in caller, for `/me`). */
  route(method: Method, path: string, permission: Permission | 'self', handler: GraphHandler): void;
}

export function createGraphRouter(f: FastifyInstance, app: App): GraphRouter {
  return {
    app,
    route(method, path, permission, handler) {
      for (const version of ['v1.0', 'beta']) {
        f.route({
          method, url: `/${version}${path}`,
          handler: async (req, reply) => {
            const caller = await authenticate(app, req);
            if (permission !== 'self') caller.require(permission);
            const c: GraphContext = {
              app, req, reply, caller, params: req.params as Record<string, string>, url: new URL(req.url, app.baseUrl),
              async audit(input) {
                await app.audit.record({ ...input, tenantId: caller.tenant.id, actor: caller.actor, correlationId: caller.correlationId });
              },
            };
            // Graph echoes these on every response; scripts log them for support cases.
            const clientRequestId = req.headers['client-request-id'];
            void reply.header('request-id', req.id).header('client-request-id', typeof clientRequestId === 'string' && /^[\w.-]{1,100}$/.test(clientRequestId) ? clientRequestId : req.id);
            const result = await handler(c);
            if (reply.sent) return reply; // the handler answered itself (e.g. a CSV download)
            if (result === undefined) return reply.status(204).send();
            if ('status' in result && 'body' in result && typeof result.status === 'number') return reply.status(result.status).send(result.body);
            return reply.status(200).send(result);
          },
        });
      }
    },
  };
}

/**
 * Changing the credentials or sign-in of a principal that holds a directory role needs a caller who may
 * manage roles (Global Administrator): otherwise a User or Application Administrator could take over
 * a more privileged account by resetting its password or adding a secret to its application.
 */
export async function requireRoleManagerFor(c: GraphContext, principalId: string): Promise<void> {
  if (c.caller.allows('roles.write')) return;
  if ((await c.app.store.roles.rolesOf(c.caller.tenant.id, principalId)).length > 0) {
    throw new AuthorizationDenied('Insufficient privileges to complete the operation.', { detail: 'target holds a directory role' });
  }
}

/** `@odata.context` of a single entity: `https://host/v1.0/$metadata#users/$entity`. */
export function entityContext(c: GraphContext, entitySet: string): string {
  return `${serviceRoot(c.url)}$metadata#${entitySet}/$entity`;
}

export function contextOf(c: GraphContext, fragment: string): string {
  return `${serviceRoot(c.url)}$metadata#${fragment}`;
}

/** The JSON object a POST or PATCH carries; anything else is a Graph 400/415. */
export function jsonBody(c: GraphContext): Record<string, unknown> {
  const ct = String(c.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === '') throw new BadRequest('The request body is missing or has no Content-Type; send application/json.');
  if (ct !== 'application/json') throw new UnsupportedMediaType(`Unsupported content type '${ct.slice(0, 60)}'; send application/json.`);
  const body = c.req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/**
 * A single entity with its `@odata.context` (`…/$metadata#users(id,displayName)/$entity` under `$select`),
 * `$select` validated against the catalogue. Other query options are refused rather than ignored.
 */
export function selectOne(c: GraphContext, catalogue: Catalogue, row: Record<string, unknown>, entitySet = catalogue.entitySet): Record<string, unknown> {
  const select = c.url.searchParams.get('$select');
  for (const k of c.url.searchParams.keys()) {
    if (k.startsWith('$') && k.toLowerCase() !== '$select') throw new BadRequest(`The query option '${k.slice(0, 40)}' is not supported on a single object.`);
  }
  const q = select === null ? {} : parseQueryOptions(new URLSearchParams({ $select: select }), catalogue);
  const sel = q.select && q.select.length > 0 ? `(${q.select.join(',')})` : '';
  return { '@odata.context': `${serviceRoot(c.url)}$metadata#${entitySet}${sel}/$entity`, ...applySelect(row, q.select) };
}

/**
 * Answers a list request from the whole (small) collection in memory: `$filter`, `$orderby`, `$top`,
 * `$select`, `$count` and a signed `$skiptoken` in `@odata.nextLink`.
 */
export function listResponse(c: GraphContext, catalogue: Catalogue, rows: Record<string, unknown>[], opts: { defaultTop?: number; scope?: string; entitySet?: string } = {}): Record<string, unknown> {
  const q = parseQueryOptions(c.url.search, catalogue);
  const scope = `${c.caller.tenant.id}|${c.url.pathname}`;
  const { page, nextSkipToken } = paginate(rows, q, codecOf(c), opts.defaultTop ?? 100, scope);
  const count = q.count ? rows.filter((r) => matches(r, q.filter)).length : undefined;
  return collectionResponse({
    requestUrl: c.url, catalogue: opts.entitySet ? { ...catalogue, entitySet: opts.entitySet } : catalogue, select: q.select,
    value: page.map((r) => applySelect(r, q.select)), nextSkipToken, count,
  }) as unknown as Record<string, unknown>;
}

const codecs = new WeakMap<App, SkipTokenCodec>();
/** One skip-token key per running service, so nextLinks survive between requests. */
export function codecOf(c: GraphContext): SkipTokenCodec {
  let codec = codecs.get(c.app);
  if (!codec) {
    codec = createSkipTokenCodec(randomBytes(32));
    codecs.set(c.app, codec);
  }
  return codec;
}

/**
 * The value of an alternate key in the path, `applications(appId='…')`, or undefined when the
 * request addressed the object by id. Fastify cannot name such a parameter, so it is read from the URL.
 */
export function alternateKey(c: GraphContext, entitySet: string, key: string): string | undefined {
  if (c.params.id !== undefined) return undefined;
  let path: string;
  try { path = decodeURIComponent(c.url.pathname); } catch { return notFound(c.url.pathname); }
  const m = new RegExp(`/${entitySet}\\(${key}='([^']{1,200})'\\)`, 'i').exec(path);
  if (!m) throw new BadRequest(`Invalid key: expected ${entitySet}(${key}='…').`);
  return m[1]!;
}

/** Graph's 404 for an object id that does not exist. */
export function notFound(id: string): never {
  throw new ResourceNotFound(`Resource '${id.slice(0, 100)}' does not exist or one of its queried reference-property objects are not present.`);
}

/** Path ids are GUIDs (or a UPN where the resource allows it); anything else is a 400 or 404 as Graph answers. */
export function requireGuid(id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new BadRequest(`Invalid object identifier '${id.slice(0, 100)}'.`);
  }
  return id.toLowerCase();
}
