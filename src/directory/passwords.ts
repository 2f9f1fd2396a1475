/**
 * Human passwords: argon2id (RFC 9106), parameters from OWASP's 2023 guidance (19 MiB, t=2, p=1).
 * Verification of an unknown user still runs one hash against a dummy so timing does not reveal
 * which accounts exist.
 */
import { hash, verify } from '@node-rs/argon2';

const params = { algorithm: 2 /* Algorithm.Argon2id (a const enum) */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export class PasswordPolicyError extends Error {
  override readonly name = 'PasswordPolicyError';
}

/** Entra's default policy: 8–256 characters, at least three of: lower, upper, digit, symbol. */
export function checkPasswordPolicy(pw: string): void {
  if (pw.length < 8 || pw.length > 256) throw new PasswordPolicyError('The password must be 8 to 256 characters long.');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length;
  if (classes < 3) throw new PasswordPolicyError('The password must contain three of: lowercase letters, uppercase letters, digits, symbols.');
}

export const hashPassword = (pw: string): Promise<string> => hash(pw, params);

let dummy: Promise<string> | undefined;

export async function verifyPassword(stored: string | null, pw: string): Promise<boolean> {
  if (pw.length > 1024) return false; // bounded work for garbage input
  if (!stored) {
    dummy ??= hash('not-a-real-password', params);
    await verify(await dummy, pw).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, pw);
  } catch {
    return false;
  }
}
