// The benchmark's code-flow helper drives a login form it discovers from the page (hidden inputs,
// relative action, username-then-password steps), does PKCE, and rides the SSO cookie afterwards.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { codeFlow, CookieJar, fillForm, parseForms } from '../../bench/lib/code-flow.ts';

const REDIRECT = 'http://127.0.0.1/cb';
let baseUrl = '';
let server: http.Server;
const codes = new Map<string, string>(); // code → challenge
const passwordPosts: number[] = [];

function readBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => { s += c.toString(); });
    req.on('end', () => resolve(new URLSearchParams(s)));
  });
}

before(async () => {
  server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/t/authorize' && req.method === 'GET') {
        const challenge = url.searchParams.get('code_challenge') ?? '';
        const state = url.searchParams.get('state') ?? '';
        if (req.headers.cookie?.includes('sso=yes')) {
          const code = `c${codes.size}`;
          codes.set(code, challenge);
          res.writeHead(302, { location: `${REDIRECT}?code=${code}&state=${state}` }).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'flow=1; Path=/; HttpOnly' });
        res.end(`<html><body><form method="post" action="login?step=user">
          <input type="hidden" name="ctx" value="${challenge}|${state}">
          <input type="email" name="loginfmt" value=""><button type="submit" name="next" value="1">Next</button></form></body></html>`);
        return;
      }
      if (url.pathname === '/t/login' && url.searchParams.get('step') === 'user') {
        const form = await readBody(req);
        assert.equal(req.headers.cookie, 'flow=1');
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<form action="/t/login?step=pw" method="POST"><input type=hidden name=ctx value='${form.get('ctx') ?? ''}'>
          <input name="username" value="${form.get('loginfmt') ?? ''}"><input type="password" name="pw"><input type="submit" value="Sign in"></form>`);
        return;
      }
      if (url.pathname === '/t/login' && url.searchParams.get('step') === 'pw') {
        const form = await readBody(req);
        passwordPosts.push(1);
        if (form.get('pw') !== 'secret' || form.get('username') !== 'ada@t') {
          res.writeHead(200, { 'content-type': 'text/html' }).end('<form method=post><input type=password name=pw></form>');
          return;
        }
        const [challenge = '', state = ''] = (form.get('ctx') ?? '').split('|');
        const code = `c${codes.size}`;
        codes.set(code, challenge);
        res.writeHead(302, { location: `${REDIRECT}?code=${code}&state=${state}`, 'set-cookie': 'sso=yes; Path=/' }).end();
        return;
      }
      if (url.pathname === '/t/token') {
        const form = await readBody(req);
        const challenge = codes.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const ok = challenge && createHash('sha256').update(verifier).digest('base64url') === challenge && form.get('client_id') === 'app';
        res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { access_token: 'at', refresh_token: `rt-${form.get('code')}` } : { error: 'invalid_grant' }));
        return;
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

describe('bench code flow helper', () => {
  it('parses forms with hidden inputs, entities and buttons, and fills credentials', () => {
    const [f] = parseForms(`<form action="/x?a=1&amp;b=2" method=post><input type="hidden" name="h" value="&quot;v&quot;">
      <input name="username"><input type="password" name="password"><input type="checkbox" name="keep">
      <button type="submit" name="action" value="login">Go</button></form>`);
    assert.ok(f);
    assert.equal(f.action, '/x?a=1&b=2');
    assert.equal(f.method, 'post');
    const body = fillForm(f, { username: 'u@t', password: 'p' });
    assert.equal(body.toString(), 'h=%22v%22&username=u%40t&password=p&action=login');
  });

  it('signs in through a two-step form, exchanges the code with PKCE, then rides the session', async () => {
    const jar = new CookieJar();
    const opts = {
      authority: `${baseUrl}/t`, authorizeUrl: `${baseUrl}/t/authorize`, tokenUrl: `${baseUrl}/t/token`,
      clientId: 'app', clientAuth: 'none' as const, redirectUri: REDIRECT, scope: 'openid offline_access',
      username: 'ada@t', password: 'secret', jar,
    };
    const first = await codeFlow(opts);
    assert.equal(first.sso, false);
    assert.match(String(first.tokens.refresh_token), /^rt-c\d+$/);
    const second = await codeFlow(opts);
    assert.equal(second.sso, true);
    assert.notEqual(second.tokens.refresh_token, first.tokens.refresh_token);
  });

  it('reports a rejected password instead of looping', async () => {
    await assert.rejects(codeFlow({
      authority: `${baseUrl}/t`, authorizeUrl: `${baseUrl}/t/authorize`, tokenUrl: `${baseUrl}/t/token`,
      clientId: 'app', redirectUri: REDIRECT, scope: 'openid', username: 'ada@t', password: 'wrong',
    }), /shown again/);
  });
});
