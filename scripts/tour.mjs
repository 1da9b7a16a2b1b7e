#!/usr/bin/env node
// `npm run tour`: a Playwright-driven demo of the routing wizards on the demo stack (scripts/tour.ts).
import { ensureDependencies, runTypeScript } from './bootstrap.mjs';

ensureDependencies();
await runTypeScript('scripts/tour.ts');
