import { errorText, sleep } from './net';

export interface PromSample {
  metric: Record<string, string>;
  /** [unix seconds, value as text] */
  value: [number, string];
}

export type PromQueryData =
  | { resultType: 'vector'; result: PromSample[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] }
  | {
      resultType: 'matrix';
      result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
    };

/**
 * Runs an instant query against Prometheus's HTTP API (`/api/v1/query`) and returns its `data`.
 * Throws with Prometheus's error text on a bad query or a non-success answer.
 */
export async function queryPrometheus(
  prometheusUrl: string,
  promql: string,
  time?: Date | number,
): Promise<PromQueryData> {
  const params = new URLSearchParams({ query: promql });
  if (time !== undefined) params.set('time', String(time instanceof Date ? time.getTime() / 1000 : time));
  const res = await fetch(`${prometheusUrl.replace(/\/$/, '')}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: params.toString(),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: { status?: string; data?: PromQueryData; error?: string; errorType?: string };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`Prometheus answered HTTP ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  if (body.status !== 'success' || !body.data) {
    throw new Error(
      `PromQL ${promql} failed: ${body.errorType ?? `HTTP ${res.status}`}: ${body.error ?? text.slice(0, 200)}`,
    );
  }
  return body.data;
}

/** The samples of an instant vector answer (empty for other result types). */
export function vectorOf(data: PromQueryData): PromSample[] {
  return data.resultType === 'vector' ? data.result : [];
}

/**
 * Re-runs `promql` until `predicate` accepts the instant-vector samples, then returns them.
 * Throws after `timeoutMs` with the last samples (or error) seen.
 */
export async function waitForPromQL(
  prometheusUrl: string,
  promql: string,
  predicate: (samples: PromSample[]) => boolean,
  timeoutMs: number,
  intervalMs = 500,
): Promise<PromSample[]> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const samples = vectorOf(await queryPrometheus(prometheusUrl, promql));
      if (predicate(samples)) return samples;
      last = JSON.stringify(samples).slice(0, 500);
    } catch (err) {
      last = errorText(err);
    }
    if (Date.now() + intervalMs > deadline) {
      throw new Error(`PromQL ${promql} did not satisfy the condition within ${timeoutMs} ms; last: ${last}`);
    }
    await sleep(intervalMs);
  }
}
