/** The steps of `npm run tour`: each acts through the UI, then waits (bounded) for the graph to show it. */
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { edgeId, nodeId } from '@meshlens/contract';
import { applyWizard, edgeHealth, openWizard, waitForSplit } from '../e2e/support/routing';
import { Kube } from '../e2e/support/kube';
import { setErrorRate, startRolloutFromWizard, waitForErrorRatePods } from '../e2e/support/rollouts';

export interface TourContext {
  page: Page;
  url: string;
  /** Saves a numbered screenshot with its caption. */
  shot: (caption: string) => Promise<void>;
  /** The demo cluster's kubeconfig (what the tour changes behind the console's back). */
  kubeconfigPath: string;
}

export interface TourStep {
  title: string;
  /** Seconds the graph may take to show the step. */
  boundSeconds: number;
  run: (ctx: TourContext, boundMs: number) => Promise<string>;
}

const NS = 'bookinfo';

/**
 * The graph's rate window and refresh in the tour: each step is shown once the window holds mostly traffic
 * sent after it, so the window decides how long a step takes (30 s and 10 s made the tour ~11 minutes).
 * Bookinfo runs at 4x its rates so 15 s still hold ~250 requests into reviews (a version's share within
 * ~3 points of its weight).
 */
export const TOUR_DURATION_SECONDS = 15;
export const TOUR_REFRESH_SECONDS = 5;
export const TOUR_RATE_SCALE = 4;
export const TOUR_QUERY = `namespaces=bookinfo,istio-system&graphType=versionedApp&duration=${TOUR_DURATION_SECONDS}&refresh=${TOUR_REFRESH_SECONDS * 1000}&edges=percent`;
const RATINGS_EDGE = edgeId(nodeId.versionedApp(NS, 'reviews', 'v2'), nodeId.service(NS, 'ratings'), 'http');

async function shift(ctx: TourContext, weights: Record<string, number>, boundMs: number): Promise<string> {
  const dialog = await openWizard(ctx.page, ctx.url, NS, 'reviews', 'Traffic Shifting');
  // the canary first, then the stable version; the version set before keeps its weight
  for (const v of ['v3', 'v1', 'v2']) {
    await dialog.getByLabel(`Weight of ${v}`, { exact: true }).fill(String(weights[v] ?? 0));
  }
  for (const [v, w] of Object.entries(weights))
    await expect(dialog.getByLabel(`Weight of ${v}`, { exact: true })).toHaveValue(String(w));
  // the server's preview has caught up with the form (a single destination is written without a weight)
  await expect(dialog.getByText('updating…')).toBeHidden({ timeout: 10_000 });
  await expect(dialog.getByTestId('yaml-preview')).toContainText(
    (weights.v3 ?? 0) > 0 ? 'subset: v3' : 'subset: v2',
  );
  await ctx.shot(
    `Traffic Shifting wizard on reviews: v1 ${weights.v1} / v2 ${weights.v2} / v3 ${weights.v3}, with the YAML preview`,
  );
  await applyWizard(ctx.page);
  const s = await waitForSplit(ctx.page, NS, 'reviews', weights, 8, boundMs);
  return `${s.toFixed(0)} s`;
}

