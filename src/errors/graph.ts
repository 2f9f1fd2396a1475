/**
 * Microsoft Graph errors: `{ "error": { "code", "message", "innerError": { "date", "request-id", "client-request-id" } } }`.
 * One class per Graph error code with its HTTP status; `toGraphBody` is the one place that serialises them.
 */

const table = {
  BadRequest: 400,
  Request_BadRequest: 400,
  Request_UnsupportedQuery: 400,
  InvalidAuthenticationToken: 401,
  Authorization_RequestDenied: 403,
  Forbidden: 403,
  Request_ResourceNotFound: 404,
  ResourceNotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  Conflict: 409,
  Request_MultipleObjectsWithSameKeyValue: 409,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  InternalServerError: 500,
  ServiceUnavailable: 503,
} as const;

export type GraphErrorCode = keyof typeof table;

export interface GraphErrorOptions {
  /** Private detail for logs; never sent. */
  detail?: string;
  status?: number;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GraphError extends Error {
  readonly code: GraphErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;

  constructor(code: GraphErrorCode, message: string, opts: GraphErrorOptions = {}) {
    super(message, { cause: opts.cause });
    this.name = 'GraphError';
    this.code = code;
    this.status = opts.status ?? table[code];
    this.detail = opts.detail;
    this.headers = opts.headers ?? {};
  }
}

type Ctor = new (message: string, opts?: GraphErrorOptions) => GraphError;
function make(code: GraphErrorCode): Ctor {
  return class extends GraphError {
    constructor(message: string, opts?: GraphErrorOptions) {
      super(code, message, opts);
    }
  };
}

export const BadRequest = make('BadRequest');
export const UnsupportedQuery = make('Request_UnsupportedQuery');
export const InvalidAuthenticationToken = make('InvalidAuthenticationToken');
export const AuthorizationDenied = make('Authorization_RequestDenied');
export const ResourceNotFound = make('Request_ResourceNotFound');
export const MethodNotAllowed = make('MethodNotAllowed');
export const Conflict = make('Request_MultipleObjectsWithSameKeyValue');
export const UnsupportedMediaType = make('UnsupportedMediaType');
export const TooManyRequests = make('TooManyRequests');

export function isGraphError(e: unknown): e is GraphError {
  return e instanceof GraphError;
}

export function toGraphBody(err: GraphError, requestId: string, clientRequestId?: string): Record<string, unknown> {
  return {
    error: {
      code: err.code,
      message: err.message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? requestId,
      },
    },
  };
}
