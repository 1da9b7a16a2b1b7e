import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/stack/src/components.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export type ComponentName = 'demo-cluster' | 'mesh-sim' | 'meshlens' | 'demo-oidc';

/** Where each component's CLI lives: workspace folder and its package.json "bin" name. */
const components: Record<ComponentName, string> = {
  'demo-cluster': 'packages/demo-cluster',
  'mesh-sim': 'packages/mesh-sim',
  meshlens: 'apps/server',
  // The demo's OpenID provider (src/oidc/), with --auth openid.
  'demo-oidc': 'packages/stack',
};

export interface ComponentCommand {
  cmd: string;
  args: string[];
}

/**
 * The command that runs a component's CLI: node with its bin shim (what `npx NAME` would run, without
 * npx's start-up cost and extra processes). Undefined when the workspace declares no such bin yet, or
 * the file it names does not exist.
 */
export function componentCommand(name: ComponentName): ComponentCommand | undefined {
  const dir = join(repoRoot, components[name]);
  let pkg: { bin?: string | Record<string, string> };
  try {
    pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    return undefined;
  }
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.[name];
  if (!bin) return undefined;
  const path = join(dir, bin);
  if (!existsSync(path)) return undefined;
  const src = join(dir, 'src', 'cli.ts');
  // A bin shim importing a CLI that is not written yet is not available either.
  if (/cli\.ts/.test(readFileSync(path, 'utf8')) && !existsSync(src)) return undefined;
  return { cmd: process.execPath, args: [path] };
}

export function componentAvailable(name: ComponentName): boolean {
  return componentCommand(name) !== undefined;
}
