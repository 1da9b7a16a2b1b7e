export { startMeshSim, type MeshSim, type MeshSimOptions } from './start';
export {
  loadScenario,
  parseScenario,
  parseScenarioYaml,
  ScenarioError,
  BUILT_IN_SCENARIOS,
  type BuiltInScenario,
} from './scenario/load';
export { generateScenario, type GenerateOptions } from './scenario/generated';
export { scenarioObjects } from './scenario/manifests';
export type { Scenario, ScenarioInput } from './scenario/schema';
export { Engine, type EngineOptions } from './engine/simulate';
export { inventoryFromObjects, type Inventory } from './engine/inventory';
export { MetricsStore, BUCKETS } from './metrics/store';
export {
  renderText,
  renderBuffers,
  CONTENT_TYPE,
  TELEMETRY_METRICS,
  type TelemetryMetric,
} from './metrics/render';
