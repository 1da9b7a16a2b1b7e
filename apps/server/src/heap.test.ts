import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it, vi } from 'vitest';
import { createHeapTrimmer } from './heap';

/** A trimmer whose heap size, collections and deferred tasks the test controls. */
function controlled(softLimitMb: number) {
  const state = { heap: 0, gcs: 0, deferred: [] as Array<() => void> };
  const trimmer = createHeapTrimmer(softLimitMb, {
    heapMb: () => state.heap,
    gc: () => state.gcs++,
    defer: (task) => state.deferred.push(task),
  });
  /** Runs the deferred tasks, as the next turn of the event loop would. */
  const nextTurn = (): void => {
    for (const task of state.deferred.splice(0)) task();
  };
  return { state, trimmer, nextTurn };
}

/** Resolves with the first forced full (major) collection V8 reports; rejects after `timeoutMs`. */
function forcedMajorGc(timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`no forced major collection within ${timeoutMs} ms`));
    }, timeoutMs);
    const observer = new PerformanceObserver((list) => {
      const forced = list.getEntries().some((entry) => {
        // A 'gc' entry's detail (Node 16+): which collection, and why.
        const { detail } = entry as PerformanceEntry & { detail?: { kind: number; flags: number } };
        return (
          detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR &&
          (detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0
        );
      });
      if (!forced) return;
      clearTimeout(timer);
      observer.disconnect();
      resolve();
    });
    observer.observe({ entryTypes: ['gc'] });
  });
}

describe('heap trimmer', () => {
  it('collects once, on a later turn, after answers that leave the heap above the soft limit', () => {
    const { state, trimmer, nextTurn } = controlled(128);
    state.heap = 100;
    trimmer.afterAnswer();
    state.heap = 128; // at the limit is not above it
    trimmer.afterAnswer();
    expect(state.deferred).toHaveLength(0);

    state.heap = 200;
    trimmer.afterAnswer();
    trimmer.afterAnswer(); // the same turn: one collection for both
    expect(state.deferred).toHaveLength(1);
    expect(state.gcs).toBe(0); // never while the answer is being handed over
    nextTurn();
    expect(state.gcs).toBe(1);
    expect(trimmer.runs).toBe(1);

    trimmer.afterAnswer(); // a later answer still above the limit: another one
    nextTurn();
    expect(state.gcs).toBe(2);
    expect(trimmer.runs).toBe(2);
  });

  it('is off with a limit of 0', () => {
    const { state, trimmer, nextTurn } = controlled(0);
    state.heap = 10_000;
    trimmer.afterAnswer();
    nextTurn();
    expect(state.deferred).toHaveLength(0);
    expect(state.gcs).toBe(0);
    expect(trimmer.runs).toBe(0);
  });

  it("by default runs V8's own full collection, on a later turn of the event loop", async () => {
    const trimmer = createHeapTrimmer(1, { heapMb: () => 2 });
    const collected = forcedMajorGc(10_000);
    trimmer.afterAnswer();
    expect(trimmer.runs).toBe(0);
    await vi.waitFor(() => expect(trimmer.runs).toBe(1), { timeout: 10_000, interval: 5 });
    await collected;
  });
});