export const STEPS: TourStep[] = [
  {
    title: 'Canary: 10 % of reviews to v3',
    boundSeconds: 90,
    run: (ctx, ms) => shift(ctx, { v1: 90, v2: 0, v3: 10 }, ms),
  },
  {
    title: 'Canary: 50 % of reviews to v3',
    boundSeconds: 90,
    run: (ctx, ms) => shift(ctx, { v1: 50, v2: 0, v3: 50 }, ms),
  },
  {
    title: 'Rollout done: 100 % of reviews to v3',
    boundSeconds: 90,
    run: (ctx, ms) => shift(ctx, { v1: 0, v2: 0, v3: 100 }, ms),
  },
  {
    title: 'Drill: ratings answers 503 to every request',
    boundSeconds: 60,
    run: async (ctx, ms) => {
      // back to v2, which calls ratings, so the drill shows on its edge
      await shift(ctx, { v1: 0, v2: 100, v3: 0 }, 90_000);
      const dialog = await openWizard(ctx.page, ctx.url, NS, 'ratings', 'Fault Injection');
      await dialog.getByLabel('HTTP status').fill('503');
      await dialog.getByLabel('Abort percentage').fill('100');
      await ctx.shot('Fault Injection wizard on ratings: abort 503 for 100 % of requests');
      await applyWizard(ctx.page);
      const start = Date.now();
      await expect
        .poll(() => edgeHealth(ctx.page, RATINGS_EDGE), { timeout: ms, intervals: [1000] })
        .toBe('Failure');
      return `${((Date.now() - start) / 1000).toFixed(0)} s`;
    },
  },
  {
    title: 'Rollback: routing of ratings and reviews deleted, traffic healthy and even again',
    boundSeconds: 90,
    run: async (ctx, ms) => {
      await openWizard(ctx.page, ctx.url, NS, 'ratings', 'Delete routing');
      await applyWizard(ctx.page, 'Delete');
      const dialog = await openWizard(ctx.page, ctx.url, NS, 'reviews', 'Delete routing');
      await expect(dialog.getByText('Will be deleted')).toBeVisible({ timeout: 10_000 });
      await ctx.shot('Delete routing on reviews: what will be deleted and what is kept');
      await applyWizard(ctx.page, 'Delete');
      const start = Date.now();
      await expect
        .poll(() => edgeHealth(ctx.page, RATINGS_EDGE), { timeout: ms, intervals: [1000] })
        .toBe('Healthy');
      await waitForSplit(
        ctx.page,
        NS,
        'reviews',
        { v1: 33, v2: 33, v3: 33 },
        8,
        Math.max(5000, ms - (Date.now() - start)),
      );
      return `${((Date.now() - start) / 1000).toFixed(0)} s`;
    },
  },
  {
    title: 'Guarded rollout of reviews v3, which now fails half its requests: rolled back on its own',
    boundSeconds: 90,
    run: async (ctx, ms) => {
      const kube = new Kube(ctx.kubeconfigPath);
      await setErrorRate(NS, 'reviews-v3', 0.5, kube);
      await waitForErrorRatePods(NS, 'reviews', 'v3', 0.5, kube);
      // The baseline first: all of reviews on v1 (the rollout goes back to the routing it started from).
      let dialog = await openWizard(ctx.page, ctx.url, NS, 'reviews', 'Traffic Shifting');
      await dialog.getByLabel('Weight of v1', { exact: true }).fill('100');
      await expect(dialog.getByTestId('weight-total')).toHaveText('100 %');
      await applyWizard(ctx.page);
      dialog = await openWizard(ctx.page, ctx.url, NS, 'reviews', 'Traffic Shifting');
      const start = Date.now();
      await startRolloutFromWizard(ctx.page, dialog, {
        target: 'v3',
        steps: '25, 50, 100',
        waitSeconds: 10,
        maxErrorPercent: 5,
        maxP95Ms: 1000,
        minRequests: 5,
      });
      await expect(ctx.page.getByTestId('rollout-phase')).toHaveText('Rolled back', { timeout: 40_000 });
      await ctx.shot(
        'The rollout page: step 1 (v3 at 25 %) failed its error gate, measured beside its threshold; v1 has all the traffic again',
      );
      await ctx.page.goto(`${ctx.url}/graph?${TOUR_QUERY}`);
      await waitForSplit(ctx.page, NS, 'reviews', { v1: 100 }, 8, Math.max(5000, ms - (Date.now() - start)));
      await setErrorRate(NS, 'reviews-v3', null, kube);
      return `${((Date.now() - start) / 1000).toFixed(0)} s`;
    },
  },
];
