/**
 * Per client proxy and per cluster state (TRAFFIC-SEMANTICS.md §7): connection-pool overflow and outlier
 * ejection. Concurrency follows Little's law — requests in flight = arrival rate × time in the upstream —
 * measured per tick; the chance that an arrival finds the pool full is Erlang's loss formula for that
 * offered load and the pool's capacity (active connections/requests plus the pending queue).
 */
import { UNLIMITED, type CircuitBreakerLimits, type OutlierDetectionSettings } from '@meshlens/istio';

/** Erlang B: probability that an arrival finds all `servers` busy, for offered load `load` (erlangs). */
export function erlangB(servers: number, load: number): number {
  if (load <= 0) return 0;
  if (servers <= 0) return 1;
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (load * b) / (k + load * b);
  return b;
}

/** How many requests one client proxy can have in the cluster at once; Infinity when unlimited. */
export function poolCapacity(limits: CircuitBreakerLimits, protocol: 'http' | 'grpc' | 'tcp'): number {
  const lim = (v: number) => (v >= UNLIMITED ? Infinity : v);
  if (protocol === 'tcp') return lim(limits.maxConnections);
  if (protocol === 'grpc') return lim(limits.maxRequests); // HTTP/2: one multiplexed connection
  // HTTP/1.1: one request per connection; beyond maxConnections requests wait in the pending queue.
  const conns = lim(limits.maxConnections);
  const byConnections = conns === Infinity ? Infinity : conns + lim(limits.maxPendingRequests);
  return Math.min(lim(limits.maxRequests), byConnections);
}

interface PoolStat {
  arrivals: number;
  busyMs: number;
  completions: number;
  rate: number;
  latencyMs: number;
  blocking: number;
  capacity: number;
  primed: boolean;
}

export class ConnectionPools {
  private readonly stats = new Map<string, PoolStat>();

  private stat(key: string): PoolStat {
    let s = this.stats.get(key);
    if (!s) {
      s = {
        arrivals: 0,
        busyMs: 0,
        completions: 0,
        rate: 0,
        latencyMs: 0,
        blocking: 0,
        capacity: -1,
        primed: false,
      };
      this.stats.set(key, s);
    }
    return s;
  }

  /** Call at the start of every tick: turns last tick's arrivals and service times into rate and latency. */
  roll(dtMs: number): void {
    for (const s of this.stats.values()) {
      const rate = (s.arrivals * 1000) / Math.max(dtMs, 1);
      const lat = s.completions > 0 ? s.busyMs / s.completions : s.latencyMs;
      s.rate = s.primed ? 0.5 * s.rate + 0.5 * rate : rate;
      s.latencyMs = s.primed && s.completions > 0 ? 0.5 * s.latencyMs + 0.5 * lat : lat;
      s.primed = s.primed || s.arrivals > 0;
      s.arrivals = 0;
      s.busyMs = 0;
      s.completions = 0;
      s.capacity = -1;
    }
  }

  /**
   * Whether this arrival overflows the pool (503 UO). `clients` is the number of client proxies (caller
   * pods) sharing the traffic; each has its own circuit breaker.
   */
  overflows(key: string, capacity: number, clients: number, extraMs: number, random: () => number): boolean {
    const s = this.stat(key);
    s.arrivals++;
    if (capacity === Infinity) return false;
    if (s.capacity !== capacity) {
      const load = (s.rate / Math.max(1, clients)) * ((s.latencyMs + extraMs) / 1000);
      s.blocking = erlangB(capacity, load);
      s.capacity = capacity;
    }
    return random() < s.blocking;
  }

  /** Time an admitted request spent in the upstream. */
  complete(key: string, ms: number): void {
    const s = this.stat(key);
    s.busyMs += ms;
    s.completions++;
  }

  /** In-flight estimate per key, for /debug/state. */
  snapshot(): Record<string, { rate: number; latencyMs: number; blocking: number }> {
    const out: Record<string, { rate: number; latencyMs: number; blocking: number }> = {};
    for (const [k, s] of this.stats)
      if (s.capacity >= 0 || s.blocking > 0)
        out[k] = { rate: round(s.rate), latencyMs: round(s.latencyMs), blocking: round(s.blocking) };
    return out;
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

interface HostState {
  consecutive5xx: number;
  consecutiveGateway: number;
  ejectedUntil: number;
  ejections: number;
  lastChange: number;
}

/** Outlier detection, per client workload and cluster, per host (pod). */
export class OutlierDetector {
  private readonly clusters = new Map<string, Map<string, HostState>>();

  private hosts(key: string): Map<string, HostState> {
    let m = this.clusters.get(key);
    if (!m) this.clusters.set(key, (m = new Map()));
    return m;
  }

  /** Hosts of the cluster not ejected at `now` (with the ejection multiplier decaying while healthy). */
  available<T extends { name: string }>(
    key: string,
    hosts: T[],
    now: number,
    od: OutlierDetectionSettings,
  ): T[] {
    const m = this.clusters.get(key);
    if (!m || m.size === 0) return hosts;
    const out: T[] = [];
    for (const h of hosts) {
      const st = m.get(h.name);
      if (st && st.ejectedUntil > now) continue;
      if (st && st.ejections > 0 && now - Math.max(st.ejectedUntil, st.lastChange) > od.intervalMs) {
        st.ejections--;
        st.lastChange = now;
      }
      out.push(h);
    }
    return out;
  }

  /** Records an attempt's result on a host; ejects it when a consecutive-error threshold is reached. */
  record(
    key: string,
    host: string,
    allHosts: number,
    code: number,
    localFailure: boolean,
    now: number,
    od: OutlierDetectionSettings,
  ): void {
    const m = this.hosts(key);
    let st = m.get(host);
    if (!st)
      m.set(
        host,
        (st = { consecutive5xx: 0, consecutiveGateway: 0, ejectedUntil: 0, ejections: 0, lastChange: now }),
      );
    const is5xx = code >= 500 || (localFailure && !od.splitExternalLocalOriginErrors);
    const isGateway =
      code === 502 || code === 503 || code === 504 || (localFailure && !od.splitExternalLocalOriginErrors);
    st.consecutive5xx = is5xx ? st.consecutive5xx + 1 : 0;
    st.consecutiveGateway = isGateway ? st.consecutiveGateway + 1 : 0;
    const trip =
      (od.consecutive5xxErrors !== undefined && st.consecutive5xx >= od.consecutive5xxErrors) ||
      (od.consecutiveGatewayErrors !== undefined && st.consecutiveGateway >= od.consecutiveGatewayErrors);
    if (!trip || st.ejectedUntil > now) return;
    let ejected = 0;
    for (const s of m.values()) if (s.ejectedUntil > now) ejected++;
    // max_ejection_percent, but Envoy always allows at least one host to be ejected.
    if (ejected > 0 && ((ejected + 1) * 100) / allHosts > od.maxEjectionPercent) return;
    st.ejections++;
    st.ejectedUntil = now + Math.min(od.baseEjectionTimeMs * st.ejections, od.maxEjectionTimeMs);
    st.lastChange = now;
    st.consecutive5xx = 0;
    st.consecutiveGateway = 0;
  }

  ejectedCount(now: number): number {
    let n = 0;
    for (const m of this.clusters.values()) for (const s of m.values()) if (s.ejectedUntil > now) n++;
    return n;
  }
}
