/**
 * Turns a blocking or non-interactive decision into the OAuth error the token endpoint returns,
 * through the project's one error type (src/errors/oauth.ts): `interaction_required` with
 * Entra's AADSTS number (e.g. 50076 MFA, 53003 blocked, 53000 non-compliant, 530084 token protection).
 */
import { OAuthError } from '../errors/oauth.ts';
import type { PolicyDecision } from './decision.ts';

export function decisionToOAuthError(decision: PolicyDecision): OAuthError | null {
  if (decision.outcome === 'allow' || !decision.error) return null;
  const e = decision.error;
  return new OAuthError(e.error, e.description, {
    aadsts: e.aadsts,
    detail: `conditional access: ${decision.unmet.map((u) => `${u.policyId}:${u.control}`).join(', ')}`,
    ...(e.error === 'unauthorized_client' ? { extra: { suberror: 'protection_policy_required' } } : {}),
  });
}
