import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, graph, startTestServer, type TestServer } from '../helpers/server.ts';

describe('users', () => {
  let s: TestServer;
  let token: string;
  before(async () => { s = await startTestServer(); token = await adminToken(s); });
  after(async () => { await s.stop(); });

  it('creates, reads by id and UPN, lists, updates and deletes a user', async () => {
    const created = await graph(s, token, 'POST', '/v1.0/users', {
      accountEnabled: true, displayName: 'Adele Vance', mailNickname: 'adelev', userPrincipalName: 'AdeleV@contoso.test',
      passwordProfile: { forceChangePasswordNextSignIn: false, password: 'Str0ng-Passw0rd!' }, jobTitle: 'Engineer',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.userPrincipalName, 'adelev@contoso.test');
    assert.equal(created.body.jobTitle, 'Engineer');
    assert.match(created.body['@odata.context'], /\/v1\.0\/\$metadata#users\/\$entity$/);
    assert.equal(created.body.passwordProfile, undefined);
    const id = created.body.id as string;

    const byUpn = await graph(s, token, 'GET', '/v1.0/users/adelev@contoso.test');
    assert.equal(byUpn.body.id, id);
    const byId = await graph(s, token, 'GET', `/beta/users/${id}?$select=displayName,id`);
    assert.deepEqual(Object.keys(byId.body).sort(), ['@odata.context', 'displayName', 'id']);
    assert.match(byId.body['@odata.context'], /\/beta\/\$metadata#users\(displayName,id\)\/\$entity$/);
    assert.equal((await graph(s, token, 'GET', `/v1.0/users/${id}?$top=1`)).status, 400);

    const list = await graph(s, token, 'GET', `/v1.0/users?$filter=startswith(displayName,'Adele')&$select=id,userPrincipalName&$count=true`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(list.body['@odata.count'], 1);
    assert.deepEqual(list.body.value, [{ id, userPrincipalName: 'adelev@contoso.test' }]);

    const patched = await graph(s, token, 'PATCH', `/v1.0/users/${id}`, { displayName: 'Adele V.', accountEnabled: false });
    assert.equal(patched.status, 204, JSON.stringify(patched.body));
    assert.equal((await graph(s, token, 'GET', `/v1.0/users/${id}`)).body.accountEnabled, false);

    assert.equal((await graph(s, token, 'DELETE', `/v1.0/users/${id}`)).status, 204);
    const gone = await graph(s, token, 'GET', `/v1.0/users/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'Request_ResourceNotFound');
  });

  it('refuses bad bodies with Graph errors naming the property', async () => {
    const base = { accountEnabled: true, displayName: 'X', userPrincipalName: 'x@contoso.test', passwordProfile: { password: 'Str0ng-Passw0rd!' } };
    const cases: [unknown, RegExp][] = [
      [{ ...base, favouriteColour: 'blue' }, /favouriteColour/],
      [{ ...base, id: '00000000-0000-0000-0000-000000000000' }, /'id' is read-only/],
      [{ ...base, accountEnabled: 'yes' }, /accountEnabled/],
      [{ ...base, displayName: 'a\u0000b' }, /displayName/],
      [{ ...base, displayName: '\ud800' }, /displayName/],
      [{ ...base, userPrincipalName: 'x@elsewhere.test' }, /domain portion/],
      [{ ...base, passwordProfile: { password: 'short' } }, /password complexity/],
      [{ ...base, displayName: 'y'.repeat(5000) }, /displayName/],
      [{ accountEnabled: true }, /is required/],
      [[1, 2], /JSON object/],
    ];
    for (const [body, msg] of cases) {
      const r = await graph(s, token, 'POST', '/v1.0/users', body);
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match(r.body.error.message, msg);
    }
    const malformed = await graph(s, token, 'POST', '/v1.0/users', '{"accountEnabled": tru');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, 'BadRequest');
    const wrongType = await graph(s, token, 'POST', '/v1.0/users', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(wrongType.status, 415);
    const huge = await graph(s, token, 'POST', '/v1.0/users', JSON.stringify({ displayName: 'x'.repeat(200_000) }));
    assert.equal(huge.status, 413);
    const badFilter = await graph(s, token, 'GET', "/v1.0/users?$filter=displayName eq 'x");
    assert.equal(badFilter.status, 400);
    const badProp = await graph(s, token, 'GET', "/v1.0/users?$filter=shoeSize eq 3");
    assert.equal(badProp.status, 400);
    const badTop = await graph(s, token, 'GET', '/v1.0/users?$top=-1');
    assert.equal(badTop.status, 400);
    assert.equal((await graph(s, token, 'GET', '/v1.0/users/%E0%A4%A')).status < 500, true);
    assert.equal((await graph(s, token, 'GET', '/v1.0/users/not-a-user')).status, 404);
  });

  it('answers 401 with a challenge for missing or garbage tokens', async () => {
    const none = await fetch(`${s.url}/v1.0/users`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer /);
    assert.equal(((await none.json()) as any).error.code, 'InvalidAuthenticationToken');
    const garbage = await graph(s, 'abc.def.ghi', 'GET', '/v1.0/users');
    assert.equal(garbage.status, 401);
    const tampered = await graph(s, `${token.slice(0, -4)}AAAA`, 'GET', '/v1.0/users');
    assert.equal(tampered.status, 401);
  });
});
