import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@meshlens/stack';
import { benches } from './registry';

describe('the benchmark registry', () => {
  it('names each benchmark once, each module under bench/', () => {
    expect(new Set(benches.map((b) => b.name)).size).toBe(benches.length);
    for (const entry of benches) {
      expect(entry.module, entry.name).toMatch(/^bench\/[^/]+\/[^/]+\.ts$/);
      expect(existsSync(join(repoRoot, entry.module)), entry.module).toBe(true);
    }
  });

  it('loads every benchmark function', { timeout: 60_000 }, async () => {
    for (const entry of benches) expect(typeof (await entry.load()), entry.name).toBe('function');
  });
});
