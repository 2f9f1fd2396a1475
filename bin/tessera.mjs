#!/usr/bin/env node
// The `tessera` command. Tessera ships as TypeScript and runs through tsx's loader,
// so `npx tessera …` and `npm start` need no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
