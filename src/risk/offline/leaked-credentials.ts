/**
 * Leaked credentials (graph-shapes.md §6 "valid credential found in a breach", seed 004 "found secret matched to a
 * current credential"). Reports are parsed into candidates, each candidate is checked against the *current* valid
 * credentials through callbacks the core provides, and only matches become detections. Plaintext never leaves this
 * function: it is not logged, not stored and not put in a detection — detections carry where the leak was found and,
 * for high-entropy secrets only, a short SHA-256 prefix so an operator can tell two findings apart.
 *
 * Input formats:
 *  - gitleaks JSON report: an array of findings with `Secret`, `File`, `StartLine`, `Commit`, `RuleID`;
 *  - trufflehog JSON lines (`--json`): one object per line with `Raw` (or `RawV2`), `DetectorName`, `SourceMetadata`;
 *  - credential pairs, one per line: `upn:password`, `upn,password` or `upn<TAB>password` (combolists).
 */
import { createHash } from 'node:crypto';

export type LeakFormat = 'gitleaks' | 'trufflehog' | 'pairs';

export interface LeakCandidate {
  kind: 'pair' | 'secret';
  upn?: string;
  secret: string;
  /** Where it was found (file:line@commit, repository, detector) — no secret material. */
  location: Record<string, unknown>;
}

export interface CredentialCallbacks {
  /** True when `password` is the user's current password. */
  verifyPassword(upn: string, password: string): Promise<boolean> | boolean;
  /** The service principal and key id whose current client secret equals `secret`, if any. */
  matchClientSecret(secret: string): Promise<{ servicePrincipalId: string; appId: string; displayName?: string; keyId?: string } | undefined>
    | { servicePrincipalId: string; appId: string; displayName?: string; keyId?: string } | undefined;
}

export class LeakReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeakReportError';
  }
}

function detectFormat(text: string): LeakFormat {
  const t = text.trimStart();
  if (t.startsWith('[')) return 'gitleaks';
  if (t.startsWith('{')) return 'trufflehog';
  return 'pairs';
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function parseLeakReport(text: string, format: LeakFormat = detectFormat(text)): LeakCandidate[] {
  const out: LeakCandidate[] = [];
  if (format === 'gitleaks') {
    let arr: unknown;
    try { arr = JSON.parse(text); } catch (e) { throw new LeakReportError(`gitleaks report is not JSON: ${(e as Error).message}`); }
    if (!Array.isArray(arr)) throw new LeakReportError('gitleaks report must be a JSON array of findings');
    for (const f of arr) {
      const o = asRecord(f);
      if (typeof o['Secret'] !== 'string' || o['Secret'] === '') continue;
      out.push({ kind: 'secret', secret: o['Secret'], location: { tool: 'gitleaks', file: o['File'], line: o['StartLine'], commit: o['Commit'], rule: o['RuleID'] } });
    }
    return out;
  }
  if (format === 'trufflehog') {
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line) continue;
      let o: Record<string, unknown>;
      try { o = asRecord(JSON.parse(line)); } catch { throw new LeakReportError(`trufflehog report line ${i + 1} is not JSON`); }
      const raw = typeof o['RawV2'] === 'string' && o['RawV2'] ? o['RawV2'] : o['Raw'];
      if (typeof raw !== 'string' || raw === '') continue;
      const meta = asRecord(asRecord(asRecord(o['SourceMetadata'])['Data'])['Git'] ?? asRecord(asRecord(o['SourceMetadata'])['Data'])['Filesystem']);
      out.push({ kind: 'secret', secret: raw, location: { tool: 'trufflehog', detector: o['DetectorName'], file: meta['file'], line: meta['line'], commit: meta['commit'], repository: meta['repository'] } });
    }
    return out;
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim() || line.startsWith('#')) continue;
    const m = /^([^\s:,\t]+@[^\s:,\t]+)[:,\t](.+)$/.exec(line.trim());
    if (!m) continue;
    out.push({ kind: 'pair', upn: m[1]!.toLowerCase(), secret: m[2]!, location: { tool: 'pairs', line: i + 1 } });
  }
  return out;
}

export interface LeakMatch {
  kind: 'user' | 'servicePrincipal';
  upn?: string;
  servicePrincipal?: { servicePrincipalId: string; appId: string; displayName?: string; keyId?: string };
  location: Record<string, unknown>;
  /** First 8 hex digits of SHA-256(secret), for secrets only (never for passwords, which are low entropy). */
  secretHint?: string;
}

/** Check every candidate against the current credentials; returns only valid, current matches. */
export async function matchLeaks(candidates: readonly LeakCandidate[], cb: CredentialCallbacks): Promise<LeakMatch[]> {
  const out: LeakMatch[] = [];
  for (const c of candidates) {
    if (c.kind === 'pair' && c.upn) {
      if (await cb.verifyPassword(c.upn, c.secret)) out.push({ kind: 'user', upn: c.upn, location: c.location });
      continue;
    }
    const sp = await cb.matchClientSecret(c.secret);
    if (sp) {
      out.push({ kind: 'servicePrincipal', servicePrincipal: sp, location: c.location, secretHint: createHash('sha256').update(c.secret).digest('hex').slice(0, 8) });
    }
  }
  return out;
}
