/** Number formats shared by edge labels, the side panel and the legend. */
export function formatRps(rps: number): string {
  if (!Number.isFinite(rps)) return '–';
  if (rps === 0) return '0 rps';
  if (rps < 0.01) return '<0.01 rps';
  return `${rps < 10 ? rps.toFixed(2) : rps < 100 ? rps.toFixed(1) : Math.round(rps)} rps`;
}

/** TCP connections opened per second. */
export function formatConnections(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '–';
  if (perSecond === 0) return '0 conn/s';
  if (perSecond < 0.01) return '<0.01 conn/s';
  return `${perSecond < 10 ? perSecond.toFixed(2) : perSecond < 100 ? perSecond.toFixed(1) : Math.round(perSecond)} conn/s`;
}

export function formatPct(pct: number): string {
  if (!Number.isFinite(pct)) return '–';
  if (pct > 0 && pct < 0.1) return '<0.1%';
  return `${pct >= 99.95 || pct === 0 ? Math.round(pct) : pct.toFixed(1)}%`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 2)}s`;
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms`;
}

export function formatBytesRate(bps: number): string {
  if (!Number.isFinite(bps)) return '–';
  const units = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s'];
  let v = bps;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
