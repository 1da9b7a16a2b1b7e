// @meshlens/istio runs in the browser, the server and the simulator: it takes only types from
// @meshlens/contract (plus its zod-free constants), so importing it must not load zod.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

describe('@meshlens/istio', () => {
  it('loads no zod module, for the browser or for Node', async () => {
    for (const platform of ['browser', 'node'] as const) {
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        metafile: true,
        platform,
        format: 'esm',
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(
        inputs.some((p) => p.includes('packages/istio/src/')),
        platform,
      ).toBe(true);
      expect(
        inputs.filter((p) => /(^|\/)node_modules\/zod\//.test(p)),
        platform,
      ).toEqual([]);
    }
  });
});
