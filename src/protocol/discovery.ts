/**
 * OpenID Provider metadata (OIDC Discovery 1.0 §3; RFC 8414) at Entra's path, and the JWKS.
 * The tenant may be addressed by id or domain; the issuer always names the tenant id, as Entra's does.
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../app/app.ts';
import { resolveTenant } from '../server/request.ts';
import { OIDC_SCOPES } from './resources.ts';

export function metadata(app: App, tenantId: string): Record<string, unknown> {
  const base = `${app.baseUrl}/${tenantId}`;
  return {
    issuer: app.issuer(tenantId),
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    revocation_endpoint: `${base}/oauth2/v2.0/revoke`,
    introspection_endpoint: `${base}/oauth2/v2.0/introspect`,
    userinfo_endpoint: `${base}/openid/userinfo`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    device_registration_endpoint: `${base}/devices/register`,
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'form_post'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:tessera:params:oauth:grant-type:device-request', 'urn:tessera:params:oauth:grant-type:session'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    code_challenge_methods_supported: ['S256'],
    dpop_signing_alg_values_supported: ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'],
    scopes_supported: [...OIDC_SCOPES],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'amr', 'oid', 'tid', 'name', 'preferred_username', 'email', 'at_hash'],
    request_parameter_supported: false,
    tenant_region_scope: null,
    authorization_response_iss_parameter_supported: true,
  };
}

export function registerDiscovery(f: FastifyInstance, app: App): void {
  const cacheable = { 'Cache-Control': 'public, max-age=3600' };
  f.get('/:tenant/v2.0/.well-known/openid-configuration', async (req, reply) => {
    const t = await resolveTenant(app, (req.params as { tenant: string }).tenant);
    void reply.headers(cacheable);
    return metadata(app, t.id);
  });
  // RFC 8414 §3: the well-known suffix inserted between host and path.
  f.get('/.well-known/oauth-authorization-server/:tenant/v2.0', async (req, reply) => {
    const t = await resolveTenant(app, (req.params as { tenant: string }).tenant);
    void reply.headers(cacheable);
    return metadata(app, t.id);
  });
  f.get('/:tenant/discovery/v2.0/keys', async (req, reply) => {
    await resolveTenant(app, (req.params as { tenant: string }).tenant);
    void reply.header('Cache-Control', 'public, max-age=300');
    return app.keys.jwks();
  });
}
