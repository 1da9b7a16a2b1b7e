/**
 * Readiness checks that answer within a bound whatever the dependency does. A live round trip is raced
 * against the bound; a probe arriving while the previous round trip is still out waits on that one rather
 * than sending another, so a hung dependency never collects a pile of probes.
 */

export interface CheckResult {
  ok: boolean;
  message: string;
  ms: number;
}

export interface BoundedCheck {
  run(): Promise<CheckResult>;
}

/**
 * `what` names the dependency in messages; `fn` is its round trip (which has its own deadline, usually
 * longer than `boundMs`); `extra` may veto an answered round trip (e.g. "inventory still loading").
 */
export function boundedCheck(
  what: string,
  fn: () => Promise<void>,
  boundMs: number,
  extra?: () => string | undefined,
): BoundedCheck {
  let inFlight: Promise<CheckResult> | undefined;
  const roundTrip = (): Promise<CheckResult> => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return fn().then(
      () => {
        const problem = extra?.();
        return problem
          ? { ok: false, message: problem, ms: elapsed() }
          : { ok: true, message: 'ok', ms: elapsed() };
      },
      (err: unknown) => ({
        ok: false,
        message: (err as Error)?.message || String(err),
        ms: elapsed(),
      }),
    );
  };
  return {
    async run() {
      const started = performance.now();
      const pending = (inFlight ??= roundTrip().finally(() => {
        inFlight = undefined;
      }));
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({
              ok: false,
              message: `${what} did not answer within ${boundMs} ms`,
              ms: Math.round(performance.now() - started),
            }),
          boundMs,
        );
      });
      try {
        return await Promise.race([pending, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
