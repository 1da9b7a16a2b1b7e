/**
 * The mesh's state, for specs that must not depend on what an earlier spec left: the Istio config as the
 * stack started it (snapshotted by globalSetup, restored by resetIstioConfig) and waits on the console's
 * graph API for the traffic a spec needs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from '@playwright/test';
import { edgeId, graphSearchParams, nodeId } from '@meshlens/contract';
import type { GraphQuery, GraphResponse } from '@meshlens/contract';
import { consoleUrl } from './graph';
import { Kube } from './kube';
import type { KubeObject } from './kube';

const BASELINE_ENV = 'MESHLENS_E2E_ISTIO_BASELINE';

/** What an object is, without what the API server adds (resourceVersion, uid, timestamps, status). */
function essence(o: KubeObject): KubeObject {
  const { name, namespace, labels, annotations } = o.metadata as KubeObject['metadata'] & {
    labels?: unknown;
    annotations?: unknown;
  };
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    ...(o.spec !== undefined ? { spec: o.spec } : {}),
  };
}

/** JSON with sorted keys, so two objects compare equal whatever order the API server keeps. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

const keyOf = (o: KubeObject) =>
  `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

async function istioObjects(kube: Kube): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const kind of await kube.istioKinds()) out.push(...(await kube.list(kind)));
  return out;
}

/**
 * globalSetup: records every Istio object in the cluster as the scenario created it (bookinfo's Gateway and
 * VirtualService) in `file`, and names the file in the environment the workers inherit.
 */
export async function snapshotIstioConfig(kube: Kube, file: string): Promise<void> {
  const objects = (await istioObjects(kube)).map(essence);
  if (objects.length === 0)
    throw new Error('the stack started with no Istio object: is the scenario applied?');
  writeFileSync(file, `${JSON.stringify(objects, null, 2)}\n`);
  process.env[BASELINE_ENV] = file;
}

function baseline(): KubeObject[] {
  const file = process.env[BASELINE_ENV];
  if (!file)
    throw new Error(
      `${BASELINE_ENV} is not set: run through e2e/playwright.config.ts (its globalSetup writes it)`,
    );
  return JSON.parse(readFileSync(file, 'utf8')) as KubeObject[];
}

/**
 * Puts the cluster's Istio config back as the stack started it: deletes every Istio object (of any kind, in
 * any namespace) that was not there, and restores those that were changed or deleted. Reads and writes the
 * Kubernetes API directly, so it works whatever state the console or an earlier spec is in.
 */
export async function resetIstioConfig(): Promise<void> {
  const kube = new Kube();
  const wanted = new Map(baseline().map((o) => [keyOf(o), o]));
  const seen = new Set<string>();
  for (const current of await istioObjects(kube)) {
    const key = keyOf(current);
    const want = wanted.get(key);
    const ns = current.metadata.namespace ?? '';
    if (!want) await kube.delete(current, ns);
    else if (canonical(essence(current)) !== canonical(want)) await kube.apply(want, ns);
    seen.add(key);
  }
  for (const [key, want] of wanted) if (!seen.has(key)) await kube.apply(want, want.metadata.namespace ?? '');
}

export type GraphApiQuery = Partial<GraphQuery> & { namespaces: string[] };

/** The console's graph answer for `query`, as the page would fetch it. */
export async function fetchGraph(query: GraphApiQuery): Promise<GraphResponse> {
  const res = await fetch(`${consoleUrl()}/api/graph?${graphSearchParams(query).toString()}`);
  if (!res.ok) throw new Error(`GET /api/graph: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as GraphResponse;
}

const NS = 'bookinfo';
const REVIEWS_VERSIONS = ['v1', 'v2', 'v3'];
const RATINGS_CALLERS = ['v2', 'v3'].map((v) =>
  edgeId(nodeId.versionedApp(NS, 'reviews', v), nodeId.service(NS, 'ratings'), 'http'),
);

export interface BookinfoTraffic {
  /** Also require the calls to ratings (from reviews v2 and v3) to be Healthy: no fault left in the window. */
  ratingsHealthy?: boolean;
}

/**
 * What the versionedApp graph does not show yet of bookinfo running without routing config: every version of
 * reviews receives requests, and (with `ratingsHealthy`) the calls to ratings are Healthy.
 */
export function bookinfoTrafficProblems(graph: GraphResponse, expected: BookinfoTraffic = {}): string[] {
  const problems: string[] = [];
  for (const v of REVIEWS_VERSIONS) {
    const target = nodeId.versionedApp(NS, 'reviews', v);
    if (!graph.edges.some((e) => e.target === target && e.protocol === 'http' && e.rps > 0 && !e.isIdle))
      problems.push(`reviews ${v} receives no requests`);
  }
  if (expected.ratingsHealthy)
    for (const id of RATINGS_CALLERS) {
      const edge = graph.edges.find((e) => e.id === id);
      if (edge?.healthStatus !== 'Healthy') problems.push(`${id} is ${edge ? edge.healthStatus : 'absent'}`);
    }
  return problems;
}

/**
 * Waits until the graph over the last `durationSeconds` shows bookinfo's traffic as `expected`: after
 * resetIstioConfig, what an earlier spec's routing did to the traffic must first leave the window.
 */
export async function waitForBookinfoTraffic(
  durationSeconds: number,
  expected: BookinfoTraffic = {},
): Promise<void> {
  await expect
    .poll(
      async () =>
        bookinfoTrafficProblems(
          await fetchGraph({ namespaces: [NS], graphType: 'versionedApp', duration: durationSeconds }),
          expected,
        ),
      {
        message: `bookinfo's traffic over the last ${durationSeconds} s (${JSON.stringify(expected)})`,
        // the window turns over once, plus a few scrapes and the console's cache (one refresh interval)
        timeout: (durationSeconds + 30) * 1000,
        intervals: [1000, 2000],
      },
    )
    .toEqual([]);
}
