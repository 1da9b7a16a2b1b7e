#!/usr/bin/env node
// `npm run bench [-- NAME…]`: installs the dependencies when missing, then runs bench/run.ts.
import { ensureDependencies, runTypeScript } from '../scripts/bootstrap.mjs';

ensureDependencies();
await runTypeScript('bench/run.ts');
