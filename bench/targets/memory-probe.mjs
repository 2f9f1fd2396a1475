// Preloaded into the Tessera server process by the benchmark (`node --expose-gc --import …`), so the
// harness can read the server's heap without any cooperation from Tessera: on SIGUSR2 it forces a
// GC and prints one line `BENCH_MEMORY {…process.memoryUsage()}` on stdout. Plain JS because it is
// loaded before tsx's loader is registered by bin/tessera.mjs.
// With BENCH_EXIT_ON_STDIN_END=1 the server exits when the harness (which holds its stdin) goes away.
if (process.env.BENCH_EXIT_ON_STDIN_END === '1') {
  // unref: watching stdin must not keep the server alive once it has shut down.
  process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM')).on('error', () => undefined).resume();
  if (typeof process.stdin.unref === 'function') process.stdin.unref();
}
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
  process.stdout.write(`BENCH_MEMORY ${JSON.stringify({ ...process.memoryUsage(), gc: typeof globalThis.gc === 'function' })}\n`);
});
