/** A macrotask without setTimeout's 4 ms clamp: input and frames run before it resolves. */
export function yieldToMain(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Main-thread time one slice may take before giving the thread back, ms (a frame is 16.7 ms). */
export const SLICE_BUDGET_MS = 8;

export interface SliceOptions {
  budgetMs?: number;
  /** Clock (ms); performance.now by default. */
  now?: () => number;
  /** Gives the main thread back between slices (default: yieldToMain). */
  pause?: () => Promise<void>;
  /** False once the work is no longer wanted (a newer answer came): stops at the next slice. */
  isCurrent?: () => boolean;
}

/**
 * Calls `step(i)` for i = 0 … count − 1 in time slices: after each step that ends past the budget, the
 * main thread is given back (frames, input) before the next one. Resolves true when every step ran,
 * false when `isCurrent` turned false first.
 */
export async function runInSlices(
  count: number,
  step: (i: number) => void,
  options: SliceOptions = {},
): Promise<boolean> {
  const budget = options.budgetMs ?? SLICE_BUDGET_MS;
  const now = options.now ?? (() => performance.now());
  const pause = options.pause ?? yieldToMain;
  const isCurrent = options.isCurrent ?? (() => true);
  let sliceStart = now();
  for (let i = 0; i < count; i++) {
    step(i);
    if (i + 1 < count && now() - sliceStart >= budget) {
      await pause();
      if (!isCurrent()) return false;
      sliceStart = now();
    }
  }
  return isCurrent();
}
