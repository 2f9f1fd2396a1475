/**
 * The load process: receives a `ChildLoadSpec` over IPC, imports the client module, creates the
 * virtual clients (their setup, e.g. obtaining refresh tokens, is not measured), runs the load and
 * sends the `LoadResult` back. Started by `runLoadInChild()`; never run directly.
 */
import { pathToFileURL } from 'node:url';
import { createClients, runLoad } from './load.ts';
import type { ChildLoadSpec, ClientFactory } from './load.ts';

const reply = (m: unknown): Promise<void> => new Promise((resolve) => {
  if (!process.send) { resolve(); return; }
  process.send(m, () => resolve());
});

// If the harness dies, the IPC channel closes: stop instead of loading a server nobody measures.
process.on('disconnect', () => process.exit(1));

process.once('message', (msg: { type: string; spec: ChildLoadSpec }) => {
  void (async () => {
    try {
      const { spec } = msg;
      const mod = await import(pathToFileURL(spec.clientModule).href) as { createClient?: ClientFactory };
      if (typeof mod.createClient !== 'function') throw new Error(`${spec.clientModule} does not export createClient`);
      const setupStart = performance.now();
      const clients = await createClients(mod.createClient, spec.clientParams, {
        baseUrl: spec.baseUrl, connections: spec.connections, setupConcurrency: spec.setupConcurrency,
      });
      const setupMs = Math.round(performance.now() - setupStart);
      if (setupMs > 1000) await reply({ type: 'log', line: `client setup took ${setupMs} ms` });
      const result = await runLoad(spec, clients, {
        onMeasureStart: () => { void reply({ type: 'measure-start' }); },
        onMeasureEnd: () => { void reply({ type: 'measure-end' }); },
      });
      await reply({ type: 'result', result });
    } catch (e) {
      await reply({ type: 'error', error: e instanceof Error ? e.message : String(e) });
    }
    process.disconnect?.();
    process.exit(0);
  })();
});
