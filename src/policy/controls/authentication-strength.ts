/**
 * Authentication strengths (graph-shapes §8, [E11]). A strength is satisfied when the methods the
 * sign-in completed cover at least one allowed combination (every mode of the combination used).
 *
 * Which methods satisfy each built-in:
 * - Multifactor authentication (…0002): windowsHelloForBusiness; fido2; x509CertificateMultiFactor;
 *   deviceBasedPush; temporaryAccessPassOneTime; temporaryAccessPassMultiUse; password plus one of
 *   microsoftAuthenticatorPush, softwareOath, hardwareOath, x509CertificateSingleFactor,
 *   x509CertificateMultiFactor, sms, voice; federatedMultiFactor; federatedSingleFactor plus one of
 *   microsoftAuthenticatorPush, softwareOath, hardwareOath, sms, voice.
 * - Passwordless MFA (…0003): windowsHelloForBusiness; fido2; x509CertificateMultiFactor; deviceBasedPush.
 * - Phishing-resistant MFA (…0004): windowsHelloForBusiness; fido2; x509CertificateMultiFactor.
 * Custom strengths list their own combinations; the grant control `mfa` is judged as the built-in
 * MFA strength ([E11]: "built-in MFA strength ≡ require MFA").
 */
import type { AuthenticationStrengthRef } from '../schema/policy.ts';
import { authenticationMethodModes } from '../schema/enums.ts';

export interface AuthenticationStrength { id: string; displayName: string; combinations: ReadonlyArray<ReadonlySet<string>> }

const secondFactors = ['microsoftAuthenticatorPush', 'softwareOath', 'hardwareOath', 'x509CertificateSingleFactor', 'x509CertificateMultiFactor', 'sms', 'voice'];
const federatedSecond = ['microsoftAuthenticatorPush', 'softwareOath', 'hardwareOath', 'sms', 'voice'];
const phishingResistant = ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor'];
const passwordless = [...phishingResistant, 'deviceBasedPush'];

const combos = (list: string[]): ReadonlyArray<ReadonlySet<string>> => list.map((c) => new Set(c.split(',')));

export const MFA_STRENGTH_ID = '00000000-0000-0000-0000-000000000002';

export const builtInStrengths: ReadonlyMap<string, AuthenticationStrength> = new Map([
  [MFA_STRENGTH_ID, {
    id: MFA_STRENGTH_ID, displayName: 'Multifactor authentication',
    combinations: combos([
      ...passwordless, 'temporaryAccessPassOneTime', 'temporaryAccessPassMultiUse',
      ...secondFactors.map((f) => `password,${f}`), 'federatedMultiFactor', ...federatedSecond.map((f) => `federatedSingleFactor,${f}`),
    ]),
  }],
  ['00000000-0000-0000-0000-000000000003', { id: '00000000-0000-0000-0000-000000000003', displayName: 'Passwordless MFA', combinations: combos(passwordless) }],
  ['00000000-0000-0000-0000-000000000004', { id: '00000000-0000-0000-0000-000000000004', displayName: 'Phishing-resistant MFA', combinations: combos(phishingResistant) }],
]);

/**
 * Resolves a policy's strength: a built-in by id, else the combinations expanded inline in the
 * export, else a custom strength the core registered. Null when nothing defines it — such a
 * strength cannot be satisfied (authenticationStrengthResult `cannotSatisfy`).
 */
export function resolveStrength(ref: AuthenticationStrengthRef, custom: ReadonlyMap<string, AuthenticationStrength>): AuthenticationStrength | null {
  const id = ref.id.toLowerCase();
  const builtIn = builtInStrengths.get(id);
  if (builtIn) return builtIn;
  if (ref.allowedCombinations && ref.allowedCombinations.length) {
    return { id: ref.id, displayName: ref.displayName ?? ref.id, combinations: ref.allowedCombinations.filter((c): c is string => !!c).map((c) => new Set(c.split(','))) };
  }
  return custom.get(id) ?? null;
}

/**
 * Methods and combinations become bit masks over authenticationMethodModes (17 modes), so a
 * combination test is one AND; masks are cached per methods array (one per sign-in) and per strength.
 */
const modeBit = new Map<string, number>(authenticationMethodModes.map((m, i) => [m, 1 << i]));
const UNKNOWN_MODE = 1 << 30;
const toMask = (modes: Iterable<string>): number => {
  let m = 0;
  for (const x of modes) m |= modeBit.get(x) ?? UNKNOWN_MODE;
  return m;
};
const methodMasks = new WeakMap<readonly string[], number>();
const strengthMasks = new WeakMap<AuthenticationStrength, number[]>();

export function strengthSatisfied(strength: AuthenticationStrength, methods: readonly string[]): boolean {
  let have = methodMasks.get(methods);
  if (have === undefined) { have = toMask(methods) & ~UNKNOWN_MODE; methodMasks.set(methods, have); }
  let combos = strengthMasks.get(strength);
  if (!combos) { combos = strength.combinations.map(toMask); strengthMasks.set(strength, combos); }
  for (const c of combos) if ((c & have) === c) return true;
  return false;
}
