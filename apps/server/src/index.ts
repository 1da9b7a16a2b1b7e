export { createApp, type AppDeps, type KubeAccess, type MeshlensApp } from './app';
export { startServer, loadKubeConfig, type StartServerOptions, type RunningServer } from './server';
export {
  buildCommand,
  configFromFlags,
  parseConfig,
  ServerConfigSchema,
  VERSION,
  type ServerConfig,
} from './config';
export { createPrometheusClient, PrometheusError, type PrometheusClient } from './prometheus/client';
export { startInventory, type Inventory } from './inventory/informers';
export { buildGraph, type GraphSamples, type BuildContext } from './graph/buildGraph';
export { buildGraphQueries } from './graph/queries';
export { createLogger } from './logger';
export { HEALTH_ANNOTATION, DEFAULT_TOLERANCES } from './health/tolerances';
