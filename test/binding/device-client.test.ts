// The device client against a minimal reference server built only from the src/binding verifiers:
// the wire protocol of docs/token-protection.md §4 end to end (register → login → token → API call),
// and a replay of the stolen session token from a second agent state that lacks the keys.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createEs256Signer } from '../../src/crypto/jwt.ts';
import { exportPublicJwk } from '../../src/crypto/jwk.ts';
import { verifyDeviceRequest, verifyRegistrationProof, type RegistrationProofResult } from '../../src/binding/device-proof.ts';
import { issueSessionKey, verifySessionProof } from '../../src/binding/session-key.ts';
import { verifyDpopProof } from '../../src/binding/dpop.ts';
import { createHmacNonceService } from '../../src/binding/nonce.ts';
import { MemoryReplayCache } from '../../src/binding/replay-cache.ts';
import { createAesGcmSealer } from '../../src/binding/seal.ts';
import { OAuthError, InvalidGrant } from '../../src/errors/oauth.ts';
import { DeviceClient, DeviceClientError, SoftwareKeyStore, type DeviceSession } from '../../sdk/device/index.ts';
import { createVerifier, nodeHttpGuard } from '../../sdk/resource/index.ts';

const TENANT = 't1';
const nonces = createHmacNonceService({ secrets: [randomBytes(32)], label: 'device' });
const replay = new MemoryReplayCache();
const sealer = createAesGcmSealer(randomBytes(32));
const signKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = createEs256Signer(signKey.privateKey, 'k1');
const devices = new Map<string, RegistrationProofResult>();
const sessions = new Map<string, { deviceId: string; sessionKeyId: string; sealed: string }>();
const hash = (s: string) => createHash('sha256').update(s).digest('base64url');

