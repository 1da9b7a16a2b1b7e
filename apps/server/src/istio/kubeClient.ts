/**
 * The few Kubernetes calls the Istio writes need, over @kubernetes/client-node's KubernetesObjectApi
 * (discovery maps kinds to paths). Objects come back as plain JSON; API errors as KubeApiError with the
 * Status fields the routes map to 404 / 409 / 422.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { DEFAULT_KUBE_TIMEOUT_MS, KubeTimeoutError, makeObjectApi, strictFieldValidation } from '../kubeApi';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  spec?: unknown;
  [k: string]: unknown;
}

/**
 * The field manager of every write the console makes (`metadata.managedFields[].manager`): the change
 * history (history/) tells the console's own writes from others' by it.
 */
export const FIELD_MANAGER = 'meshlens';

export interface ObjectKey {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface WriteOptions {
  dryRun?: boolean;
}

export interface IstioKubeClient {
  /**
   * Every object of a kind in a namespace, or in all namespaces when `namespace` is undefined (read in
   * pages of LIST_PAGE_SIZE). A kind the cluster does not serve → KubeApiError 404.
   */
  list(apiVersion: string, kind: string, namespace?: string): Promise<KubeObject[]>;
  /** undefined when the object does not exist. */
  get(key: ObjectKey): Promise<KubeObject | undefined>;
  create(obj: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** Update; `metadata.resourceVersion` is the precondition (stale → KubeApiError 409). */
  replace(obj: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** Delete, with an optional resourceVersion precondition. */
  delete(key: ObjectKey, options?: WriteOptions & { resourceVersion?: string }): Promise<void>;
}

export interface KubeCause {
  field?: string;
  message?: string;
  reason?: string;
}

/** A Kubernetes API error: HTTP status plus the Status object's reason, message and causes. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
    readonly causes: KubeCause[] = [],
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** ApiException (or a network failure) → KubeApiError; status 0 = the API server did not answer. */
export function toKubeApiError(err: unknown): unknown {
  if (err instanceof KubeApiError) return err;
  // The request's deadline passed (kubeApi.ts): the API server is hung or too slow.
  if (err instanceof KubeTimeoutError) return new KubeApiError(0, err.message, 'Timeout');
  const e = err as { code?: unknown; body?: unknown; message?: string };
  if (typeof e?.code === 'number' && e.code >= 100) {
    let body = e.body as unknown;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        /* keep the text */
      }
    }
    const status = (body ?? {}) as { message?: string; reason?: string; details?: { causes?: KubeCause[] } };
    return new KubeApiError(
      e.code,
      status.message ?? (typeof body === 'string' && body ? body : `Kubernetes answered ${e.code}`),
      status.reason,
      status.details?.causes ?? [],
    );
  }
  const code = (err as { code?: unknown; name?: string } | undefined)?.code;
  const network =
    (typeof code === 'string' && /^E[A-Z]+/.test(code)) ||
    ['FetchError', 'AbortError'].includes((err as Error)?.name ?? '');
  return network ? new KubeApiError(0, `Kubernetes API unreachable: ${e?.message ?? String(err)}`) : err;
}

/** What the client serialises: server-set timestamps dropped (the typed serializer wants Dates there). */
function outgoing(o: KubeObject): KubernetesObject {
  const { creationTimestamp: _c, deletionTimestamp: _d, managedFields: _m, ...metadata } = o.metadata;
  return { ...o, metadata } as KubernetesObject;
}

/** Plain JSON (client-node may hand back Dates). */
const plain = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toKubeApiError(err);
  }
}

const header = (key: ObjectKey): KubernetesObject & { metadata: { name: string; namespace: string } } => ({
  apiVersion: key.apiVersion,
  kind: key.kind,
  metadata: { name: key.name, namespace: key.namespace },
});

/** Objects per list page. */
export const LIST_PAGE_SIZE = 500;

export function istioKubeClient(
  kc: KubeConfig,
  options: {
    pageSize?: number;
    /** Deadline of each request, ms. */ timeoutMs?: number;
    /** Added to every request (impersonation). */ headers?: readonly [string, string][];
  } = {},
): IstioKubeClient {
  // Writes ask for fieldValidation=Strict (kubectl's default): an unknown field is refused, not dropped.
  const api = makeObjectApi(
    kc,
    options.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS,
    [strictFieldValidation],
    options.headers,
  );
  const dry = (o?: WriteOptions) => (o?.dryRun ? 'All' : undefined);
  const limit = options.pageSize ?? LIST_PAGE_SIZE;
  return {
    list: (apiVersion, kind, namespace) =>
      call(async () => {
        const items: KubeObject[] = [];
        let token: string | undefined;
        do {
          let page;
          try {
            page = await api.list(
              apiVersion,
              kind,
              namespace,
              undefined,
              undefined,
              undefined,
              undefined,
              undefined,
              limit,
              token,
            );
          } catch (err) {
            // Discovery found the group but not this kind: the CRD is not installed.
            if (err instanceof Error && /^Unrecognized API version and kind/.test(err.message))
              throw new KubeApiError(404, err.message, 'NotFound');
            throw err;
          }
          items.push(...(plain(page.items) as unknown as KubeObject[]));
          // `_continue` when client-node typed the list, `continue` when it passed the JSON through.
          const meta = page.metadata as { _continue?: string; continue?: string } | undefined;
          token = meta?._continue || meta?.continue || undefined;
        } while (token);
        return items;
      }),
    async get(key) {
      try {
        return plain(await call(() => api.read(header(key)))) as unknown as KubeObject;
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return undefined;
        throw err;
      }
    },
    create: (obj, o) =>
      call(async () =>
        plain(await api.create(outgoing(obj), undefined, dry(o), FIELD_MANAGER)),
      ) as Promise<KubeObject>,
    replace: (obj, o) =>
      call(async () =>
        plain(await api.replace(outgoing(obj), undefined, dry(o), FIELD_MANAGER)),
      ) as Promise<KubeObject>,
    async delete(key, o) {
      await call(() =>
        api.delete(
          header(key),
          undefined,
          dry(o),
          undefined,
          undefined,
          undefined,
          o?.resourceVersion ? { preconditions: { resourceVersion: o.resourceVersion } } : undefined,
        ),
      );
    },
  };
}
