import { AnswerAssembler } from './answerPieces';
import type { AnswerPiece } from './answerPieces';
import { answerError, apiUrl, ApiError, request, searchParams } from './client';
import type { AnswerMemo, Query } from './client';
import { mark } from '../perf/marks';

export type FetchRequest =
  | {
      id: number;
      abort?: undefined;
      url: string;
      /** With `reuse`: the answers of this slot are compared, text to text, with the last one. */
      slot?: string;
      /** The request whose answer the page holds: if the slot's last text is its and the same, `same`. */
      holds?: number;
    }
  | { id: number; abort: true };
export type FetchReply = { id: number } & (
  | { kind: 'piece'; piece: AnswerPiece }
  | { kind: 'same' }
  | { kind: 'http-error'; status: number; statusText: string; text: string }
  | { kind: 'invalid'; status: number }
  | { kind: 'network-error'; message: string }
);

/** undefined: not started yet; null: no worker here (tests, or it failed to start). */
let worker: Worker | null | undefined;
const pending = new Map<number, { onReply: (reply: FetchReply) => void; onLost: () => void }>();
let nextId = 1;

function fetchWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (typeof Worker === 'undefined') return (worker = null);
  try {
    const w = new Worker(new URL('./fetch.worker.ts', import.meta.url), { type: 'module' });
    w.addEventListener('message', (event: MessageEvent<FetchReply>) =>
      pending.get(event.data.id)?.onReply(event.data),
    );
    // the worker could not start or died: what it had in hand is asked again on the main thread
    w.addEventListener('error', () => {
      worker = null;
      const lost = [...pending.values()];
      pending.clear();
      for (const p of lost) p.onLost();
    });
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/**
 * Starts the fetch worker ahead of the first request (its script loads and compiles meanwhile: a few
 * hundred ms the graph request would otherwise wait, on these machines).
 */
export function startFetchWorker(): void {
  fetchWorker();
}

export interface WorkerRequestOptions {
  query?: Query | URLSearchParams;
  signal?: AbortSignal;
  /** The last answer: an answer with the same text is that value again (the same object). */
  reuse?: AnswerMemo;
}

/**
 * A GET of a large JSON answer (the graph) fetched, decoded and parsed in a Web Worker, handed over in
 * pieces (see answerPieces.ts): the main thread never spends hundreds of ms on one answer. Errors are
 * those of `request` (which it falls back to where there is no worker).
 */
export function requestInWorker<T>(path: string, options: WorkerRequestOptions = {}): Promise<T> {
  const w = fetchWorker();
  const fallback = () => request<T>('GET', path, options);
  if (!w) return fallback();
  const { signal, reuse } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    const assembler = new AnswerAssembler();
    const done = () => {
      pending.delete(id);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      w.postMessage({ id, abort: true } satisfies FetchRequest);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort);
    pending.set(id, {
      onLost: () => {
        done();
        fallback().then(resolve, reject);
      },
      onReply: (reply) => {
        switch (reply.kind) {
          case 'piece':
            if (!assembler.add(reply.piece)) return;
            done();
            {
              mark(`meshlens:answer ${path}`);
              const value = assembler.result() as T;
              if (reuse) {
                reuse.value = value;
                reuse.id = id;
              }
              resolve(value);
            }
            return;
          case 'same':
            done();
            resolve(reuse?.value as T);
            return;
          case 'http-error':
            done();
            reject(answerError(path, reply.status, reply.statusText, reply.text));
            return;
          case 'invalid':
            done();
            reject(new ApiError(reply.status, 'HttpError', `Empty or invalid JSON from ${path}`));
            return;
          case 'network-error':
            done();
            reject(new ApiError(0, 'NetworkError', `The console server did not answer (${reply.message})`));
            return;
        }
      },
    });
    const url = new URL(apiUrl(path, searchParams(options.query)), document.baseURI).href;
    // for the benches: when the request left and its answer was whole (the worker's fetch is not in
    // the page's resource timing)
    mark(`meshlens:request ${path}`);
    w.postMessage({
      id,
      url,
      ...(reuse ? { slot: path, holds: reuse.value !== undefined ? reuse.id : undefined } : {}),
    } satisfies FetchRequest);
  });
}
