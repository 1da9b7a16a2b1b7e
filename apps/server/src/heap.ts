import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * V8's full collection as a function. Node exposes it only with --expose-gc; setting that flag at run time
 * and taking `gc` from a fresh context is the documented-in-practice way tools like Jest's leak detector
 * use, and needs no flag on the command line (so `npx meshlens`, the container and the tests all get it).
 */
function fullGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface HeapTrimmer {
  /** Called after an answer of `bytes` JSON bytes was built and handed over. */
  afterAnswer(bytes: number): void;
  /** Collections run so far (for tests and /metrics). */
  readonly runs: number;
}

/**
 * One full garbage collection after each large graph answer, once it is handed over (next turn of the
 * event loop; answers computed in the same turn share one), and at most once per `minIntervalMs` if set.
 * It costs ~10-20 ms of CPU per large answer, which is computed at most once per refresh interval for
 * all the clients polling it. Building the answer of a 1,000-service mesh allocates
 * tens of MB that die at once; left to its defaults V8 lets the heap grow to several times the live data
 * before collecting, so the process holds hundreds of MB it does not use (measured with `npm run bench --
 * graph-server`: 436 MB peak RSS at 1,000 services without, ~260 MB with). `minBytes` 0 disables it.
 */
export function createHeapTrimmer(minBytes: number, minIntervalMs = 0): HeapTrimmer {
  let gc: (() => void) | undefined;
  let last = 0;
  let pending = false;
  let runs = 0;
  return {
    afterAnswer(bytes) {
      if (minBytes <= 0 || bytes < minBytes || pending) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        const now = Date.now();
        if (now - last < minIntervalMs) return;
        last = now;
        gc ??= fullGc();
        gc();
        runs++;
      }, 0).unref();
    },
    get runs() {
      return runs;
    },
  };
}
