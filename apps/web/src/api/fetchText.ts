import { GRAPH_GZIP_BODY } from '@meshlens/contract/constants';

/** Where the browser has it: the answer's gzip bytes are inflated here rather than by the browser. */
const canInflate = typeof DecompressionStream !== 'undefined';

/**
 * A GET of `url` as the graph's fetch worker makes it (api/fetch.worker.ts, off the main thread): the
 * answer's status and text, whatever the status (the page turns a failure into an ApiError). Only the
 * contract's zod-free constants are imported: the worker's chunk stays a few kB, compiled in a few ms
 * before the graph request goes out (with client.ts and the contract's schemas it was 126 kB, ~0.2 s of
 * start-up in the request's path).
 *
 * The graph may answer with its gzip bytes as the body (GRAPH_GZIP_BODY), which are inflated here with
 * DecompressionStream: about twice as fast in Chromium as its own decoding of a gzipped 10 MB answer.
 */
export async function fetchText(
  url: string,
  signal: AbortSignal,
): Promise<{ ok: boolean; status: number; statusText: string; text: string }> {
  const res = await fetch(url, {
    credentials: 'same-origin',
    headers: { accept: canInflate ? `${GRAPH_GZIP_BODY}, application/json;q=0.9` : 'application/json' },
    signal,
  });
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const gzipped = canInflate && res.body !== null && type === GRAPH_GZIP_BODY;
  const text = gzipped
    ? await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).text()
    : await res.text();
  return { ok: res.ok, status: res.status, statusText: res.statusText, text };
}
