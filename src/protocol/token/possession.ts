/**
 * Proof of possession at the token endpoint, verified once and carried in `ctx.possession`:
 * a DPoP proof (RFC 9449 §4, §5) when the client sends one. (The device-bound session grant
 * verifies its own proofs.) Server nonces are required (§8) so a proof cannot be made in advance.
 */
import { InvalidDpopProof, OAuthError } from '../../errors/oauth.ts';
import { verifyDpopProof } from '../../binding/dpop.ts';
import type { TokenContext } from './context.ts';

export async function verifyPossession(ctx: TokenContext): Promise<void> {
  const h = ctx.http.headers.dpop;
  if (h === undefined) return;
  if (Array.isArray(h)) throw new InvalidDpopProof('Exactly one DPoP header is allowed (RFC 9449 §4.3).');
  const nowSec = Math.floor(Date.now() / 1000);
  const r = await verifyDpopProof(h, {
    method: ctx.http.method, url: ctx.http.url, nonce: ctx.app.dpopNonces, requireNonce: ctx.app.config.dpopRequireNonce,
    replay: ctx.app.dpopReplay, now: nowSec, context: 'token',
  }).catch((e: unknown) => {
    // A key-bound request whose proof failed: unbound, "other" (docs/token-protection.md, server implementation).
    if (!(e instanceof OAuthError && e.code === 'use_dpop_nonce')) ctx.event.tokenProtectionStatusDetails = { signInSessionStatus: 'unbound', signInSessionStatusCode: 1005 };
    throw e;
  });
  ctx.possession = { kind: 'dpop', jkt: r.jkt, nextNonce: r.nextNonce };
  if (r.nextNonce) ctx.responseHeaders['DPoP-Nonce'] = r.nextNonce;
}
