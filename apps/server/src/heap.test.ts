import { describe, expect, it } from 'vitest';
import { createHeapTrimmer } from './heap';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('heap trimmer', () => {
  it('runs a real full collection after an answer only when the heap is above the soft limit', async () => {
    let heap = 100;
    const trimmer = createHeapTrimmer(128, () => heap);
    let garbage: object | undefined = { payload: new Array(1000).fill('x') };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    trimmer.afterAnswer(); // under the limit: nothing
    await tick();
    expect(trimmer.runs).toBe(0);
    heap = 200;
    trimmer.afterAnswer();
    trimmer.afterAnswer(); // the same turn: one collection for both
    await tick();
    expect(trimmer.runs).toBe(1);
    expect(ref.deref()).toBeUndefined(); // collected: the object was unreachable
  });

  it('is off with a limit of 0', async () => {
    const trimmer = createHeapTrimmer(0, () => 10_000);
    trimmer.afterAnswer();
    await tick();
    expect(trimmer.runs).toBe(0);
  });
});
