/** Plain-HTTP helpers for the REST tests: JSON requests and a watch stream collector. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Rest {
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    base?: string,
  ): Promise<{ status: number; body: Json; headers: Headers }>;
  watch(path: string, base?: string): { events: Json[]; ended: Promise<void>; close: () => void };
}

/**
 * Requests against the cluster whose URL `defaultBase` returns (read at call time), as the user whose
 * bearer token `token` returns (none: anonymous).
 */
export function restClient(
  defaultBase: () => string,
  token: () => string | undefined = () => undefined,
): Rest {
  const auth = (): Record<string, string> => {
    const t = token();
    return t ? { Authorization: `Bearer ${t}` } : {};
  };
  async function api(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    base = defaultBase(),
  ): Promise<{ status: number; body: Json; headers: Headers }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...auth(), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {}, headers: res.headers };
  }

  /** Opens a watch and collects its events until closed. */
  function watch(
    path: string,
    base = defaultBase(),
  ): { events: Json[]; ended: Promise<void>; close: () => void } {
    const ac = new AbortController();
    const events: Json[] = [];
    const ended = (async () => {
      try {
        const res = await fetch(`${base}${path}`, { signal: ac.signal, headers: auth() });
        const reader = res.body?.getReader();
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const r = await reader?.read();
          if (!r || r.done) break;
          buf += dec.decode(r.value, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            events.push(JSON.parse(buf.slice(0, i)) as Json);
            buf = buf.slice(i + 1);
          }
        }
      } catch (e) {
        if ((e as Error).name !== 'AbortError') throw e;
      }
    })();
    return { events, ended, close: () => ac.abort() };
  }

  return { api, watch };
}

export const cm = (
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = {},
): Json => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});
