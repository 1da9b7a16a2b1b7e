#!/usr/bin/env node
// `npm run bench [-- NAME…]`: installs the dependencies when missing, then runs scripts/bench.ts.
import { ensureDependencies, runTypeScript } from './bootstrap.mjs';

ensureDependencies();
await runTypeScript('scripts/bench.ts');
