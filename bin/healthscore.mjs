#!/usr/bin/env node
// The package's `bin`: runs the TypeScript CLI through tsx, so `npx healthscore` works
// from a clone without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
