/**
 * `WWW-Authenticate` challenges for protected resources: RFC 6750 §3 (`Bearer`) and
 * RFC 9449 §7.1 (`DPoP`, with `algs`). Values are quoted-strings (RFC 9110 §11.2); anything that
 * would need escaping is dropped from descriptions instead, so no header injection is possible.
 */

export type ChallengeScheme = 'Bearer' | 'DPoP';

export interface ChallengeParams {
  realm?: string;
  error?: string;
  error_description?: string;
  scope?: string;
  /** DPoP only: space-separated algorithms the resource accepts. */
  algs?: string;
}

/** Printable ASCII minus `"` and `\`, as RFC 6750 §3 allows in these values. */
function clean(v: string): string {
  return v.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '').slice(0, 300);
}

/**
 * Build one challenge, e.g. `DPoP algs="ES256", error="invalid_token", error_description="expired"`.
 *
 * @example
 * res.setHeader('WWW-Authenticate', challenge('Bearer', { error: 'insufficient_scope', scope: 'Orders.Read' }));
 */
export function challenge(scheme: ChallengeScheme, params: ChallengeParams = {}): string {
  const parts: string[] = [];
  for (const k of ['realm', 'algs', 'error', 'error_description', 'scope'] as const) {
    const v = params[k];
    if (v !== undefined && (k !== 'algs' || scheme === 'DPoP')) parts.push(`${k}="${clean(v)}"`);
  }
  return parts.length ? `${scheme} ${parts.join(', ')}` : scheme;
}
