#!/usr/bin/env node
// The `trellis` binary. The project runs its TypeScript sources directly through tsx,
// so a clone needs no compile step before the CLI works.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
