/**
 * Child process that runs another engineer's benchmark module (`export async function run({ log })`)
 * so a slow or crashing module cannot take the orchestrator down. Logs and the result go back over IPC.
 * Usage (by modules.ts only): node --import tsx bench/lib/run-module.ts <absolute module path>
 */
import { pathToFileURL } from 'node:url';

type BenchModule = { run?: (opts: { log: (s: string) => void }) => Promise<Record<string, unknown>> };

const send = (m: unknown): Promise<void> => new Promise((resolve) => {
  if (!process.send) { process.stdout.write(`${JSON.stringify(m)}\n`); resolve(); return; }
  process.send(m, () => resolve());
});

process.on('disconnect', () => process.exit(1));

const file = process.argv[2];
try {
  if (!file) throw new Error('no module path given');
  const mod = await import(pathToFileURL(file).href) as BenchModule;
  if (typeof mod.run !== 'function') throw new Error('module does not export run()');
  const result = await mod.run({ log: (s: string) => { void send({ type: 'log', line: String(s) }); } });
  await send({ type: 'result', result });
} catch (e) {
  await send({ type: 'error', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
process.disconnect?.();
process.exit(0);
