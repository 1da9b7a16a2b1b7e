import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crdFile, defaultWebDir, findInstallRoot, installRoot } from '../src/paths';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

describe('install root', () => {
  it('is the nearest folder upwards holding data/istio/crd-all.gen.yaml, at any depth', () => {
    expect(findInstallRoot(join(repoRoot, 'apps/server/src/http'))).toBe(repoRoot);
    expect(findInstallRoot(join(repoRoot, 'apps/server/dist/bundle/deeper/still'))).toBe(repoRoot);
    expect(findInstallRoot(repoRoot)).toBe(repoRoot);
  });

  it('is undefined outside an install', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshlens-paths-'));
    try {
      expect(findInstallRoot(dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives the server's CRD file and web folder", () => {
    expect(installRoot()).toBe(repoRoot);
    expect(crdFile()).toBe(join(repoRoot, 'data/istio/crd-all.gen.yaml'));
    expect(existsSync(crdFile())).toBe(true);
    expect(defaultWebDir()).toBe(join(repoRoot, 'apps/web/dist'));
  });
});
