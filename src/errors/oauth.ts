/**
 * OAuth 2.0 / OpenID Connect protocol errors: one class per `error` code, generated from a table.
 *
 * Each error keeps the public `description` (sent as `error_description`) apart from a private
 * `detail` (logged, never sent). Entra's AADSTS number, where one exists, travels in `aadsts`
 * and is appended to the description the way Entra does ("AADSTS50126: …") and put in
 * `error_codes`. The one place that turns these into HTTP responses is `toOAuthResponse`.
 */

/** RFC 6749 §5.2, RFC 8628 §3.5, RFC 9449 §7 / §8, OIDC Core §3.1.2.6, RFC 6750 §3.1. */
const table = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  access_denied: 400,
  unsupported_response_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  interaction_required: 400,
  login_required: 400,
  consent_required: 400,
  invalid_request_uri: 400,
  invalid_request_object: 400,
  request_not_supported: 400,
  authorization_pending: 400,
  slow_down: 400,
  expired_token: 400,
  invalid_dpop_proof: 400,
  use_dpop_nonce: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  unsupported_token_type: 400,
  invalid_target: 400,
  invalid_client_metadata: 400,
  rate_limited: 429,
  request_too_large: 413,
  tenant_not_found: 400,
} as const;

export type OAuthErrorCode = keyof typeof table;

export interface OAuthErrorOptions {
  /** Private detail for logs; never sent to the client. */
  detail?: string;
  /** Entra's AADSTS error number, when Entra defines one for this failure. */
  aadsts?: number;
  /** Extra response headers (e.g. `WWW-Authenticate`, `DPoP-Nonce`). */
  headers?: Record<string, string>;
  /** Overrides the default HTTP status. */
  status?: number;
  /** Extra members for the JSON body (e.g. `claims` for a claims challenge, `suberror`). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly description: string;
  readonly detail: string | undefined;
  readonly aadsts: number | undefined;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(code: OAuthErrorCode, description: string, opts: OAuthErrorOptions = {}) {
    super(opts.aadsts ? `AADSTS${opts.aadsts}: ${description}` : description, { cause: opts.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.description = description;
    this.detail = opts.detail;
    this.aadsts = opts.aadsts;
    this.status = opts.status ?? table[code];
    this.headers = opts.headers ?? {};
    this.extra = opts.extra ?? {};
  }

  /** The JSON body of RFC 6749 §5.2, with Entra's `error_codes` when an AADSTS number is known. */
  toJSON(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      error: this.code,
      error_description: this.aadsts ? `AADSTS${this.aadsts}: ${this.description}` : this.description,
    };
    if (this.aadsts) body.error_codes = [this.aadsts];
    return { ...body, ...this.extra };
  }
}

type Ctor = new (description: string, opts?: OAuthErrorOptions) => OAuthError;

function make(code: OAuthErrorCode): Ctor {
  return class extends OAuthError {
    constructor(description: string, opts?: OAuthErrorOptions) {
      super(code, description, opts);
    }
  };
}

export const InvalidRequest = make('invalid_request');
export const InvalidClient = make('invalid_client');
export const InvalidGrant = make('invalid_grant');
export const UnauthorizedClient = make('unauthorized_client');
export const UnsupportedGrantType = make('unsupported_grant_type');
export const InvalidScope = make('invalid_scope');
export const AccessDenied = make('access_denied');
export const UnsupportedResponseType = make('unsupported_response_type');
export const ServerError = make('server_error');
export const TemporarilyUnavailable = make('temporarily_unavailable');
export const InteractionRequired = make('interaction_required');
export const LoginRequired = make('login_required');
export const ConsentRequired = make('consent_required');
export const AuthorizationPending = make('authorization_pending');
export const SlowDown = make('slow_down');
export const ExpiredToken = make('expired_token');
export const InvalidDpopProof = make('invalid_dpop_proof');
export const UseDpopNonce = make('use_dpop_nonce');
export const InvalidToken = make('invalid_token');
export const InsufficientScope = make('insufficient_scope');
export const UnsupportedTokenType = make('unsupported_token_type');
export const InvalidTarget = make('invalid_target');
export const RateLimited = make('rate_limited');
export const RequestTooLarge = make('request_too_large');
export const TenantNotFound = make('tenant_not_found');

export function isOAuthError(e: unknown): e is OAuthError {
  return e instanceof OAuthError;
}

export interface OAuthResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * The HTTP response for a protocol error: status, the error's own headers, and the RFC 6749 §5.2
 * body. A 401 for client authentication with HTTP Basic carries a challenge for that scheme
 * (RFC 6749 §5.2: "MUST include the WWW-Authenticate response header field").
 */
export function toOAuthResponse(err: OAuthError, authorization?: string | undefined): OAuthResponse {
  const headers: Record<string, string> = { ...err.headers };
  if (err.status === 401 && err.code === 'invalid_client' && authorization?.toLowerCase().startsWith('basic')) {
    headers['WWW-Authenticate'] = 'Basic realm="tessera"';
  }
  return { status: err.status, headers, body: err.toJSON() };
}
