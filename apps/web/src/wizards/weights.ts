/** Integer weights per version that always sum to 100. */
export type Weights = Record<string, number>;

/** Splits `total` over `shares` proportionally, as integers summing to `total` (largest remainder). */
export function apportion(shares: number[], total: number): number[] {
  if (shares.length === 0) return [];
  const sum = shares.reduce((a, b) => a + Math.max(0, b), 0);
  const exact = shares.map((s) => (sum > 0 ? (Math.max(0, s) / sum) * total : total / shares.length));
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left -= 1;
  }
  return floors;
}

/** 100 split evenly over the versions (the first ones get the odd points). */
export function evenWeights(versions: string[]): Weights {
  const parts = apportion(
    versions.map(() => 1),
    100,
  );
  return Object.fromEntries(versions.map((v, i) => [v, parts[i] ?? 0]));
}

/**
 * Sets one version's weight and gives the remainder to the others in proportion to their current weights
 * (evenly when they are all 0). Versions listed in `locked` keep their weight when possible.
 */
export function setWeight(weights: Weights, version: string, value: number, locked: string[] = []): Weights {
  const versions = Object.keys(weights);
  if (!versions.includes(version)) return weights;
  const clamped = Math.min(100, Math.max(0, Math.round(Number.isFinite(value) ? value : 0)));
  const lockedOthers = versions.filter((v) => v !== version && locked.includes(v));
  const lockedSum = lockedOthers.reduce((a, v) => a + (weights[v] ?? 0), 0);
  const free = versions.filter((v) => v !== version && !locked.includes(v));
  if (free.length === 0) {
    // nothing to give the remainder to: the changed weight is what the others leave
    return { ...weights, [version]: 100 - lockedSum };
  }
  const own = Math.min(clamped, 100 - lockedSum);
  const parts = apportion(
    free.map((v) => weights[v] ?? 0),
    100 - lockedSum - own,
  );
  const next: Weights = { ...weights, [version]: own };
  free.forEach((v, i) => (next[v] = parts[i] ?? 0));
  return next;
}

export function sumOf(weights: Weights): number {
  return Object.values(weights).reduce((a, b) => a + b, 0);
}
