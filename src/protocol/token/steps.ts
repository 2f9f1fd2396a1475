/**
 * The token endpoint as a pipeline declared as data (DESIGN.md "One path for every sign-in"): every
 * grant passes the same steps, so none can skip client authentication, possession checks, risk or
 * policy. Grant-specific work lives in `grants/*.ts`.
 */
import { InvalidRequest, UnsupportedGrantType } from '../../errors/oauth.ts';
import { authenticateClient } from '../client-auth.ts';
import type { TokenContext } from './context.ts';
import { grants } from './grants/index.ts';
import { verifyPossession } from './possession.ts';
import { buildSignInContext } from './sign-in-context.ts';
import { evaluateAccess } from './access.ts';
import { issueTokens } from './issue.ts';

export type Step = (ctx: TokenContext) => Promise<void>;

const checkRequest: Step = async (ctx) => {
  const gt = ctx.params.get('grant_type');
  if (!gt) throw new InvalidRequest("The request body must contain the following parameter: 'grant_type'.", { aadsts: 900144 });
  if (!Object.hasOwn(grants, gt)) throw new UnsupportedGrantType(`The grant type '${gt.slice(0, 100)}' is not supported.`, { aadsts: 70003 });
  ctx.grantType = gt;
  // Decide the record's table now, so a request failing client authentication is logged where its grant belongs.
  const kind = gt === 'client_credentials' ? 'servicePrincipal' : gt === 'authorization_code' || gt.endsWith('device_code') ? 'interactiveUser' : 'nonInteractiveUser';
  ctx.event.eventType = kind;
  ctx.event.isInteractive = kind === 'interactiveUser';
};

const authenticate: Step = async (ctx) => {
  const auth = ctx.http.headers.authorization;
  ctx.client = await authenticateClient(ctx.app, ctx.tenant.id, ctx.http.url, ctx.params, typeof auth === 'string' ? auth : undefined);
  const { app, sp } = ctx.client.client;
  ctx.event.appId = app.appId;
  ctx.event.appDisplayName = app.displayName;
  ctx.event.servicePrincipalId = sp?.id ?? null;
  ctx.event.clientCredentialType = { client_secret_basic: 'clientSecret', client_secret_post: 'clientSecret', private_key_jwt: 'clientAssertion', none: 'none' }[ctx.client.method];
  ctx.event.servicePrincipalCredentialKeyId = ctx.client.credential?.keyId ?? null;
  ctx.event.servicePrincipalCredentialThumbprint = ctx.client.credential?.thumbprint ?? null;
};

const runGrant: Step = async (ctx) => {
  const grant = grants[ctx.grantType];
  if (!grant) throw new UnsupportedGrantType(`The grant type '${ctx.grantType}' is not supported.`, { aadsts: 70003 });
  ctx.grant = await grant(ctx);
};

/** Order matters and is visible here: authenticate → possession → grant → context → access decision → issue. */
export const tokenSteps: readonly Step[] = [checkRequest, authenticate, verifyPossession, runGrant, buildSignInContext, evaluateAccess, issueTokens];
