import { describe, expect, it } from 'vitest';
import { runInSlices } from './slices';

/** A clock that each step moves on by `stepMs`. */
function fakeClock(stepMs: number) {
  let t = 0;
  return { now: () => t, tick: () => void (t += stepMs) };
}

describe('runInSlices', () => {
  it('runs every step in order, giving the thread back each time the budget is spent', async () => {
    const clock = fakeClock(3);
    const ran: number[] = [];
    const pausedAfter: number[] = [];
    const done = await runInSlices(
      10,
      (i) => {
        ran.push(i);
        clock.tick();
      },
      {
        budgetMs: 8,
        now: clock.now,
        pause: () => {
          pausedAfter.push(ran.length);
          return Promise.resolve();
        },
      },
    );
    expect(done).toBe(true);
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // 3 ms a step, 8 ms a slice: a pause after every third step, none after the last
    expect(pausedAfter).toEqual([3, 6, 9]);
  });

  it('never pauses while the steps are within budget', async () => {
    let pauses = 0;
    const done = await runInSlices(1000, () => undefined, {
      now: () => 0,
      pause: () => {
        pauses++;
        return Promise.resolve();
      },
    });
    expect(done).toBe(true);
    expect(pauses).toBe(0);
  });

  it('stops at the next slice once the work is no longer current', async () => {
    const clock = fakeClock(10);
    let current = true;
    const ran: number[] = [];
    const done = await runInSlices(
      10,
      (i) => {
        ran.push(i);
        clock.tick();
      },
      {
        budgetMs: 15,
        now: clock.now,
        isCurrent: () => current,
        pause: () => {
          current = false;
          return Promise.resolve();
        },
      },
    );
    expect(done).toBe(false);
    expect(ran).toEqual([0, 1]);
  });

  it('gives the thread back with a real macrotask by default', async () => {
    const order: string[] = [];
    const work = runInSlices(2, (i) => order.push(`step ${i}`), { budgetMs: 0 });
    void Promise.resolve().then(() => order.push('microtask'));
    await work;
    expect(order).toEqual(['step 0', 'microtask', 'step 1']);
  });
});
