/**
 * The protocol flows driven by openid-client v6 (panva) as the real relying party: code + PKCE with
 * the sign-in form submitted over HTTP, refresh with rotation and reuse detection, client
 * credentials with a secret and with private_key_jwt, device code, revocation, introspection,
 * userinfo — and the sign-in records each leaves.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import * as OTPAuth from 'otpauth';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { addApp, addUser, browserSignIn, rsaKeyPair } from '../helpers/fixtures.ts';
import { jwkThumbprint, exportPublicJwk } from '../../src/crypto/jwk.ts';

const PASSWORD = 'Tr0ub4dor&3-horse';
const REDIRECT = 'http://127.0.0.1:5555/callback';
const insecure = { execute: [client.allowInsecureRequests] };

describe('OIDC flows with openid-client', () => {
  let s: TestServer;
  let publicApp: { appId: string };
  let confidential: { appId: string };
  let certApp: { appId: string };
  const certKeys = rsaKeyPair();
  let userId: string;
  const totpSecret = new OTPAuth.Secret({ size: 20 }).base32;

  before(async () => {
    s = await startTestServer({ TESSERA_DEVICE_CODE_INTERVAL: '1' });
    userId = await addUser(s, 'alice@contoso.test', PASSWORD);
    await addUser(s, 'mfa.user@contoso.test', PASSWORD, { totpSecret });
    await addUser(s, 'disabled@contoso.test', PASSWORD, { enabled: false });
    publicApp = await addApp(s, { displayName: 'Native app', isPublic: true, redirectUris: [REDIRECT] });
    confidential = await addApp(s, { displayName: 'Web app', redirectUris: [REDIRECT], secret: 'web-app-secret-1234567890' });
    certApp = await addApp(s, { displayName: 'Daemon', publicKey: certKeys.publicKey });
  });
  after(async () => { await s.stop(); });

  const discover = (clientId: string, metadata: Partial<client.ClientMetadata> | string | undefined, auth?: client.ClientAuth) =>
    client.discovery(new URL(`${s.authority}/v2.0`), clientId, typeof metadata === 'string' ? { client_secret: metadata, id_token_signed_response_alg: 'ES256' } : { id_token_signed_response_alg: 'ES256', ...metadata }, auth, insecure);

  async function codeFlow(cfg: client.Configuration, user = 'alice@contoso.test', scope = 'openid profile offline_access User.Read', otp?: () => string) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(cfg, { redirect_uri: REDIRECT, scope, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
    const { location } = await browserSignIn(url.href, user, PASSWORD, otp);
    return client.authorizationCodeGrant(cfg, new URL(location), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  }

  test('authorization code + PKCE for a public client, ID token validated by openid-client', async () => {
    const cfg = await discover(publicApp.appId, { token_endpoint_auth_method: 'none' }, client.None());
    const tokens = await codeFlow(cfg);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    const claims = tokens.claims()!;
    assert.equal(claims.sub, userId);
    assert.equal(claims.preferred_username, 'alice@contoso.test');
    assert.ok(tokens.refresh_token);
    const at = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    assert.equal(at.scp, 'User.Read');
    assert.deepEqual(at.amr, ['pwd']);
    const info = await client.fetchUserInfo(cfg, tokens.access_token, userId);
    assert.equal(info.preferred_username, 'alice@contoso.test');
  });

  test('refresh rotates, and reusing a rotated refresh token revokes the whole family', async () => {
    const cfg = await discover(publicApp.appId, { token_endpoint_auth_method: 'none' }, client.None());
    const first = await codeFlow(cfg);
    const second = await client.refreshTokenGrant(cfg, first.refresh_token!);
    assert.notEqual(second.refresh_token, first.refresh_token, 'rotated');
    const third = await client.refreshTokenGrant(cfg, second.refresh_token!);
    // An attacker replays the first token: reuse detected.
    await assert.rejects(client.refreshTokenGrant(cfg, first.refresh_token!), (e: any) => e.error === 'invalid_grant');
    // The legitimate holder's newest token died with the family.
    await assert.rejects(client.refreshTokenGrant(cfg, third.refresh_token!), (e: any) => e.error === 'invalid_grant' && /AADSTS50173/.test(e.error_description));
  });

  test('TOTP second step: amr shows pwd+otp+mfa', async () => {
    const cfg = await discover(publicApp.appId, { token_endpoint_auth_method: 'none' }, client.None());
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(totpSecret), digits: 6, period: 30 });
    const tokens = await codeFlow(cfg, 'mfa.user@contoso.test', 'openid offline_access User.Read', () => totp.generate());
    assert.deepEqual(tokens.claims()!.amr, ['pwd', 'otp', 'mfa']);
  });

  test('confidential client: code flow with client_secret_basic, then introspection and revocation', async () => {
    const cfg = await discover(confidential.appId, 'web-app-secret-1234567890');
    const tokens = await codeFlow(cfg);
    const intro = await client.tokenIntrospection(cfg, tokens.access_token);
    assert.equal(intro.active, true);
    assert.equal(intro.sub, userId);
    const rtIntro = await client.tokenIntrospection(cfg, tokens.refresh_token!);
    assert.equal(rtIntro.active, true);
    await client.tokenRevocation(cfg, tokens.refresh_token!);
    assert.equal((await client.tokenIntrospection(cfg, tokens.refresh_token!)).active, false);
    await assert.rejects(client.refreshTokenGrant(cfg, tokens.refresh_token!), (e: any) => e.error === 'invalid_grant');
    await client.tokenRevocation(cfg, tokens.access_token);
    assert.equal((await client.tokenIntrospection(cfg, tokens.access_token)).active, false);
  });

  test('client credentials with client_secret_post and with private_key_jwt', async () => {
    const post = await discover(confidential.appId, 'web-app-secret-1234567890', client.ClientSecretPost('web-app-secret-1234567890'));
    const t1 = await client.clientCredentialsGrant(post, { scope: 'https://graph.microsoft.com/.default' });
    assert.ok(t1.access_token);
    const kid = jwkThumbprint(exportPublicJwk(certKeys.publicKey));
    const key = await crypto.subtle.importKey('pkcs8', certKeys.privateKey.export({ format: 'der', type: 'pkcs8' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    const pkj = await discover(certApp.appId, { token_endpoint_auth_method: 'private_key_jwt' }, client.PrivateKeyJwt({ key, kid }));
    const t2 = await client.clientCredentialsGrant(pkj, { scope: 'https://graph.microsoft.com/.default' });
    const claims = JSON.parse(Buffer.from(t2.access_token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.azp, certApp.appId);
    assert.equal(claims.idtyp, 'app');
    // A wrong secret is refused with invalid_client (401).
    const bad = await discover(confidential.appId, 'not-the-secret');
    await assert.rejects(client.clientCredentialsGrant(bad, { scope: 'https://graph.microsoft.com/.default' }), (e: any) => e.error === 'invalid_client');
  });

  test('device code flow: the user approves on the verification page, the device polls', async () => {
    const cfg = await discover(publicApp.appId, { token_endpoint_auth_method: 'none' }, client.None());
    const da = await client.initiateDeviceAuthorization(cfg, { scope: 'openid offline_access User.Read' });
    assert.match(da.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{9}$/);
    const page = await fetch(da.verification_uri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user_code: da.user_code.toLowerCase() }) });
    const html = await page.text();
    assert.equal(page.status, 200, html.slice(0, 200));
    const interaction = /name="interaction" value="([^"]+)"/.exec(html)![1]!;
    const done = await fetch(`${s.authority}/oauth2/v2.0/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ interaction, username: 'alice@contoso.test', password: PASSWORD }) });
    assert.match(await done.text(), /You are signed in/);
    const tokens = await client.pollDeviceAuthorizationGrant(cfg, da);
    assert.ok(tokens.access_token && tokens.refresh_token);
  });

  test('sign-in records: one per token request, in the right table, with Entra codes for failures', async () => {
    const cfg = await discover(publicApp.appId, { token_endpoint_auth_method: 'none' }, client.None());
    const url = client.buildAuthorizationUrl(cfg, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    await assert.rejects(browserSignIn(url.href, 'alice@contoso.test', 'wrong-password'), /did not redirect: 400/);
    await assert.rejects(browserSignIn(url.href, 'disabled@contoso.test', PASSWORD), /did not redirect: 400/);
    await s.app.logs.flush();
    const rows = (await s.app.logs.query(`SELECT UserPrincipalName, ResultType, IsInteractive FROM SigninLogs WHERE ResultType <> '0' ORDER BY TimeGenerated`)).rows;
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[2]]), [['alice@contoso.test', '50126', true], ['disabled@contoso.test', '50057', true]]);
    const ok = (await s.app.logs.query(`SELECT count(*) FROM SigninLogs WHERE ResultType = '0' AND AppId = $1`, [publicApp.appId])).rows[0]![0];
    assert.ok(Number(ok) >= 3, `successful interactive sign-ins recorded (${ok})`);
    const reuse = (await s.app.logs.query(`SELECT ResultType FROM AADNonInteractiveUserSignInLogs WHERE ResultType <> '0'`)).rows.map((r) => r[0]);
    assert.ok(reuse.includes('70008') && reuse.includes('50173'), `refresh failures recorded: ${reuse.join(',')}`);
    const sp = (await s.app.logs.query(`SELECT count(*) FROM AADServicePrincipalSignInLogs WHERE ResultType = '0'`)).rows[0]![0];
    assert.ok(Number(sp) >= 2);
    const tp = (await s.app.logs.query(`SELECT TokenProtectionStatusDetails.signInSessionStatusCode::INT FROM SigninLogs WHERE ResultType = '0' LIMIT 1`)).rows[0]![0];
    assert.equal(tp, 1008, 'browser sign-ins are unbound: client not using the device agent');
  });
});
