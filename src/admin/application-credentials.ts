/**
 * An application's credentials: client secrets (`addPassword` shows the secret once; only its
 * SHA-256 is stored, as bootstrap does) and certificate / public-key credentials for
 * `private_key_jwt` (a keyCredential whose `key` is a certificate — base64 DER or PEM — or a public
 * JWK). Certificates are stored as their public JWK and x5t#S256 thumbprint (RFC 7515 §4.1.8), so
 * client assertions naming `x5t#S256` find them; bare JWKs by their RFC 7638 thumbprint or `kid`.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { canonicalPublicJwk, exportPublicJwk, hasPrivateMembers, importPublicJwk, jwkThumbprint, JwkError } from '../crypto/jwk.ts';
import { BadRequest } from '../errors/graph.ts';
import type { Application, Credential } from '../store/types.ts';
import { newId, newSecret, sha256 } from '../util/ids.ts';
import { guid, parseBody, text } from './validate.ts';

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const dateTime = z.string().max(40).refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date-time');

export function toGraphPasswordCredential(c: Credential, secretText: string | null = null): Record<string, unknown> {
  return { customKeyIdentifier: null, displayName: c.displayName, endDateTime: iso(c.endAt), hint: c.hint, keyId: c.keyId, secretText, startDateTime: iso(c.startAt) };
}

export function toGraphKeyCredential(c: Credential): Record<string, unknown> {
  return {
    customKeyIdentifier: c.thumbprint, displayName: c.displayName, endDateTime: iso(c.endAt), key: null, keyId: c.keyId,
    startDateTime: iso(c.startAt), type: 'AsymmetricX509Cert', usage: 'Verify',
  };
}

const addPasswordSchema = z.object({
  passwordCredential: z.object({ displayName: text(256).nullable().optional(), startDateTime: dateTime.optional(), endDateTime: dateTime.optional(), customKeyIdentifier: z.null().optional(), keyId: z.null().optional(), hint: z.null().optional(), secretText: z.null().optional() }).strict().optional(),
});

/** `addPassword`: a new secret, returned once in `secretText`; the store keeps only its hash. */
export function newPasswordCredential(app: Application, body: Record<string, unknown>): { credential: Credential; secretText: string } {
  const p = parseBody(addPasswordSchema, body, 'passwordCredential').passwordCredential ?? {};
  const now = Date.now();
  const startAt = p.startDateTime ? Date.parse(p.startDateTime) : now;
  const endAt = p.endDateTime ? Date.parse(p.endDateTime) : startAt + 2 * 365 * DAY;
  if (endAt <= startAt) throw new BadRequest("Invalid value for property 'endDateTime': it must be later than startDateTime.");
  if (endAt - startAt > 3 * 365 * DAY) throw new BadRequest("Invalid value for property 'endDateTime': a secret may be valid for at most three years.");
  // Entra's secrets are 40 characters with the first three as the hint.
  const secretText = newSecret(30);
  return {
    secretText,
    credential: {
      keyId: newId(), tenantId: app.tenantId, appId: app.appId, kind: 'secret', displayName: p.displayName ?? null, hint: secretText.slice(0, 3),
      secretHash: sha256(secretText), publicJwk: null, thumbprint: null, startAt, endAt,
    },
  };
}

export const keyCredentialSchema = z.object({
  keyId: guid.nullable().optional(),
  type: z.enum(['AsymmetricX509Cert', 'X509CertAndPassword']).optional(),
  usage: z.enum(['Verify']).optional(),
  key: z.union([z.string().max(16_384), z.record(z.string(), z.unknown())]).nullable().optional(),
  displayName: text(256).nullable().optional(),
  startDateTime: dateTime.nullable().optional(),
  endDateTime: dateTime.nullable().optional(),
  customKeyIdentifier: z.string().max(256).nullable().optional(),
}).strict();
export type KeyCredentialInput = z.infer<typeof keyCredentialSchema>;

