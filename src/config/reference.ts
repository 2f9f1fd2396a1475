/**
 * Builds docs/configuration.md from the doc comments in defaults.ts, so the reference cannot drift
 * from the code (config.test.ts fails when the committed document differs).
 */
import { readFileSync } from 'node:fs';
import { defaults, envNames, type TesseraConfig } from './defaults.ts';

export function configurationReference(): string {
  const src = readFileSync(new URL('./defaults.ts', import.meta.url), 'utf8');
  const body = src.slice(src.indexOf('export interface TesseraConfig'), src.indexOf('export const defaults'));
  const rows: string[] = [];
  const re = /\/\*\*([\s\S]*?)\*\/\s*(\w+):/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const key = m[2] as keyof TesseraConfig;
    const doc = m[1]!.replace(/\s*\n\s*\*\s?/g, ' ').trim().replace(/\|/g, '\\|');
    const def = defaults[key];
    const shown = def === undefined ? '—' : Array.isArray(def) ? (def.length ? def.join(',') : '(empty)') : String(def);
    rows.push(`| \`${envNames[key]}\` | \`${key}\` | \`${shown}\` | ${doc} |`);
  }
  return [
    '# Configuration',
    '',
    'Generated from `src/config/defaults.ts` by `node --import tsx scripts/gen-config-doc.ts`; a test fails when this file drifts.',
    'Settings come from defaults, then environment variables, then command-line flags (`tessera start --port`, `--host`, `--data`, `--tls-cert`, `--tls-key`, `--dev-tls`).',
    '',
    '| environment variable | setting | default | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
    'First start only (bootstrap): `TESSERA_BOOTSTRAP_ADMIN_USER`, `TESSERA_BOOTSTRAP_ADMIN_PASSWORD`, `TESSERA_BOOTSTRAP_CLIENT_ID`, `TESSERA_BOOTSTRAP_CLIENT_SECRET` — used when set, otherwise generated and printed once.',
    '',
  ].join('\n');
}
