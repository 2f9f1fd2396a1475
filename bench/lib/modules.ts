/**
 * Rows for the other benchmark modules (bench/device-refresh.ts, bench/kql.ts, bench/policy-eval.ts,
 * bench/risk-sim.ts, bench/resource-verify.ts). Each runs in its own child process with a time limit; a missing module
 * is skipped with a message, a failing one is reported as failed. Modules get `TESSERA_BENCH_TMP`
 * (the run's scratch directory) in their environment.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_ROOT } from './proc.ts';
import { NotAvailable, registerRow } from './scenarios.ts';

/** Run in this order; `device-refresh` (issue 3's device-bound session vs oidc-provider DPoP refresh) follows the same protocol. */
export const MODULES = ['device-refresh', 'kql', 'policy-eval', 'risk-sim', 'resource-verify'];
const RUNNER = fileURLToPath(new URL('./run-module.ts', import.meta.url));
const TIMEOUT_MS = Number(process.env.BENCH_MODULE_TIMEOUT_S ?? 180) * 1000;

export function runModuleInChild(file: string, log: (s: string) => void, opts: { timeoutMs?: number; tmpDir?: string } = {}): Promise<Record<string, unknown>> {
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(opts.tmpDir ? { TESSERA_BENCH_TMP: opts.tmpDir } : {}) };
    const child = fork(RUNNER, [file], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env });
    let stderr = '';
    let settled = false;
    const finish = (err: Error | null, res?: Record<string, unknown>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (err) reject(err); else resolve(res ?? {});
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-3000); });
    child.stdout?.on('data', (d: Buffer) => { for (const l of d.toString().split('\n')) if (l.trim()) log(`    ${l}`); });
    child.on('message', (m: { type: string; line?: string; result?: Record<string, unknown>; error?: string }) => {
      if (m.type === 'log') log(`    ${m.line ?? ''}`);
      else if (m.type === 'result') finish(null, m.result);
      else if (m.type === 'error') finish(new Error((m.error ?? 'failed').split('\n').slice(0, 4).join(' | ')));
    });
    child.on('exit', (code) => finish(new Error(`exited with ${code}: ${stderr.trim().split('\n').slice(-4).join(' | ')}`)));
  });
}

for (const name of MODULES) {
  registerRow({
    kind: 'custom', group: 'modules', id: name, role: 'tessera', label: `bench/${name}.ts`,
    async run(ctx) {
      const file = join(BENCH_ROOT, `${name}.ts`);
      if (!existsSync(file)) throw new NotAvailable(`bench/${name}.ts not present`);
      // Within the run's budget, but never less than 30 s.
      return runModuleInChild(file, ctx.log, { tmpDir: ctx.tmpDir, timeoutMs: Math.min(TIMEOUT_MS, Math.max(30_000, ctx.deadline - Date.now())) });
    },
  });
}
