import { Kube } from './kube';

/** The e2e stack's kubeconfig (set by global-setup). */
export function e2eKubeconfig(): string {
  const path = process.env.MESHLENS_E2E_KUBECONFIG;
  if (!path) throw new Error('MESHLENS_E2E_KUBECONFIG is not set: run through e2e/playwright.config.ts');
  return path;
}

/** A namespace of a spec's own (created if missing), for objects no other spec sees. */
export const createNamespace = (kubeconfig: string, name: string) =>
  new Kube(kubeconfig).createNamespace(name);
export const deleteNamespace = (kubeconfig: string, name: string) =>
  new Kube(kubeconfig).deleteNamespace(name);
