import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** A namespaced resource type of one of Istio's API groups, as the API server's discovery names it. */
export interface IstioKind {
  /** `networking.istio.io/v1` (the group's preferred version). */
  apiVersion: string;
  kind: string;
  plural: string;
}

/** A tiny Kubernetes REST client for the tests: the API URL and token come from the kubeconfig. */
export class Kube {
  private readonly server: string;
  private readonly token: string | undefined;
  private kinds: Promise<IstioKind[]> | undefined;

  /** The stack's kubeconfig by default (globalSetup names it in MESHLENS_E2E_KUBECONFIG). */
  constructor(kubeconfigPath = process.env.MESHLENS_E2E_KUBECONFIG) {
    if (!kubeconfigPath)
      throw new Error(
        'MESHLENS_E2E_KUBECONFIG is not set: run through e2e/playwright.config.ts (its globalSetup starts the stack)',
      );
    const config = parse(readFileSync(kubeconfigPath, 'utf8')) as {
      clusters: { cluster: { server: string } }[];
      users?: { user: { token?: string } }[];
    };
    const server = config.clusters[0]?.cluster.server;
    if (!server) throw new Error(`${kubeconfigPath} names no cluster server`);
    // The demo cluster answers plain HTTP on the port of its https URL (the kubeconfig names https so that
    // kubectl sends the token): fetch needs no CA that way.
    this.server = server.replace(/\/+$/, '').replace(/^https:/, 'http:');
    this.token = config.users?.[0]?.user.token;
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.server}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** GET of any API path, as JSON. */
  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  /**
   * Sets (or with null removes) an annotation of a Deployment's pod template: its pods are replaced, as
   * `kubectl patch` would do it (e.g. mesh-sim.meshlens.io/error-rate to make a version answer errors).
   */
  async setTemplateAnnotation(namespace: string, deployment: string, key: string, value: string | null) {
    const res = await fetch(`${this.server}/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/merge-patch+json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ spec: { template: { metadata: { annotations: { [key]: value } } } } }),
    });
    if (!res.ok)
      throw new Error(`patch deployment ${namespace}/${deployment}: HTTP ${res.status} ${await res.text()}`);
  }

  /** Every namespaced resource type of the *.istio.io groups the API server serves (from discovery). */
  istioKinds(): Promise<IstioKind[]> {
    this.kinds ??= (async () => {
      const { groups } = await this.json<{
        groups: { name: string; preferredVersion: { groupVersion: string } }[];
      }>('GET', '/apis');
      const kinds: IstioKind[] = [];
      for (const g of groups.filter((x) => x.name.endsWith('.istio.io'))) {
        const apiVersion = g.preferredVersion.groupVersion;
        const { resources } = await this.json<{
          resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
        }>('GET', `/apis/${apiVersion}`);
        for (const r of resources)
          if (r.namespaced && !r.name.includes('/') && r.verbs.includes('list') && r.verbs.includes('delete'))
            kinds.push({ apiVersion, kind: r.kind, plural: r.name });
      }
      if (!kinds.some((k) => k.kind === 'VirtualService'))
        throw new Error('the API server serves no VirtualService: are the Istio CRDs installed?');
      return kinds;
    })();
    return this.kinds;
  }

  private async kindOf(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): Promise<IstioKind> {
    const group = obj.apiVersion.split('/')[0];
    const kind = (await this.istioKinds()).find(
      (k) => k.kind === obj.kind && k.apiVersion.split('/')[0] === group,
    );
    if (!kind) throw new Error(`the API server serves no ${obj.kind} in ${group}`);
    return kind;
  }

  private collection(kind: IstioKind, namespace?: string): string {
    return `/apis/${kind.apiVersion}${namespace ? `/namespaces/${namespace}` : ''}/${kind.plural}`;
  }

  /** The objects of one kind, in every namespace (or in `namespace`). */
  /** Who the kubeconfig's credentials are, as the API server says (a SelfSubjectReview). */
  async whoami(): Promise<string> {
    const review = await this.json<{ status?: { userInfo?: { username?: string } } }>(
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    );
    const name = review.status?.userInfo?.username;
    if (!name) throw new Error(`the SelfSubjectReview named no user: ${JSON.stringify(review)}`);
    return name;
  }

  async list(kind: IstioKind, namespace?: string): Promise<KubeObject[]> {
    const { items } = await this.json<{ items: KubeObject[] }>('GET', this.collection(kind, namespace));
    return items.map((o) => ({ ...o, apiVersion: kind.apiVersion, kind: kind.kind }));
  }

  /** Creates the object, or replaces it when it exists. */
  async apply(obj: KubeObject, namespace: string): Promise<void> {
    const kind = await this.kindOf(obj);
    const path = `${this.collection(kind, namespace)}/${obj.metadata.name}`;
    const existing = await this.request('GET', path);
    const body = { ...obj, metadata: { ...obj.metadata, namespace } };
    if (existing.ok) {
      const current = (await existing.json()) as KubeObject;
      body.metadata.resourceVersion = current.metadata.resourceVersion;
      await this.json('PUT', path, body);
    } else {
      delete body.metadata.resourceVersion;
      await this.json('POST', this.collection(kind, namespace), body);
    }
  }

  /** Sets a Deployment's replicas (the cluster's controllers then add or remove its pods). */
  async scale(namespace: string, name: string, replicas: number): Promise<void> {
    const path = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
    const current = await this.json<KubeObject & { spec?: Record<string, unknown> }>('GET', path);
    await this.json('PUT', path, { ...current, spec: { ...current.spec, replicas } });
  }

  /** Deletes the object; one that is already gone is fine. */
  async delete(obj: KubeObject, namespace: string): Promise<void> {
    const kind = await this.kindOf(obj);
    const path = `${this.collection(kind, namespace)}/${obj.metadata.name}`;
    const res = await this.request('DELETE', path);
    if (!res.ok && res.status !== 404)
      throw new Error(`delete ${obj.kind} ${namespace}/${obj.metadata.name}: HTTP ${res.status}`);
  }

  /** Creates a namespace; one that already exists is fine. */
  async createNamespace(name: string): Promise<void> {
    const res = await this.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
    if (!res.ok && res.status !== 409)
      throw new Error(`create namespace ${name}: HTTP ${res.status} ${await res.text()}`);
  }

  /** Deletes a namespace; one that is already gone is fine. */
  async deleteNamespace(name: string): Promise<void> {
    const res = await this.request('DELETE', `/api/v1/namespaces/${name}`);
    if (!res.ok && res.status !== 404)
      throw new Error(`delete namespace ${name}: HTTP ${res.status} ${await res.text()}`);
  }
}

/** Reads every object of a multi-document YAML file under data/istio/bookinfo/. */
export function bookinfoObjects(file: string): KubeObject[] {
  const text = readFileSync(new URL(`../../data/istio/bookinfo/${file}`, import.meta.url), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object');
}
