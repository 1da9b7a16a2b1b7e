import { describe, expect, it } from 'vitest';
import { createHeapTrimmer } from './heap';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('heap trimmer', () => {
  it('runs a real full collection after a large answer only, at most once per interval', async () => {
    const trimmer = createHeapTrimmer(1000, 60_000);
    let garbage: object | undefined = { payload: new Array(1000).fill('x') };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    trimmer.afterAnswer(999); // small answer: nothing
    await tick();
    expect(trimmer.runs).toBe(0);
    trimmer.afterAnswer(5000);
    await tick();
    expect(trimmer.runs).toBe(1);
    expect(ref.deref()).toBeUndefined(); // collected: the object was unreachable
    trimmer.afterAnswer(5000); // within the interval
    await tick();
    expect(trimmer.runs).toBe(1);
  });

  it('is off with minBytes 0', async () => {
    const trimmer = createHeapTrimmer(0);
    trimmer.afterAnswer(10_000_000);
    await tick();
    expect(trimmer.runs).toBe(0);
  });
});
