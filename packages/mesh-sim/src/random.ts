/** Seedable randomness: a small PRNG and the distributions the simulator draws from. */

export type Random = () => number;

/** mulberry32: fast 32-bit PRNG; same seed, same sequence. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box-Muller). */
export function normal(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Poisson-distributed count with mean `lambda`. */
export function poisson(random: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(random)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** Integer count with mean `mean`: the integer part always, plus one more with the fractional chance. */
export function countWithMean(random: Random, mean: number): number {
  const whole = Math.floor(mean);
  return whole + (random() < mean - whole ? 1 : 0);
}

const Z99 = 2.3263478740408408;

/** Lognormal sampler given its median and 99th percentile. */
export function lognormal(median: number, p99: number): (random: Random) => number {
  const mu = Math.log(median);
  const sigma = p99 > median ? Math.log(p99 / median) / Z99 : 0;
  return (random) => Math.exp(mu + sigma * normal(random));
}

/** Mean of that lognormal (used for nominal figures). */
export function lognormalMean(median: number, p99: number): number {
  const sigma = p99 > median ? Math.log(p99 / median) / Z99 : 0;
  return median * Math.exp((sigma * sigma) / 2);
}

/** Picks an index by relative weights. */
export function pickWeighted(random: Random, weights: readonly number[], total?: number): number {
  const sum = total ?? weights.reduce((a, b) => a + b, 0);
  let r = random() * sum;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}
