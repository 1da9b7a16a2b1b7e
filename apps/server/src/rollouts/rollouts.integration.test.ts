/**
 * Guarded rollouts on the real app, demo cluster, mesh-sim's Bookinfo and a real Prometheus (1 s scrapes):
 * reviews v3 promoted while healthy; rolled back within one step's window when mesh-sim makes v3 answer
 * half its requests with 500s (traffic back on v1 in Prometheus); a console restarted mid-rollout resumes
 * it; of two consoles only the Lease holder steps it, and the other takes over when the Lease expires.
 */
import { RolloutSchema, StartRolloutSchema, type Rollout } from '@meshlens/contract';
import { queryPrometheus, vectorOf } from '@meshlens/stack';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { istioKubeClient } from '../istio/kubeClient';
import { loadKubeConfig, startServer, type RunningServer } from '../server';
import { newRollout } from './machine';
import { rolloutStore } from './store';
import { startLiveStack, type LiveStack } from '../../test/liveStack';
import { eventually } from '../../test/stackHelpers';

const NS = 'bookinfo';
const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' };
const LEASE_SECONDS = 3;
let stack: LiveStack;
const servers: RunningServer[] = [];

beforeAll(async () => {
  stack = await startLiveStack({
    name: 'rollouts',
    // The stack's own console keeps its rollout state elsewhere: only the consoles below drive.
    config: { logLevel: 'silent', rollouts: { namespace: 'no-such-namespace' } },
  });
}, 120_000);
afterAll(async () => {
  for (const s of servers) await s.close();
  await stack?.close();
});

async function console_(identity: string): Promise<RunningServer> {
  const s = await startServer({
    kubeconfigPath: stack.kubeconfigPath,
    prometheusUrl: stack.prometheus.url,
    port: 0,
    config: { rollouts: { tickMs: 250, leaseDurationMs: LEASE_SECONDS * 1000 } },
    logger: pino({ level: 'silent' }),
    rollouts: { identity },
  });
  servers.push(s);
  return s;
}