const server = http.createServer(async (req, res) => {
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const authority = `${origin}/${TENANT}`;
  const now = Math.floor(Date.now() / 1000);
  const o = { audience: authority, nonce: nonces, replay, now };
  try {
    if (req.url === `/${TENANT}/devices/nonce`) return send(200, { nonce: nonces.current(now), expires_in: 300 });
    if (req.url === `/${TENANT}/discovery/v2.0/keys`) return send(200, { keys: [{ ...exportPublicJwk(signKey.publicKey), kid: 'k1', use: 'sig' }] });
    if (req.url === `/${TENANT}/devices/register`) {
      const body = JSON.parse(raw);
      const reg = await verifyRegistrationProof(body.registration_proof, o);
      if (body.password !== 'pw') throw new InvalidGrant('bad credentials', { aadsts: 50126 });
      const id = randomUUID();
      devices.set(id, reg);
      return send(201, { device_id: id, device_key_jkt: reg.deviceKeyJkt, transport_key_jkt: reg.transportKeyJkt, trust_type: 'Workplace' });
    }
    if (req.url === `/${TENANT}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(raw);
      if (form.get('grant_type') === 'urn:tessera:params:oauth:grant-type:device-request') {
        const r = await verifyDeviceRequest(form.get('request'), { ...o, getDeviceKey: (id) => devices.get(id)?.deviceJwk });
        const dev = devices.get(r.deviceId)!;
        if (r.grant === 'session_renewal') {
          const old = sessions.get(hash(String(r.claims.session_token)));
          if (!old || old.deviceId !== r.deviceId) throw new InvalidGrant('unknown session');
          sessions.delete(hash(String(r.claims.session_token)));
        } else if (r.claims.password !== 'pw') throw new InvalidGrant('bad credentials', { aadsts: 50126 });
        const sk = await issueSessionKey({ transportJwk: dev.transportJwk, transportAlg: dev.transportAlg, seal: sealer.seal });
        const st = `tst_${randomBytes(32).toString('base64url')}`;
        sessions.set(hash(st), { deviceId: r.deviceId, sessionKeyId: sk.sessionKeyId, sealed: sk.sealedKey });
        return send(200, { token_type: 'Bearer', session_token: st, session_key_id: sk.sessionKeyId, session_key_jwe: sk.encryptedForDevice, session_token_expires_in: 1209600, refresh_in: 14400 });
      }
      if (form.get('grant_type') === 'urn:tessera:params:oauth:grant-type:session') {
        const st = form.get('session_token') ?? '';
        const s = sessions.get(hash(st));
        if (!s) throw new InvalidGrant('unknown session');
        const dp = await verifyDpopProof(req.headers.dpop, { method: 'POST', url: `${origin}${req.url}`, replay, now });
        await verifySessionProof(form.get('proof'), {
          ...o, sessionToken: st, unseal: sealer.unseal,
          loadSealedKey: (kid) => (kid === s.sessionKeyId ? s.sealed : undefined),
          expect: { clientId: form.get('client_id') ?? '', scope: form.get('scope') ?? '', dpopJkt: dp.jkt },
        });
        const at = signer.sign({ iss: `${authority}/v2.0`, aud: 'api://orders', sub: 'user-1', tid: TENANT, deviceid: s.deviceId, scp: 'Orders.Read', iat: now, exp: now + 3600, jti: randomUUID(), cnf: { jkt: dp.jkt } }, { typ: 'at+jwt' });
        return send(200, { access_token: at, token_type: 'DPoP', expires_in: 3600, scope: form.get('scope') });
      }
    }
    send(404, { error: 'not_found' });
  } catch (e) {
    if (e instanceof OAuthError) return send(e.status, e.toJSON(), e.headers);
    send(500, { error: 'server_error', error_description: String(e) });
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const AUTHORITY = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${TENANT}`;

const verifier = createVerifier({ issuer: `${AUTHORITY}/v2.0`, audience: 'api://orders', jwksUri: `${AUTHORITY}/discovery/v2.0/keys` });
const guard = nodeHttpGuard(verifier);
const api = http.createServer(async (req, res) => {
  const p = await guard(req, res);
  if (p) res.end(JSON.stringify({ sub: p.subject, deviceId: p.deviceId }));
});
await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
const API = `http://127.0.0.1:${(api.address() as AddressInfo).port}/orders`;
after(() => {
  server.close();
  api.close();
});

const agent = async () => new DeviceClient({ authority: AUTHORITY, clientId: 'broker', store: await SoftwareKeyStore.open({ dir: join(mkdtempSync(join(tmpdir(), 'tessera-agent-')), 'keys') }) });

test('register, login, token, API call; renewal rolls the session key', async () => {
  const a = await agent();
  const reg = await a.register({ username: 'ada', password: 'pw', device: { operatingSystem: 'Linux' } });
  assert.ok(devices.has(reg.deviceId));
  let session: DeviceSession = await a.login(reg.deviceId, { username: 'ada', password: 'pw' });
  const tok = await a.acquireToken(session, { clientId: 'app', scope: 'api://orders/.default' });
  assert.equal(tok.token_type, 'DPoP');
  const res = await a.fetchWithToken(API, tok.access_token);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { sub: 'user-1', deviceId: reg.deviceId });
  const renewed = await a.renew(session);
  assert.notEqual(renewed.sessionKeyId, session.sessionKeyId);
  // the rolled-over key is deleted from the store, so the old session cannot be used from here either
  await assert.rejects(a.acquireToken(session, { clientId: 'app', scope: 's' }), /no key sk-/);
  assert.equal(sessions.has(hash(session.sessionToken)), false, 'server dropped the old session token');
  session = renewed;
  assert.equal((await a.acquireToken(session, { clientId: 'app', scope: 's' })).token_type, 'DPoP');
});

test('a second agent state with the stolen session token and access token but no keys gets nothing', async () => {
  const a = await agent();
  const reg = await a.register({ username: 'ada', password: 'pw' });
  const session = await a.login(reg.deviceId, { username: 'ada', password: 'pw' });
  const tok = await a.acquireToken(session, { clientId: 'app', scope: 's' });
  const thief = await agent();
  // the thief's store has no session key under that id: it cannot even build the proof
  await assert.rejects(thief.acquireToken(session, { clientId: 'app', scope: 's' }));
  // with keys of its own (device, dpop), the stolen access token fails at the API (cnf.jkt mismatch)
  await thief.register({ username: 'mallory', password: 'pw' });
  const res = await thief.fetchWithToken(API, tok.access_token);
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  // and bad credentials surface as a typed error
  const err = await a.register({ username: 'ada', password: 'wrong' }).catch((e: unknown) => e);
  assert.ok(err instanceof DeviceClientError);
  assert.equal(err.error, 'invalid_grant');
});
