/**
 * The typed result of a successful verification: who called, with what rights, bound to what.
 */

export interface Principal {
  /** `sub`: the user (or service principal) the token was issued for. */
  subject: string;
  /** `oid`: the object id in the directory. */
  oid?: string;
  /** `tid`: the tenant. */
  tenantId?: string;
  /** Delegated permissions (`scp`, space-separated in the token). */
  scopes: string[];
  /** Application permissions / app roles (`roles`). */
  roles: string[];
  /** The client the token was issued to (`azp`, or `appid`). */
  appId?: string;
  /** `sid`: the sign-in session. */
  sessionId?: string;
  /** `deviceid`: the registered device the sign-in session is bound to, if any. */
  deviceId?: string;
  /** Authentication methods (`amr`). */
  authMethods: string[];
  /** `cnf.jkt` of a DPoP-bound token, verified against the request's proof; absent for bearer tokens. */
  jkt?: string;
  /** How the token was presented. */
  scheme: 'Bearer' | 'DPoP';
  /** `exp`, seconds. */
  expiresAt: number;
  /** All verified claims. */
  claims: Readonly<Record<string, unknown>>;
  /** A fresher `DPoP-Nonce` to send back (RFC 9449 §8.2); the adapters set the header. */
  dpopNonce?: string;
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return v.split(' ').filter(Boolean);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

const opt = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Build a Principal from verified claims (used by the verifier; exported for custom pipelines).
 *
 * @example
 * const p = principalFromClaims(payload, 'DPoP', payload.cnf.jkt);
 */
export function principalFromClaims(claims: Record<string, unknown>, scheme: 'Bearer' | 'DPoP', jkt: string | undefined): Principal {
  const p: Principal = {
    subject: claims.sub as string,
    scopes: strings(claims.scp),
    roles: strings(claims.roles),
    authMethods: strings(claims.amr),
    scheme,
    expiresAt: claims.exp as number,
    claims,
  };
  const set = <K extends 'oid' | 'tenantId' | 'appId' | 'sessionId' | 'deviceId'>(k: K, v: string | undefined) => {
    if (v !== undefined) p[k] = v;
  };
  set('oid', opt(claims.oid));
  set('tenantId', opt(claims.tid));
  set('appId', opt(claims.azp) ?? opt(claims.appid) ?? opt(claims.client_id));
  set('sessionId', opt(claims.sid));
  set('deviceId', opt(claims.deviceid));
  if (jkt !== undefined) p.jkt = jkt;
  return p;
}
