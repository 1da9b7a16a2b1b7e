/**
 * Benchmark of the emulator at the generated scenario's scale: 100 namespaces, 1,000 services and
 * deployments, 5,000 pods. Measures creation through HTTP, list latencies (JSON and Table) and the delay
 * from a write to its event at three cluster-wide pod watches. Registered in bench/registry.ts.
 */
import { startDemoCluster } from '@meshlens/demo-cluster';
import { percentile, round1 as round, type BenchContext, type BenchResult } from '../lib';

const NAMESPACES = 100;
const PER_NAMESPACE = 10;
const REPLICAS = 5;

export async function runDemoClusterBench({ log }: BenchContext): Promise<BenchResult> {
  const dc = await startDemoCluster({ port: 0 });
  // As the admin (system:masters: authorized without consulting RBAC, as in a real API server).
  const auth = { Authorization: `Bearer ${dc.adminToken}` };
  const post = async (path: string, body: unknown): Promise<void> => {
    const r = await fetch(`${dc.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth },
      body: JSON.stringify(body),
    });
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
  };
  try {
    log(
      `creating ${NAMESPACES * PER_NAMESPACE} services and deployments (${NAMESPACES * PER_NAMESPACE * REPLICAS} pods)`,
    );
    let t = performance.now();
    for (let n = 0; n < NAMESPACES; n++) {
      await post('/api/v1/namespaces', {
        metadata: { name: `ns${n}`, labels: { 'istio-injection': 'enabled' } },
      });
      await Promise.all(
        Array.from({ length: PER_NAMESPACE }, async (_, i) => {
          const app = `svc${i}`;
          await post(`/api/v1/namespaces/ns${n}/services`, {
            metadata: { name: app },
            spec: { selector: { app }, ports: [{ name: 'http', port: 8080 }] },
          });
          await post(`/apis/apps/v1/namespaces/ns${n}/deployments`, {
            metadata: { name: `${app}-v1` },
            spec: {
              replicas: REPLICAS,
              selector: { matchLabels: { app, version: 'v1' } },
              template: {
                metadata: { labels: { app, version: 'v1' } },
                spec: {
                  containers: [{ name: 'app', image: 'example/app:1', ports: [{ containerPort: 8080 }] }],
                },
              },
            },
          });
        }),
      );
    }
    const createSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await dc.settled();
    const settleMs = performance.now() - t;

    const timeGet = async (path: string, accept?: string): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        const r = await fetch(`${dc.url}${path}`, {
          headers: { ...auth, ...(accept ? { Accept: accept } : {}) },
        });
        await r.arrayBuffer();
        times.push(performance.now() - s);
      }
      return percentile(times, 50);
    };
    const table = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    log('timing lists');
    const lists = {
      listAllPodsJsonP50Ms: await timeGet('/api/v1/pods'),
      listAllPodsTableP50Ms: await timeGet('/api/v1/pods', table),
      listPodsByLabelP50Ms: await timeGet('/api/v1/pods?labelSelector=app%3Dsvc3'),
      listNamespacePodsP50Ms: await timeGet('/api/v1/namespaces/ns5/pods'),
      listAllDeploymentsP50Ms: await timeGet('/apis/apps/v1/deployments'),
      listAllEndpointsP50Ms: await timeGet('/api/v1/endpoints'),
    };

    log('timing watch delivery to 3 cluster-wide pod watches');
    const rv = (
      (await (await fetch(`${dc.url}/api/v1/namespaces?limit=1`, { headers: auth })).json()) as {
        metadata: { resourceVersion: string };
      }
    ).metadata.resourceVersion;
    const pending = new Map<string, number>();
    const delays: number[] = [];
    const controllers = [0, 1, 2].map(() => new AbortController());
    const readers = controllers.map(async (ac) => {
      const res = await fetch(`${dc.url}/api/v1/pods?watch=true&resourceVersion=${rv}`, {
        headers: auth,
        signal: ac.signal,
      });
      const reader = res.body?.getReader();
      const dec = new TextDecoder();
      let buf = '';
      try {
        for (;;) {
          const r = await reader?.read();
          if (!r || r.done) return;
          buf += dec.decode(r.value, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const ev = JSON.parse(buf.slice(0, i)) as {
              object: { metadata: { labels?: Record<string, string> } };
            };
            buf = buf.slice(i + 1);
            const mark = ev.object.metadata.labels?.bench;
            const start = mark ? pending.get(mark) : undefined;
            if (start !== undefined) delays.push(performance.now() - start);
          }
        }
      } catch {
        // aborted
      }
    });
    const pods = (
      (await (await fetch(`${dc.url}/api/v1/namespaces/ns1/pods`, { headers: auth })).json()) as {
        items: { metadata: { name: string } }[];
      }
    ).items;
    for (let i = 0; i < 100; i++) {
      const pod = pods[i % pods.length]?.metadata.name ?? '';
      pending.set(`m${i}`, performance.now());
      const r = await fetch(`${dc.url}/api/v1/namespaces/ns1/pods/${pod}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json', ...auth },
        body: JSON.stringify({ metadata: { labels: { bench: `m${i}` } } }),
      });
      await r.arrayBuffer();
    }
    const until = Date.now() + 5000;
    while (delays.length < 300 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    for (const ac of controllers) ac.abort();
    await Promise.all(readers);

    const mem = process.memoryUsage();
    const figures = {
      namespaces: NAMESPACES,
      services: NAMESPACES * PER_NAMESPACE,
      pods: NAMESPACES * PER_NAMESPACE * REPLICAS,
      createSeconds: round(createSeconds),
      controllersSettleMs: round(settleMs),
      ...Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, round(v)])),
      watchEventsDelivered: delays.length,
      watchDelayP50Ms: round(percentile(delays, 50)),
      watchDelayP95Ms: round(percentile(delays, 95)),
      heapUsedMb: Math.round(mem.heapUsed / 1e6),
      rssMb: Math.round(mem.rss / 1e6),
    };
    const markdown = [
      `The emulator in-process, driven over HTTP on loopback: ${figures.namespaces} namespaces (istio-injection=enabled),`,
      `${figures.services} services and deployments of ${REPLICAS} replicas (${figures.pods} pods with sidecars).`,
      'List figures are the median of 5 requests; watch delay is from sending a pod label patch to its event',
      'arriving at each of 3 cluster-wide pod watches (100 patches). Memory includes the benchmark client.',
      '',
      '| figure | value |',
      '|---|---|',
      ...Object.entries(figures).map(([k, v]) => `| ${k} | ${String(v)} |`),
    ].join('\n');
    return { name: 'demo-cluster', figures, markdown };
  } finally {
    await dc.close();
  }
}
