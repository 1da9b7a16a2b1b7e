export { freePort, sleep, waitForHttp, type WaitForHttpOptions } from './net';
export {
  isAlive,
  killGroup,
  spawnManaged,
  spawnReady,
  type ManagedProcess,
  type ReadyProcess,
  type SpawnOptions,
  type SpawnReadyOptions,
} from './processes';
export {
  findPrometheus,
  parseScrapeTarget,
  prometheusConfig,
  PrometheusNotInstalledError,
  startPrometheus,
  type PrometheusHandle,
  type PrometheusOptions,
} from './prometheus';
export { queryPrometheus, vectorOf, waitForPromQL, type PromQueryData, type PromSample } from './promql';
export { componentAvailable, componentCommand, repoRoot, type ComponentName } from './components';
export {
  deployOverlay,
  findKubectl,
  planPodProcess,
  PORT_FORWARD_ANNOTATION,
  SERVICE_ACCOUNT_MOUNT,
  startInClusterConsole,
  type InClusterConsole,
  type InClusterOptions,
  type InClusterPod,
  type PodProcessPlan,
  type PodSpec,
} from './inCluster';
export {
  claimStateDir,
  ComponentMissingError,
  metricsUrl,
  readEndpoints,
  scenarioClusters,
  startStack,
  type Endpoints,
  type ScenarioName,
  type Stack,
  type StackOptions,
  type StackUrls,
} from './stack';
export {
  AUTH_STRATEGIES,
  DEMO_GROUPS,
  DEMO_OIDC_CLIENT_ID,
  DEMO_USERS_MANIFEST,
  makeDemoUsers,
  type AuthStrategy,
  type DemoUser,
  type DemoUserName,
} from './users';
export {
  buildWebIfStale,
  ensurePrometheus,
  portFree,
  webBuildStale,
  type EnsurePrometheusDeps,
} from './setup';
