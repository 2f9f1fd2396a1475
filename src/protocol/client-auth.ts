/**
 * Client authentication at the token endpoint (RFC 6749 §2.3): `client_secret_basic`,
 * `client_secret_post`, `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9) and `none` for public
 * clients. Exactly one method per request (RFC 6749 §2.3: "MUST NOT use more than one").
 */
import type { App } from '../app/app.ts';
import type { ClientRecord } from '../app/directory-cache.ts';
import { InvalidClient, InvalidRequest, UnauthorizedClient } from '../errors/oauth.ts';
import type { FormParams } from '../server/form.ts';
import { safeEqual, sha256 } from '../util/ids.ts';
import { JwsError, verifyCompactJws } from '../crypto/jwt.ts';
import { ClaimError, checkRegisteredClaims } from '../crypto/claims.ts';
import { importPublicJwk } from '../crypto/jwk.ts';
import type { Credential } from '../store/types.ts';
import type { KeyObject } from 'node:crypto';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

export interface AuthenticatedClient {
  client: ClientRecord;
  method: ClientAuthMethod;
  credential: Credential | undefined;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function parseBasic(header: string): { id: string; secret: string } {
  const b64 = header.slice(6).trim();
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0 || !/^[A-Za-z0-9+/=]+$/.test(b64)) throw new InvalidClient('The Authorization header is not valid Basic credentials.', { aadsts: 7000215 });
  try {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined.
    return { id: decodeURIComponent(decoded.slice(0, i).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, ' ')) };
  } catch {
    throw new InvalidClient('The Authorization header is not valid Basic credentials.', { aadsts: 7000215 });
  }
}

function matchSecret(creds: Credential[], secret: string, now: number): Credential | undefined {
  const h = sha256(secret);
  let found: Credential | undefined;
  // Compare against every secret so timing does not reveal how many there are or which matched.
  for (const c of creds) if (c.kind === 'secret' && c.secretHash && safeEqual(c.secretHash, h) && c.startAt <= now && now < c.endAt) found = c;
  return found;
}

const keyCache = new WeakMap<Credential, KeyObject>();

export async function authenticateClient(app: App, tenantId: string, tokenEndpoint: string, params: FormParams, authorization: string | undefined): Promise<AuthenticatedClient> {
  const basic = authorization?.toLowerCase().startsWith('basic ') ? parseBasic(authorization) : undefined;
  const postSecret = params.get('client_secret');
  const assertion = params.get('client_assertion');
  const assertionType = params.get('client_assertion_type');
  const used = [basic, postSecret, assertion].filter((x) => x !== undefined).length;
  if (used > 1) throw new InvalidRequest('Only one client authentication method may be used per request.', { aadsts: 900023 });
  if (assertion !== undefined && assertionType !== ASSERTION_TYPE) {
    throw new InvalidRequest(`client_assertion_type must be '${ASSERTION_TYPE}'.`, { aadsts: 50027 });
  }

  let clientId = params.get('client_id');
  if (basic) {
    if (clientId !== undefined && clientId !== basic.id) throw new InvalidRequest('client_id does not match the Authorization header.', { aadsts: 900023 });
    clientId = basic.id;
  }
  if (assertion !== undefined && clientId === undefined) {
    try {
      const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
      if (typeof payload.sub === 'string') clientId = payload.sub;
    } catch {
      throw new InvalidClient('The client assertion is not a valid JWT.', { aadsts: 50027 });
    }
  }
  if (clientId === undefined) throw new InvalidRequest("The request body must contain the following parameter: 'client_id'.", { aadsts: 900144 });
  if (clientId.length > 256) throw new InvalidClient('client_id is not valid.', { aadsts: 700016 });

  const client = await app.directory.client(clientId);
  if (!client || client.app.tenantId !== tenantId) {
    throw new InvalidClient(`Application with identifier '${clientId.slice(0, 64)}' was not found in the directory.`, { aadsts: 700016 });
  }
  if (client.sp && !client.sp.accountEnabled) throw new UnauthorizedClient('The application is disabled.', { aadsts: 7000112 });
  const now = Date.now();

  if (basic || postSecret !== undefined) {
    const secret = basic ? basic.secret : postSecret!;
    const credential = matchSecret(client.credentials, secret, now);
    if (!credential) throw new InvalidClient('Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.', { aadsts: 7000215 });
    return { client, method: basic ? 'client_secret_basic' : 'client_secret_post', credential };
  }

  if (assertion !== undefined) {
    const certs = client.credentials.filter((c) => c.kind === 'certificate' && c.publicJwk && c.startAt <= now && now < c.endAt);
    let credential: Credential | undefined;
    let payload: Record<string, unknown>;
    try {
      const decoded = verifyCompactJws(assertion, (h) => {
        // x5t#S256 / x5t / kid select the certificate; with one certificate none is needed.
        const sel = (h['x5t#S256'] ?? h.x5t ?? h.kid) as string | undefined;
        credential = sel ? certs.find((c) => c.thumbprint === sel || c.keyId === sel || c.publicJwk?.kid === sel) : certs.length === 1 ? certs[0] : undefined;
        if (!credential) return undefined;
        let k = keyCache.get(credential);
        if (!k) { k = importPublicJwk(credential.publicJwk); keyCache.set(credential, k); }
        return k;
      }, { algorithms: ['RS256', 'PS256', 'ES256'] });
      payload = decoded.payload;
      // RFC 7523 §3: iss and sub are the client id; aud identifies the token endpoint (the issuer is accepted too).
      checkRegisteredClaims(payload, { now: Math.floor(now / 1000), clockSkewSec: 300, audience: [tokenEndpoint, app.issuer(tenantId)], requireExp: true });
      if (payload.iss !== clientId || payload.sub !== clientId) throw new ClaimError('bad_claim', 'iss and sub must be the client id');
      const exp = payload.exp as number;
      if (exp - Math.floor(now / 1000) > 3600) throw new ClaimError('bad_claim', 'the assertion lives longer than an hour');
    } catch (e) {
      if (e instanceof JwsError || e instanceof ClaimError) {
        throw new InvalidClient(`The client assertion is not valid: ${e.message}.`, { aadsts: e instanceof JwsError && e.code === 'unknown_key' ? 700027 : 700024, detail: e.message });
      }
      throw e;
    }
    if (typeof payload.jti !== 'string' || !payload.jti) throw new InvalidClient('The client assertion must carry a jti.', { aadsts: 700024 });
    // RFC 7523 §3 item 7: the same assertion must not be accepted twice.
    if (!(await app.dpopReplay.use(`client_assertion:${clientId}:${payload.jti}`, (payload.exp as number) + 300, Math.floor(now / 1000)))) {
      throw new InvalidClient('The client assertion was already used.', { aadsts: 700024 });
    }
    return { client, method: 'private_key_jwt', credential };
  }

  if (!client.app.isPublic) {
    throw new InvalidClient("The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", { aadsts: 7000218 });
  }
  return { client, method: 'none', credential: undefined };
}
