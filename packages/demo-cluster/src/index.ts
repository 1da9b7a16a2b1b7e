export { startDemoCluster } from './server';
export type { DemoCluster, DemoClusterOptions } from './server';
export { kubeconfigFor } from './kubeconfig';
export { parseManifests } from './load';
export { ADMIN_USER } from './auth';
export type { AuthOptions, OidcOptions, StaticToken } from './auth';
export { parseTokenFile } from './auth/tokens';
