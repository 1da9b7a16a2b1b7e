import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * V8's full collection as a function. Node exposes it only with --expose-gc; setting that flag at run time
 * and taking `gc` from a fresh context (as Jest's leak detector does) needs no flag on the command line,
 * so `npx meshlens`, the container and the tests all get it.
 */
export function fullGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface HeapTrimmer {
  /** Called after each computed graph answer. */
  afterAnswer(): void;
  /** Collections run so far (for tests). */
  readonly runs: number;
}

export interface HeapTrimmerDeps {
  /** Reads the heap size in MB (default: V8's committed heap). */
  heapMb?: () => number;
  /** Runs one full collection (default: V8's own, see fullGc; looked up on first use). */
  gc?: () => void;
  /** Runs `task` on a later turn of the event loop (default: an unref'd setTimeout of 0). */
  defer?: (task: () => void) => void;
}

/**
 * A soft limit on the V8 heap, checked after each computed graph answer: above `softLimitMb` of heap
 * (committed), one full garbage collection on the next turn of the event loop, once the answer is handed
 * over. Building a large mesh's answer allocates tens of MB that die at once; left to its defaults V8 lets
 * the heap grow to several times the live data before collecting, so the process holds hundreds of MB it
 * does not use. Measured (`npm run bench -- graph-server`, 1,000 services, 3 runs each): without it
 * 440-590 MB peak RSS and ~100 ms build; collecting after every answer ~245 MB and ~140-210 ms; above
 * 96 MB of heap ~255 MB and ~113 ms; above 128 MB ~298 MB and ~112 ms. 0 disables it.
 * `deps` replaces the heap reader, the collection and the deferral (tests).
 */
export function createHeapTrimmer(softLimitMb: number, deps: HeapTrimmerDeps = {}): HeapTrimmer {
  const heapMb = deps.heapMb ?? (() => getHeapStatistics().total_heap_size / 1048576);
  const defer = deps.defer ?? ((task: () => void) => void setTimeout(task, 0).unref());
  let gc = deps.gc;
  let pending = false;
  let runs = 0;
  return {
    afterAnswer() {
      if (softLimitMb <= 0 || pending || heapMb() <= softLimitMb) return;
      pending = true;
      defer(() => {
        pending = false;
        gc ??= fullGc();
        gc();
        runs++;
      });
    },
    get runs() {
      return runs;
    },
  };
}