function parseCertificate(key: string): X509Certificate | undefined {
  const s = key.trim();
  const attempts: (string | Buffer)[] = [s];
  if (!s.startsWith('-----')) {
    const raw = Buffer.from(s, 'base64');
    attempts.push(raw);
    if (raw.toString('latin1').startsWith('-----BEGIN CERTIFICATE-----')) attempts.push(raw.toString('latin1'));
  }
  for (const a of attempts) {
    try {
      return new X509Certificate(a);
    } catch {
      // try the next encoding
    }
  }
  return undefined;
}

/** A keyCredential with a `key` turned into a stored certificate credential. */
export function newKeyCredential(app: Application, k: KeyCredentialInput, index: number): Credential {
  const where = `keyCredentials.${index}.key`;
  if (k.key === undefined || k.key === null) throw new BadRequest(`Property '${where}' is required for a new key credential.`);
  const now = Date.now();
  let publicJwk: Record<string, unknown>;
  let thumbprint: string;
  let startAt = k.startDateTime ? Date.parse(k.startDateTime) : now;
  let endAt = k.endDateTime ? Date.parse(k.endDateTime) : now + 2 * 365 * DAY;
  if (typeof k.key === 'string') {
    const cert = parseCertificate(k.key);
    if (!cert) throw new BadRequest(`Invalid value for property '${where}': not an X.509 certificate (base64 DER or PEM).`);
    publicJwk = exportPublicJwk(cert.publicKey);
    // RFC 7515 §4.1.8: x5t#S256 is the base64url SHA-256 of the DER certificate.
    thumbprint = createHash('sha256').update(cert.raw).digest('base64url');
    startAt = k.startDateTime ? startAt : Date.parse(cert.validFrom);
    endAt = k.endDateTime ? endAt : Date.parse(cert.validTo);
  } else {
    if (hasPrivateMembers(k.key)) throw new BadRequest(`Invalid value for property '${where}': the JWK contains private key members; send only the public key.`);
    try {
      importPublicJwk(k.key); // a point on the curve, a usable modulus
      publicJwk = canonicalPublicJwk(k.key);
      thumbprint = jwkThumbprint(publicJwk);
    } catch (e) {
      if (e instanceof JwkError) throw new BadRequest(`Invalid value for property '${where}': ${e.message}.`);
      throw e;
    }
    if (typeof k.key.kid === 'string' && k.key.kid.length <= 128) publicJwk = { ...publicJwk, kid: k.key.kid };
  }
  if (!(endAt > startAt)) throw new BadRequest(`Invalid value for property 'keyCredentials.${index}.endDateTime': it must be later than startDateTime.`);
  if (endAt <= now) throw new BadRequest(`Invalid value for property 'keyCredentials.${index}': the certificate has expired.`);
  return {
    keyId: k.keyId ?? newId(), tenantId: app.tenantId, appId: app.appId, kind: 'certificate', displayName: k.displayName ?? null, hint: null,
    secretHash: null, publicJwk, thumbprint, startAt, endAt,
  };
}

/**
 * Graph replaces the whole keyCredentials collection on PATCH: entries sent back with their keyId and
 * no key are kept, entries with a key are added, and certificates not listed are removed.
 */
export function planKeyCredentials(app: Application, existing: Credential[], wanted: KeyCredentialInput[]): { add: Credential[]; remove: Credential[] } {
  const certs = existing.filter((c) => c.kind === 'certificate');
  const keep = new Set<string>();
  const add: Credential[] = [];
  wanted.forEach((k, i) => {
    if ((k.key === undefined || k.key === null) && k.keyId) {
      if (!certs.some((c) => c.keyId === k.keyId)) throw new BadRequest(`Invalid value for property 'keyCredentials.${i}.keyId': no key credential with this keyId exists.`);
      keep.add(k.keyId);
      return;
    }
    const c = newKeyCredential(app, k, i);
    if (existing.some((e) => e.keyId === c.keyId) || add.some((a) => a.keyId === c.keyId)) throw new BadRequest(`Invalid value for property 'keyCredentials.${i}.keyId': the keyId is already in use.`);
    add.push(c);
  });
  return { add, remove: certs.filter((c) => !keep.has(c.keyId)) };
}
