import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

const PLURALS: Record<string, string> = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
};

/** A tiny Kubernetes REST client for the tests: the API URL and token come from the kubeconfig. */
export class Kube {
  private readonly server: string;
  private readonly token: string | undefined;

  constructor(kubeconfigPath: string) {
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

  private path(obj: KubeObject, namespace: string, name?: string): string {
    const plural = PLURALS[obj.kind];
    if (!plural) throw new Error(`no plural known for ${obj.kind}`);
    return `${this.server}/apis/${obj.apiVersion}/namespaces/${namespace}/${plural}${name ? `/${name}` : ''}`;
  }

  private async request(method: string, url: string, body?: unknown): Promise<Response> {
    return fetch(url, {
      method,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Creates the object, or replaces it when it exists. */
  async apply(obj: KubeObject, namespace: string): Promise<void> {
    const existing = await this.request('GET', this.path(obj, namespace, obj.metadata.name));
    const body = { ...obj, metadata: { ...obj.metadata, namespace } };
    let res: Response;
    if (existing.ok) {
      const current = (await existing.json()) as KubeObject;
      body.metadata.resourceVersion = current.metadata.resourceVersion;
      res = await this.request('PUT', this.path(obj, namespace, obj.metadata.name), body);
    } else {
      res = await this.request('POST', this.path(obj, namespace), body);
    }
    if (!res.ok) throw new Error(`${obj.kind} ${obj.metadata.name}: HTTP ${res.status} ${await res.text()}`);
  }

  async delete(obj: KubeObject, namespace: string): Promise<void> {
    const res = await this.request('DELETE', this.path(obj, namespace, obj.metadata.name));
    if (!res.ok && res.status !== 404)
      throw new Error(`delete ${obj.kind} ${obj.metadata.name}: HTTP ${res.status}`);
  }
}

/** Reads every object of a multi-document YAML file under data/istio/bookinfo/. */
export function bookinfoObjects(file: string): KubeObject[] {
  const text = readFileSync(new URL(`../../data/istio/bookinfo/${file}`, import.meta.url), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object');
}
