/**
 * The state of a sign-in in progress, carried in the page as a sealed (AES-GCM, master key) value
 * rather than in a server table: it cannot be read or forged by the browser, and expires in 10 minutes.
 */
import type { App } from '../../app/app.ts';
import { MasterKeyError } from '../../keys/master-key.ts';

export interface AuthorizeParams {
  clientId: string; redirectUri: string; scope: string; state?: string | undefined; nonce?: string | undefined;
  codeChallenge?: string | undefined; responseMode: 'query' | 'form_post'; dpopJkt?: string | undefined; loginHint?: string | undefined;
}

export type Interaction =
  | { kind: 'authorize'; tenantId: string; params: AuthorizeParams; correlationId: string; exp: number; userId?: string; amr?: string[] }
  | { kind: 'device'; tenantId: string; userCode: string; clientId: string; correlationId: string; exp: number; userId?: string; amr?: string[] };

const TTL_MS = 10 * 60_000;

type Unsealed = Interaction extends infer T ? (T extends Interaction ? Omit<T, 'exp'> & { exp?: number } : never) : never;

export function sealInteraction(app: App, i: Unsealed): string {
  return app.sealer.seal(JSON.stringify({ ...i, exp: i.exp ?? Date.now() + TTL_MS }), `interaction:${i.tenantId}`);
}

export function openInteraction(app: App, tenantId: string, sealed: string | undefined): Interaction | undefined {
  if (!sealed || sealed.length > 8192) return undefined;
  try {
    const i = JSON.parse(app.sealer.unseal(sealed, `interaction:${tenantId}`).toString('utf8')) as Interaction;
    return i.exp > Date.now() ? i : undefined;
  } catch (e) {
    if (e instanceof MasterKeyError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}
