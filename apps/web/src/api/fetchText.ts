/**
 * A GET of `url` as the graph's fetch worker makes it (api/fetch.worker.ts, off the main thread): the
 * answer's status and text, whatever the status (the page turns a failure into an ApiError). A module
 * without imports: the worker's chunk stays a few kB, compiled in a few ms before the graph request goes
 * out (with client.ts and the contract's schemas it was 126 kB, ~0.2 s of start-up in the request's path).
 */
export async function fetchText(
  url: string,
  signal: AbortSignal,
): Promise<{ ok: boolean; status: number; statusText: string; text: string }> {
  const res = await fetch(url, {
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
    signal,
  });
  return { ok: res.ok, status: res.status, statusText: res.statusText, text: await res.text() };
}
