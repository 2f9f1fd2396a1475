/** Typed request state carried through the token endpoint's steps. */
import type { App } from '../../app/app.ts';
import type { FormParams } from '../../server/form.ts';
import type { SignInEvent } from '../../signin/event.ts';
import type { Device, ServicePrincipal, Tenant, User } from '../../store/types.ts';
import type { AuthenticatedClient } from '../client-auth.ts';
import type { ScopeRequest } from '../resources.ts';
import type { RiskLevel } from '../../policy/schema/enums.ts';
import type { LoginRisk } from '../authorize/risk.ts';

export interface HttpInfo {
  method: string;
  /** The external URL of this endpoint as the client addressed it (no query). */
  url: string;
  ip: string;
  userAgent: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Proof of possession, verified once per request (STYLE.md). */
export type Possession =
  | { kind: 'dpop'; jkt: string; nextNonce?: string | undefined }
  | { kind: 'device'; deviceId: string; device: Device; jkt?: string | undefined };

export type Subject = { kind: 'user'; user: User } | { kind: 'app'; sp: ServicePrincipal };

export interface GrantOutcome {
  subject: Subject;
  scopes: ScopeRequest;
  /** Delegated permissions for `scp`, app permissions for `roles`. */
  scp: string[];
  roles: string[];
  wids: string[];
  sid?: string | undefined;
  authTime?: number | undefined;
  amr: string[];
  nonce?: string | null | undefined;
  /** Refresh token family to continue (refresh grant) or start. */
  familyId?: string | undefined;
  /** When the grant consumed a refresh token, the one to store in its place (set by issue step). */
  rotate?: { oldHash: string } | undefined;
  /** Bind the refresh token to this DPoP key (public clients, RFC 9449 §5). */
  refreshJkt?: string | null | undefined;
  /** Device the session is bound to. */
  device?: Device | undefined;
  originalTransferMethod: string;
  /** Issuance context stored with the refresh token (IP, user agent, …) for anomaly detection. */
  issuedTo?: Record<string, unknown>;
  code?: string | undefined;
  /** Keyed fingerprint of the password used in this sign-in (password spray detection), never the password. */
  passwordFingerprint?: string | undefined;
  /** Identity protection's assessment made on the sign-in page (authorization code grant). */
  loginRisk?: LoginRisk | undefined;
  /**
   * Issues the grant's own long-lived credential instead of a refresh token, after the access
   * decision (the device session token, src/protocol/device/issue-session.ts). Receives the token
   * response built so far (empty when no resource was asked for) and returns the final one.
   */
  issueSession?: ((ctx: TokenContext, body: Record<string, unknown>) => Promise<Record<string, unknown>>) | undefined;
}

export interface TokenContext {
  app: App;
  tenant: Tenant;
  params: FormParams;
  http: HttpInfo;
  event: SignInEvent;
  started: number;
  grantType: string;
  client?: AuthenticatedClient;
  possession?: Possession | undefined;
  grant?: GrantOutcome;
  response?: Record<string, unknown>;
  responseHeaders: Record<string, string>;
  /** Risk levels from identity protection, read by conditional access. */
  risk?: { signIn?: RiskLevel | undefined; user?: RiskLevel | undefined; servicePrincipal?: RiskLevel | undefined; country?: string | null };
  /** Authentication contexts satisfied (token `acrs`). */
  acrs?: string[];
}
