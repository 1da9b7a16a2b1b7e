/**
 * Where the server finds the files it reads at run time (the Istio CRDs, the built web app), the same
 * whether it runs from src through tsx or from the esbuild bundle under apps/server/dist/: the install
 * root is the nearest folder, from this module's own folder upwards, that holds data/istio/crd-all.gen.yaml
 * (the repository root in a clone, /app in the container image).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CRD_PATH = join('data', 'istio', 'crd-all.gen.yaml');

/** The nearest folder at or above `start` holding data/istio/crd-all.gen.yaml; undefined if none does. */
export function findInstallRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, CRD_PATH))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

let root: string | undefined;

/** The install root of this server (found once per process); throws, naming the file, if there is none. */
export function installRoot(): string {
  if (root) return root;
  const here = dirname(fileURLToPath(import.meta.url));
  root = findInstallRoot(here);
  if (!root) throw new Error(`cannot find ${CRD_PATH} in ${here} or any folder above it`);
  return root;
}

/** The Istio CRD definitions the server validates against. */
export const crdFile = (): string => join(installRoot(), CRD_PATH);

/** The built SPA (`npm run build -w @meshlens/web`). */
export const defaultWebDir = (): string => join(installRoot(), 'apps', 'web', 'dist');
