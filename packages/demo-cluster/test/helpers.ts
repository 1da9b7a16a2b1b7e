/** Shared helpers for the demo-cluster integration tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parseManifests } from '../src/load';
import type { DemoCluster } from '../src/server';
import type { KObject } from '../src/types';

export const BOOKINFO_DIR = fileURLToPath(new URL('../../../data/istio/bookinfo/', import.meta.url));

export function bookinfoFile(name: string): string {
  return `${BOOKINFO_DIR}${name}`;
}

export function readManifests(name: string): KObject[] {
  return parseManifests(readFileSync(bookinfoFile(name), 'utf8'));
}

/** Every networking sample (VirtualService/DestinationRule/Gateway/ServiceEntry files), gateway-api/ excluded. */
export function networkingSamples(): string[] {
  return readdirSync(BOOKINFO_DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'bookinfo.yaml' && f !== 'bookinfo-versions.yaml')
    .filter((f) => readManifests(f).every((o) => String(o.apiVersion).startsWith('networking.istio.io/')))
    .sort();
}

export function kubeConfigFor(dc: DemoCluster): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(dc.kubeconfig());
  return kc;
}

/** Polls until `check` returns a truthy value (bounded). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The Status body of a failed client-node call. */
export function statusOf(e: unknown): {
  code: number;
  reason?: string;
  message?: string;
  details?: { causes?: { field?: string; reason?: string; message?: string }[] };
} {
  const err = e as { code?: number; body?: unknown };
  const body =
    typeof err.body === 'string'
      ? (JSON.parse(err.body) as Record<string, unknown>)
      : ((err.body ?? {}) as Record<string, unknown>);
  return { code: err.code ?? 0, ...body } as ReturnType<typeof statusOf>;
}

export async function expectStatus(p: Promise<unknown>): Promise<ReturnType<typeof statusOf>> {
  try {
    await p;
  } catch (e) {
    return statusOf(e);
  }
  throw new Error('expected the call to fail');
}
