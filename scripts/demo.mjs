#!/usr/bin/env node
// `npm run demo`: the first command on a fresh clone, so it installs the dependencies when they are
// missing, then hands over to the TypeScript launcher (scripts/demo.ts) in this same process.
import { ensureDependencies, runTypeScript } from './bootstrap.mjs';

ensureDependencies();
await runTypeScript('scripts/demo.ts');
