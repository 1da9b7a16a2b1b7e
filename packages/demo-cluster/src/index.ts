export { startDemoCluster } from './server';
export type { DemoCluster, DemoClusterOptions } from './server';
export { kubeconfigFor } from './kubeconfig';
export { parseManifests } from './load';
