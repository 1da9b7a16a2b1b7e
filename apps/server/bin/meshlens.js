#!/usr/bin/env node
// `meshlens`: runs the console server from its esbuild bundle (apps/server/dist/bundle/meshlens.mjs,
// ~100 MB less RSS than the TypeScript sources through tsx), building it first when it is missing or
// older than its sources (scripts/bundle.mjs). When it cannot build (no esbuild, an install folder it may
// not write, as in the container image), or with MESHLENS_FROM_SOURCE=1, it runs src/cli.ts through tsx.
// stdout carries only the server's READY line: what this shim says goes to stderr.
import { pathToFileURL } from 'node:url';

const say = (line) => process.stderr.write(`${line}\n`);

let bundle;
if (!process.env.MESHLENS_FROM_SOURCE) {
  try {
    const { ensureBundle } = await import('../scripts/bundle.mjs');
    bundle = await ensureBundle({ log: say });
  } catch (err) {
    say(`meshlens: running from source through tsx, the bundle could not be built: ${err?.message ?? err}`);
  }
}

if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
