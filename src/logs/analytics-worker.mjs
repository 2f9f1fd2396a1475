// Entry point of the analytics store's worker thread (worker-store.ts). The worker runs without the
// parent's loader flags, so it registers tsx itself before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./analytics-worker-main.ts');
