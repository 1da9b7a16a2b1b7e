/** Helpers for guarded rollouts, shared by e2e/tests/rollouts.spec.ts and `npm run tour`. */
import { expect, type Locator, type Page } from '@playwright/test';
import { Kube } from './kube';

export const ERROR_RATE_ANNOTATION = 'mesh-sim.meshlens.io/error-rate';

/** Makes mesh-sim answer `rate` of a workload's requests with 500s (null: as the scenario says). */
export async function setErrorRate(
  namespace: string,
  deployment: string,
  rate: number | null,
  kube = new Kube(),
) {
  await kube.setTemplateAnnotation(
    namespace,
    deployment,
    ERROR_RATE_ANNOTATION,
    rate === null ? null : String(rate),
  );
}

export interface RolloutInput {
  target: string;
  steps: string;
  waitSeconds: number;
  maxErrorPercent: number;
  maxP95Ms?: number;
  minRequests: number;
}

/** In an open Traffic Shifting dialog: "Roll out gradually", filled in and started; lands on the rollout page. */
export async function startRolloutFromWizard(
  page: Page,
  dialog: Locator,
  input: RolloutInput,
): Promise<void> {
  const section = dialog.getByTestId('roll-out-gradually');
  await section.locator('summary').click();
  await expect(section.getByTestId('rollout-form')).toBeVisible();
  await section.getByLabel('Target version').selectOption(input.target);
  await section.getByLabel('Steps (% to the target)').fill(input.steps);
  await section.getByLabel('Wait per step (s)').fill(String(input.waitSeconds));
  await section.getByLabel('Max error %').fill(String(input.maxErrorPercent));
  await section.getByLabel('Max p95 (ms)').fill(input.maxP95Ms === undefined ? '' : String(input.maxP95Ms));
  await section.getByLabel('Min requests per window').fill(String(input.minRequests));
  await section.getByTestId('start-rollout').click();
  await expect(page.getByTestId('rollout')).toBeVisible({ timeout: 15_000 });
}

/** Waits until every pod of `app`/`version` carries the error-rate annotation `rate` (the old ones gone). */
export async function waitForErrorRatePods(
  namespace: string,
  app: string,
  version: string,
  rate: number | null,
  kube = new Kube(),
) {
  await expect
    .poll(
      async () => {
        const pods = await kube.get<{
          items: { metadata: { annotations?: Record<string, string>; deletionTimestamp?: string } }[];
        }>(`/api/v1/namespaces/${namespace}/pods?labelSelector=app%3D${app},version%3D${version}`);
        const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
        return (
          live.length > 0 &&
          live.every(
            (p) =>
              (p.metadata.annotations?.[ERROR_RATE_ANNOTATION] ?? null) ===
              (rate === null ? null : String(rate)),
          )
        );
      },
      { message: `${app} ${version}'s pods to carry error rate ${rate}`, timeout: 60_000, intervals: [500] },
    )
    .toBe(true);
}

/** Aborts every active rollout (a spec's cleanup, whatever step failed). */
export async function abortActiveRollouts(consoleUrl: string) {
  const res = await fetch(`${consoleUrl}/api/rollouts`);
  const { rollouts } = (await res.json()) as { rollouts: { id: string; namespace: string; phase: string }[] };
  for (const r of rollouts.filter((x) => x.phase === 'running' || x.phase === 'paused'))
    await fetch(`${consoleUrl}/api/namespaces/${r.namespace}/rollouts/${r.id}/abort`, {
      method: 'POST',
      headers: { 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' },
      body: '{}',
    });
}