async function call(s: RunningServer, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: SAME_ORIGIN,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const routeTo = async (s: RunningServer, weights: Record<string, number>) => {
  const r = await call(s, 'POST', `/api/namespaces/${NS}/services/reviews/routing`, {
    trafficShifting: weights,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};

const start = async (s: RunningServer, body: Record<string, unknown>): Promise<Rollout> => {
  const r = await call(s, 'POST', `/api/namespaces/${NS}/services/reviews/rollouts`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return RolloutSchema.parse(r.body);
};

const read = async (s: RunningServer, id: string) =>
  RolloutSchema.parse((await call(s, 'GET', `/api/namespaces/${NS}/rollouts/${id}`)).body);

const until = (s: RunningServer, id: string, what: string, ok: (r: Rollout) => boolean, ms: number) =>
  eventually(
    what,
    async () => {
      const r = await read(s, id);
      return ok(r) ? r : undefined;
    },
    ms,
    250,
  );

const GATES = { maxErrorPercent: 5, maxP95Ms: 5000, minRequests: 5 };

/** Sets (or with null removes) mesh-sim's error rate on reviews-v3's pods, and waits for mesh-sim to apply it. */
async function v3ErrorRate(rate: number | null) {
  const res = await fetch(`${stack.cluster.url}/apis/apps/v1/namespaces/${NS}/deployments/reviews-v3`, {
    method: 'PATCH',
    headers: {
      Authorization: `Bearer ${stack.cluster.adminToken}`,
      'Content-Type': 'application/merge-patch+json',
    },
    body: JSON.stringify({
      spec: {
        template: {
          metadata: {
            annotations: { 'mesh-sim.meshlens.io/error-rate': rate === null ? null : String(rate) },
          },
        },
      },
    }),
  });
  expect(res.status).toBe(200);
  await eventually(
    `mesh-sim to give reviews v3 an error rate of ${rate ?? 0}`,
    async () =>
      stack.sim.engine.world.workloads.get(`${NS}/reviews-v3`)?.spec.errorRate === (rate ?? 0)
        ? true
        : undefined,
    30_000,
    200,
  );
}

const reviewsRate = async (version: string) => {
  const samples = vectorOf(
    await queryPrometheus(
      stack.prometheus.url,
      `sum(rate(istio_requests_total{reporter="destination",destination_service_name="reviews",destination_version="${version}"}[3s]))`,
    ),
  );
  return Number(samples[0]?.value[1] ?? 0);
};

describe('guarded rollouts', () => {
  let a: RunningServer;
  beforeAll(async () => {
    a = await console_('console-a');
    await eventually(
      'console-a to hold the Lease',
      async () => a.app.locals.rollouts?.lease.isLeader() || undefined,
      15_000,
      100,
    );
  });

  it('promotes reviews v3 step by step while it is healthy, each gate measured', async () => {
    await routeTo(a, { v1: 100 });
    const r0 = await start(a, { target: 'v3', steps: [50, 100], waitSeconds: 5, gates: GATES });
    expect(r0.baseline).toEqual({ v1: 100 });
    expect(r0.startedBy).toBeTruthy();
    const r = await until(a, r0.id, 'promoted', (x) => x.phase !== 'running', 60_000);
    expect(r.phase, r.reason).toBe('promoted');
    expect(r.live).toEqual({ v3: 100 });
    for (const step of r.steps) {
      expect(step.outcome).toBe('passed');
      expect(step.writtenBy).toBe('console-a');
      const err = step.gates?.find((g) => g.gate === 'errorPercent');
      expect(err).toMatchObject({ threshold: 5, pass: true });
      expect(err?.measured).toBeLessThanOrEqual(5);
      expect(step.gates?.find((g) => g.gate === 'minRequests')?.measured).toBeGreaterThanOrEqual(5);
      // The wait is held before the gates are looked at.
      expect(Date.parse(step.evaluatedAt!) - Date.parse(step.startedAt!)).toBeGreaterThanOrEqual(5000);
    }
    // A second start for the same service while none is active is accepted again; one active → 409.
    await routeTo(a, { v1: 100 });
    const again = await start(a, { target: 'v3', steps: [100], waitSeconds: 60, gates: GATES });
    const dup = await call(a, 'POST', `/api/namespaces/${NS}/services/reviews/rollouts`, {
      target: 'v3',
      steps: [100],
      waitSeconds: 60,
      gates: GATES,
    });
    expect(dup.status).toBe(409);
    expect(JSON.stringify(dup.body)).toContain(`already has an active rollout (${again.id}`);
    const aborted = await call(a, 'POST', `/api/namespaces/${NS}/rollouts/${again.id}/abort`);
    expect(aborted.status).toBe(200);
    expect(aborted.body).toMatchObject({ phase: 'aborted', live: { v1: 100 } });
  }, 120_000);

  it('rolls back to the baseline within one step when v3 answers half its requests with 500s', async () => {
    await routeTo(a, { v1: 100 });
    await v3ErrorRate(0.5);
    try {
      const r0 = await start(a, { target: 'v3', steps: [50, 100], waitSeconds: 5, gates: GATES });
      const r = await until(a, r0.id, 'rolled back', (x) => x.phase !== 'running', 30_000);
      expect(r.phase, r.reason).toBe('rolledBack');
      const step = r.steps[0]!;
      expect(step.outcome).toBe('failed');
      // Evaluated once the step's wait was over, and the baseline written back at once.
      const held = Date.parse(step.evaluatedAt!) - Date.parse(step.startedAt!);
      expect(held).toBeGreaterThanOrEqual(5000);
      expect(held).toBeLessThan(5000 + 3000);
      expect(r.failedGates?.map((g) => g.gate)).toEqual(['errorPercent']);
      const failed = r.failedGates![0]!;
      expect(failed.measured).toBeGreaterThan(25);
      expect(r.reason).toMatch(/^gate failed at 50 %: v3 answered [\d.]+ % 5xx \(at most 5 %\)/);
      expect(r.live).toEqual({ v1: 100 });
      expect(r.steps[1]?.startedAt).toBeUndefined();
      // Prometheus sees the traffic back on v1.
      await eventually(
        'reviews v3 to get no traffic',
        async () => ((await reviewsRate('v3')) === 0 ? true : undefined),
        20_000,
        500,
      );
      expect(await reviewsRate('v1')).toBeGreaterThan(0);
    } finally {
      await v3ErrorRate(null);
    }
  }, 120_000);

  it('answers bad input with 4xx naming what is wrong', async () => {
    const post = (body: unknown) => call(a, 'POST', `/api/namespaces/${NS}/services/reviews/rollouts`, body);
    const paths = (r: { body: Record<string, unknown> }) =>
      (
        (r.body.error as { details?: { causes?: { path: string; message: string }[] } }).details?.causes ?? []
      ).map((c) => `${c.path}: ${c.message}`);
    const unknown = await post({ target: 'v9', steps: [100], waitSeconds: 5, gates: GATES });
    expect(unknown.status).toBe(422);
    expect(paths(unknown)).toEqual(['target: v9 is not a version of bookinfo/reviews (it runs v1, v2, v3)']);
    const steps = await post({ target: 'v3', steps: [50, 20, 101], waitSeconds: 1, gates: GATES });
    expect(steps.status).toBe(422);
    expect(paths(steps)).toEqual(
      expect.arrayContaining([
        'steps[2]: Too big: expected number to be <=100',
        expect.stringMatching(/^waitSeconds: /),
      ]),
    );
    const baseline = await post({
      target: 'v3',
      baseline: { v3: 100 },
      steps: [100],
      waitSeconds: 5,
      gates: GATES,
    });
    expect(baseline.status).toBe(422);
    expect(paths(baseline)[0]).toContain('the baseline sends no traffic to any version but v3');
    expect((await call(a, 'GET', `/api/namespaces/${NS}/rollouts/nope-1`)).status).toBe(404);
    expect((await call(a, 'POST', `/api/namespaces/${NS}/rollouts/nope-1/explode`)).status).toBe(404);
  });

  it('pauses when someone else changes the VirtualService, and says so; resume writes the step again; abort', async () => {
    await routeTo(a, { v1: 100 });
    const r0 = await start(a, { target: 'v3', steps: [25, 100], waitSeconds: 60, gates: GATES });
    const written = await until(
      a,
      r0.id,
      'the first step written',
      (x) => !!x.writtenResourceVersion,
      15_000,
    );
    // Someone edits the VirtualService behind the console's back (a label, with kubectl's rights).
    const url = `${stack.cluster.url}/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices/reviews`;
    const edit = await fetch(url, {
      method: 'PATCH',
      headers: {
        Authorization: `Bearer ${stack.cluster.adminToken}`,
        'Content-Type': 'application/merge-patch+json',
      },
      body: JSON.stringify({ metadata: { labels: { 'edited-by': 'someone-else' } } }),
    });
    expect(edit.status).toBe(200);
    const theirs = ((await edit.json()) as { metadata: { resourceVersion: string } }).metadata
      .resourceVersion;
    const paused = await until(a, r0.id, 'paused', (x) => x.phase === 'paused', 10_000);
    expect(paused.reason).toBe(
      `VirtualService ${NS}/reviews was changed by someone else (resourceVersion ${theirs}, the rollout last wrote ${written.writtenResourceVersion}); resume to write the step again, or abort`,
    );
    expect((await call(a, 'POST', `/api/namespaces/${NS}/rollouts/${r0.id}/pause`)).status).toBe(409);
    const resumed = await call(a, 'POST', `/api/namespaces/${NS}/rollouts/${r0.id}/resume`);
    expect(resumed.status).toBe(200);
    const again = await until(a, r0.id, 'the step written again', (x) => !!x.steps[0]?.startedAt, 10_000);
    expect(again.phase).toBe('running');
    // The rollout stands on the VirtualService as it is now: a later edit would pause it again.
    expect(Number(again.writtenResourceVersion)).toBeGreaterThanOrEqual(Number(theirs));
    expect(again.live).toEqual({ v1: 75, v3: 25 });
    const aborted = await call(a, 'POST', `/api/namespaces/${NS}/rollouts/${r0.id}/abort`);
    expect(aborted.status).toBe(200);
    expect(aborted.body).toMatchObject({ phase: 'aborted', live: { v1: 100 } });
    expect((aborted.body.events as { by?: string; message: string }[]).map((e) => e.message)).toEqual(
      expect.arrayContaining(['resumed', 'aborted: baseline weights written back']),
    );
  }, 120_000);

  it('a console restarted mid-rollout resumes it from the state in the cluster', async () => {
    await routeTo(a, { v1: 100 });
    const r0 = await start(a, { target: 'v3', steps: [25, 100], waitSeconds: 5, gates: GATES });
    await until(a, r0.id, 'the first step written', (x) => !!x.steps[0]?.startedAt, 15_000);
    await a.close();
    const b = await console_('console-b');
    const r = await until(b, r0.id, 'promoted by the new console', (x) => x.phase !== 'running', 60_000);
    expect(r.phase, r.reason).toBe('promoted');
    expect(r.steps.map((s) => s.writtenBy)).toEqual(['console-a', 'console-b']);
    await b.close();
  }, 120_000);
});

describe('two consoles', () => {
  it('only the Lease holder steps a rollout; the other takes over once the Lease expires', async () => {
    const one = await console_('console-1');
    await eventually(
      'console-1 to hold the Lease',
      async () => one.app.locals.rollouts?.lease.isLeader() || undefined,
      15_000,
      100,
    );
    const two = await console_('console-2');
    await routeTo(one, { v1: 100 });
    // Every change of the VirtualService, from the cluster's own watch.
    const ac = new AbortController();
    const modified: string[] = [];
    const watching = (async () => {
      const res = await fetch(
        `${stack.cluster.url}/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices?watch=true&fieldSelector=metadata.name%3Dreviews`,
        { headers: { Authorization: `Bearer ${stack.cluster.adminToken}` }, signal: ac.signal },
      );
      const reader = res.body!.getReader();
      let buf = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buf += new TextDecoder().decode(value);
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const e = JSON.parse(buf.slice(0, i)) as {
            type: string;
            object: { metadata: { resourceVersion: string } };
          };
          if (e.type === 'MODIFIED') modified.push(e.object.metadata.resourceVersion);
          buf = buf.slice(i + 1);
        }
      }
    })().catch((e: Error) => {
      if (e.name !== 'AbortError') throw e;
    });
    try {
      // Started through the standby: any replica takes requests, only the holder drives.
      const r0 = await start(two, { target: 'v3', steps: [25, 50, 100], waitSeconds: 5, gates: GATES });
      await until(two, r0.id, 'the second step written', (x) => !!x.steps[1]?.startedAt, 30_000);
      expect(two.app.locals.rollouts?.lease.isLeader()).toBe(false);
      // console-1 stops without giving the Lease up, as a crashed replica would.
      await one.app.locals.rollouts?.stop({ release: false });
      const stoppedAt = Date.now();
      const r = await until(two, r0.id, 'promoted', (x) => x.phase !== 'running', 60_000);
      expect(r.phase, r.reason).toBe('promoted');
      expect(r.steps.map((s) => s.writtenBy)).toEqual(['console-1', 'console-1', 'console-2']);
      // console-2 waited for the Lease to expire before its first write.
      expect(Date.parse(r.steps[2]!.startedAt!) - stoppedAt).toBeGreaterThanOrEqual(
        (LEASE_SECONDS - 0.5) * 1000,
      );
      // One write of the VirtualService per step, never two: nobody stepped it twice.
      await eventually(
        'the watch to see three changes',
        async () => (modified.length >= 3 ? true : undefined),
        5000,
        100,
      );
      expect(modified).toHaveLength(3);
      expect(modified.at(-1)).toBe(r.writtenResourceVersion);
    } finally {
      ac.abort();
      await watching;
    }
  }, 150_000);
});

describe('two consoles starting at once', () => {
  it("a service's slot: of two replicas claiming it at once, the cluster lets one through", async () => {
    // Two replicas' stores, each with its own client, in one namespace; a service of this test's own.
    const kc = loadKubeConfig(stack.kubeconfigPath);
    const [one, two] = [0, 1].map(() => rolloutStore(istioKubeClient(kc), 'istio-system'));
    const rollout = (id: string) =>
      newRollout({
        id,
        namespace: NS,
        service: `claims-${Date.now().toString(36)}`,
        body: StartRolloutSchema.parse({ target: 'v3', steps: [100], waitSeconds: 5, gates: GATES }),
        baseline: { v1: 100 },
        by: 'test',
        now: new Date(),
      });
    const first = rollout('claims-a');
    const second = { ...rollout('claims-b'), service: first.service };
    // Nobody holds the slot: both read it absent and create it; one create is a 409.
    const won = await Promise.all([one!.claim(first), two!.claim(second)]);
    expect(won.filter(Boolean)).toHaveLength(1);
    const [winner, loser, loserStore] = won[0] ? [first, second, two!] : [second, first, one!];
    // The winner's rollout stored and active: the slot stays its own.
    const stored = await (won[0] ? one! : two!).create(winner);
    expect(await loserStore.claim(loser)).toBe(false);
    // Once it is over, the slot is taken with a replace at the resourceVersion read; again one at a time.
    await (won[0] ? one! : two!).update({ ...winner, phase: 'aborted' }, stored.resourceVersion);
    const third = { ...rollout('claims-c'), service: first.service };
    const again = await Promise.all([loserStore.claim(loser), one!.claim(third)]);
    expect(again.filter(Boolean)).toHaveLength(1);
  });

  it('make one rollout of a service between them: the other starts get 409', async () => {
    const x = await console_('console-x');
    const y = await console_('console-y');
    await routeTo(x, { v1: 100 });
    const body = { target: 'v3', steps: [25, 100], waitSeconds: 5, gates: GATES };
    // Two starts through each replica at once: each replica's own queue lets one through to the cluster.
    const answers = await Promise.all(
      [x, y, x, y].map((s) => call(s, 'POST', `/api/namespaces/${NS}/services/reviews/rollouts`, body)),
    );
    expect(
      answers.map((a) => a.status).sort(),
      JSON.stringify(answers.map((a) => a.body.message ?? a.body.id)),
    ).toEqual([201, 409, 409, 409]);
    const created = RolloutSchema.parse(answers.find((a) => a.status === 201)!.body);
    const all = await call(x, 'GET', `/api/rollouts`);
    const active = (all.body.rollouts as Rollout[]).filter(
      (r) => r.service === 'reviews' && (r.phase === 'running' || r.phase === 'paused'),
    );
    expect(active.map((r) => r.id)).toEqual([created.id]);
    // Once it is over, the service's next rollout may start.
    const aborted = await call(x, 'POST', `/api/namespaces/${NS}/rollouts/${created.id}/abort`);
    expect(aborted.status).toBe(200);
    const next = await start(y, body);
    expect(next.id).not.toBe(created.id);
    expect((await call(y, 'POST', `/api/namespaces/${NS}/rollouts/${next.id}/abort`)).status).toBe(200);
  }, 60_000);
});
