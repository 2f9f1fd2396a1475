/**
 * Grant controls (graph-shapes §1.2, §10 [E1][G4]). Each control judges the sign-in as
 * 'satisfied', 'interaction' (a prompt can satisfy it: MFA, authentication strength, password
 * change, terms of use) or 'failed' (nothing the user can do in this sign-in: block, device state,
 * app protection, custom controls). `AND` needs every control, `OR` any one; unmet controls are
 * prompted in Entra's order: MFA → compliant device → hybrid-joined → approved app → app protection
 * → password change → terms of use → custom controls.
 *
 * approvedApplication / compliantApplication need an app-protection broker (Intune MAM) that
 * Tessera does not have: they are never satisfied here, so alone (or under AND) they fail.
 */
import type { PolicySignInContext } from '../context.ts';
import type { GrantControls } from '../schema/policy.ts';
import { controlErrors, type ControlError } from './aadsts.ts';
import { builtInStrengths, MFA_STRENGTH_ID, resolveStrength, strengthSatisfied, type AuthenticationStrength } from './authentication-strength.ts';

export type Judgement = 'satisfied' | 'interaction' | 'failed';

export interface GrantControl {
  /** Policy-side id: `mfa`, `block`, `authenticationStrength`, `termsOfUse:<id>`, … */
  id: string;
  /** Name used in enforcedGrantControls (graph-shapes §3.1: observed `Mfa`, `Block`, …). */
  displayName: string;
  error: ControlError;
  judge(ctx: PolicySignInContext): Judgement;
}

export interface CompiledGrant {
  operator: 'AND' | 'OR';
  controls: GrantControl[];
  strength: { id: string; displayName: string; resolved: AuthenticationStrength | null } | null;
}

const mfaStrength = builtInStrengths.get(MFA_STRENGTH_ID)!;

const fixed: Record<string, Omit<GrantControl, 'id'>> = {
  mfa: { displayName: 'Mfa', error: controlErrors.mfa, judge: (ctx) => (strengthSatisfied(mfaStrength, ctx.satisfied.methods) ? 'satisfied' : 'interaction') },
  compliantDevice: { displayName: 'RequireCompliantDevice', error: controlErrors.compliantDevice, judge: (ctx) => (ctx.device?.isCompliant === true ? 'satisfied' : 'failed') },
  // domainJoinedDevice = hybrid joined (graph-shapes §1.2): trustType ServerAd.
  domainJoinedDevice: { displayName: 'RequireDomainJoinedDevice', error: controlErrors.domainJoinedDevice, judge: (ctx) => (ctx.device?.trustType?.toLowerCase() === 'serverad' ? 'satisfied' : 'failed') },
  approvedApplication: { displayName: 'RequireApprovedApp', error: controlErrors.approvedApplication, judge: () => 'failed' },
  compliantApplication: { displayName: 'RequireCompliantApp', error: controlErrors.compliantApplication, judge: () => 'failed' },
  passwordChange: { displayName: 'PasswordChange', error: controlErrors.passwordChange, judge: (ctx) => (ctx.satisfied.passwordChanged ? 'satisfied' : 'interaction') },
  // Microsoft-managed remediation: a secure password change (or, for passwordless users, a fresh MFA) clears user risk.
  riskRemediation: { displayName: 'RiskRemediation', error: controlErrors.passwordChange, judge: (ctx) => (ctx.satisfied.passwordChanged ? 'satisfied' : 'interaction') },
  block: { displayName: 'Block', error: controlErrors.block, judge: () => 'failed' },
};

const promptOrder = ['block', 'mfa', 'authenticationStrength', 'compliantDevice', 'domainJoinedDevice', 'approvedApplication', 'compliantApplication', 'passwordChange', 'riskRemediation', 'termsOfUse', 'custom'];
const rank = (id: string): number => promptOrder.indexOf(id.split(':')[0]!);

export function compileGrant(g: GrantControls | null | undefined, customStrengths: ReadonlyMap<string, AuthenticationStrength>): CompiledGrant | null {
  if (!g) return null;
  const controls: GrantControl[] = g.builtInControls.map((id) => ({ id, ...fixed[id]! }));
  let strength: CompiledGrant['strength'] = null;
  if (g.authenticationStrength) {
    const resolved = resolveStrength(g.authenticationStrength, customStrengths);
    strength = { id: g.authenticationStrength.id, displayName: resolved?.displayName ?? g.authenticationStrength.displayName ?? g.authenticationStrength.id, resolved };
    controls.push({
      id: 'authenticationStrength', displayName: 'AuthenticationStrength', error: controlErrors.mfa,
      judge: (ctx) => (resolved === null ? 'failed' : strengthSatisfied(resolved, ctx.satisfied.methods) ? 'satisfied' : 'interaction'),
    });
  }
  for (const tou of g.termsOfUse) {
    controls.push({ id: `termsOfUse:${tou}`, displayName: 'TermsOfUse', error: controlErrors.block, judge: (ctx) => (ctx.satisfied.acceptedTermsOfUse?.includes(tou) ? 'satisfied' : 'interaction') });
  }
  for (const c of g.customAuthenticationFactors) controls.push({ id: `custom:${c}`, displayName: c, error: controlErrors.customControl, judge: () => 'failed' });
  if (controls.length === 0) return null;
  controls.sort((a, b) => rank(a.id) - rank(b.id));
  return { operator: g.operator, controls, strength };
}

export interface UnmetControl { control: GrantControl; judgement: Exclude<Judgement, 'satisfied'> }

export interface GrantResult {
  judgement: Judgement;
  /** Controls still unmet, in prompt order (for OR with a promptable control: only the promptable ones). */
  unmet: UnmetControl[];
}

const SATISFIED: GrantResult = Object.freeze({ judgement: 'satisfied', unmet: [] }) as GrantResult;

export function evaluateGrant(g: CompiledGrant, ctx: PolicySignInContext): GrantResult {
  let unmet: UnmetControl[] | null = null;
  let failed = false, interaction = false;
  for (const c of g.controls) {
    const j = c.judge(ctx);
    if (j === 'satisfied') {
      if (g.operator === 'OR') return SATISFIED;
      continue;
    }
    (unmet ??= []).push({ control: c, judgement: j });
    if (j === 'failed') failed = true;
    else interaction = true;
  }
  if (!unmet) return SATISFIED;
  if (g.operator === 'AND') return { judgement: failed ? 'failed' : 'interaction', unmet };
  // OR with nothing satisfied: a prompt can still grant access if any control is promptable.
  return { judgement: interaction ? 'interaction' : 'failed', unmet: interaction ? unmet.filter((u) => u.judgement === 'interaction') : unmet };
}
