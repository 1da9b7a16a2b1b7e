import { createServer } from 'node:net';

/** Asks the kernel for a free TCP port on `host` (loopback by default) and releases it at once. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not obtain a free port'))));
    });
  });
}

export interface WaitForHttpOptions {
  /** Accept only these statuses (default: any 2xx). */
  ok?: (status: number) => boolean;
  /** Poll interval in ms (default 100). */
  intervalMs?: number;
  /** Aborts the wait early, e.g. when the process that should answer has died. */
  signal?: AbortSignal;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Polls `url` with GET until it answers with an accepted status, or throws after `timeoutMs`
 * naming the URL and the last status or error seen.
 */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  options: WaitForHttpOptions = {},
): Promise<void> {
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  const interval = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (options.signal?.aborted)
      throw new Error(`stopped waiting for ${url}: ${String(options.signal.reason)}`);
    const remaining = deadline - Date.now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.max(200, Math.min(2000, remaining))) });
      await res.arrayBuffer().catch(() => undefined);
      if (ok(res.status)) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = errorText(err);
    }
    if (Date.now() + interval > deadline) {
      throw new Error(`${url} did not become ready within ${timeoutMs} ms (last: ${last})`);
    }
    await sleep(interval, options.signal);
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
