/**
 * The running simulation: a tick timer that advances the engine in real time (keeping nominal rates even
 * when a tick is late, since each tick covers the time actually elapsed) and the HTTP server.
 */
import type { AddressInfo } from 'node:net';
import type { Engine } from './engine/simulate';
import type { Inventory } from './engine/inventory';
import { createMetricsServer } from './server';
import { exposedSeries } from './metrics/render';
import { disabledByReporter, type DisabledByReporter } from './metrics/telemetry';

export interface RuntimeOptions {
  host?: string;
  port?: number;
  tickMs?: number;
  /** Called before each tick; returns a new inventory when the cluster changed. */
  refresh?: () => Inventory | undefined;
  log: (msg: string) => void;
  /** Metrics left out of /metrics, per reporter (Telemetry API overrides with `disabled: true`). */
  disabled?: DisabledByReporter;
}

export interface Runtime {
  url: string;
  close(): Promise<void>;
}

export function debugState(
  engine: Engine,
  started: number,
  disabled: DisabledByReporter = disabledByReporter(),
): unknown {
  return {
    scenario: engine.scenario.name,
    description: engine.scenario.description,
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
    rateScale: engine.rateScale,
    stats: engine.stats,
    samples: engine.store.recorded,
    series: {
      http: engine.store.http.size,
      tcp: engine.store.tcp.size,
      grpcMessages: engine.store.messages.size,
      /** Samples one scrape of /metrics exposes (what Prometheus stores as series). */
      exposed: exposedSeries(engine.store, disabled),
    },
    telemetry: {
      disabled: { source: [...disabled.source], destination: [...disabled.destination] },
      warnings: engine.world.warnings,
    },
    workloads: engine.world.workloads.size,
    /** Container logs held (lines over all rings) and open `follow` readers. */
    logs: engine.logs
      ? { containers: engine.logs.containers, lines: engine.logs.lines, followers: engine.logs.followers }
      : null,
    /** Traces and spans held for the Jaeger query API, and the sampling in percent. */
    tracing: engine.tracer
      ? {
          samplingPercent: engine.tracer.samplingPercent,
          traces: engine.tracer.store.size,
          spans: engine.tracer.store.spans,
        }
      : null,
    services: engine.world.services.size,
    ejectedHosts: engine.outliers.ejectedCount(Date.now()),
    connectionPools: engine.pools.snapshot(),
    /** Calls per second per edge (`caller -> service (protocol)`), smoothed over a few seconds. */
    edges: Object.fromEntries(
      [...engine.edgeRates].map(([k, v]) => [k, Math.round(v * 1000) / 1000] as const).sort(),
    ),
  };
}

export async function runSimulation(engine: Engine, options: RuntimeOptions): Promise<Runtime> {
  const tickMs = options.tickMs ?? 200;
  const started = Date.now();
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const dt = Math.min(Math.max(now - last, 0), 2000);
    last = now;
    const inventory = options.refresh?.();
    if (inventory) engine.setInventory(inventory);
    engine.tick(Date.now(), dt);
  }, tickMs);

  const disabled = options.disabled ?? disabledByReporter();
  const server = createMetricsServer({
    store: () => engine.store,
    disabled,
    log: options.log,
    state: () => debugState(engine, started, disabled),
    logs: () => engine.logs,
    spans: () => engine.tracer?.store,
  });
  const host = options.host ?? '127.0.0.1';
  server.listen(options.port ?? 0, host);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (err) {
    clearInterval(timer);
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
