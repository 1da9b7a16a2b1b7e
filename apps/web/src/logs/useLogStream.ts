/**
 * One container's log, read from the console's streaming route (NDJSON events): the lines so far (at most
 * MAX_LINES, oldest dropped), and whether the stream is loading, open (following), ended or failed.
 * Changing any parameter closes the old stream (the server then frees the cluster's) and opens a new one.
 */
import { useEffect, useState } from 'react';
import { LogStreamEventSchema, podLogsPath, type LogStreamEvent } from '@meshlens/contract';
import { requestStream } from '../api/client';
import { makeLine, splitNdjson, type LogLine } from './lines';

/** Lines kept per stream in the browser. */
export const MAX_LINES = 5000;

export interface StreamParams {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  tailLines: number;
}

export interface StreamState {
  lines: LogLine[];
  status: 'loading' | 'open' | 'ended' | 'error';
  /** The error, or why the stream ended (the server's `end` event). */
  message?: string;
}

async function readStream(p: StreamParams, signal: AbortSignal, onEvents: (e: LogStreamEvent[]) => void) {
  // the one request helper's streaming variant: a 401 (session ended) leads to sign-in as everywhere
  const reader = await requestStream(podLogsPath(p.namespace, p.pod), {
    query: { container: p.container, tailLines: p.tailLines, follow: p.follow },
    signal,
    accept: 'application/x-ndjson',
  });
  const decoder = new TextDecoder();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    const split = splitNdjson(rest, decoder.decode(value, { stream: true }));
    rest = split.rest;
    const events = split.records.flatMap((r) => {
      const e = LogStreamEventSchema.safeParse(JSON.parse(r));
      return e.success ? [e.data] : [];
    });
    if (events.length) onEvents(events);
  }
}

/**
 * The logs of several containers of one pod, one stream each; `states[container]`. Streams restart when
 * the pod, the set of containers, follow or tailLines change.
 */
export function useLogStreams(
  namespace: string,
  pod: string,
  containers: readonly string[],
  follow: boolean,
  tailLines: number,
): Record<string, StreamState> {
  const [states, setStates] = useState<Record<string, StreamState>>({});
  const key = containers.join(',');
  useEffect(() => {
    const abort = new AbortController();
    const list = key ? key.split(',') : [];
    setStates(Object.fromEntries(list.map((c) => [c, { lines: [], status: 'loading' } as StreamState])));
    for (const container of list) {
      const source = `${pod}/${container}`;
      let seq = 0;
      const update = (f: (s: StreamState) => StreamState) =>
        setStates((all) => ({ ...all, [container]: f(all[container] ?? { lines: [], status: 'loading' }) }));
      readStream({ namespace, pod, container, follow, tailLines }, abort.signal, (events) => {
        const added: LogLine[] = [];
        let end: string | undefined;
        for (const e of events) {
          if (e.kind === 'line') added.push(makeLine(source, container, e.time, e.text, seq++));
          else end = e.message;
        }
        update((s) => {
          const lines = added.length ? [...s.lines, ...added].slice(-MAX_LINES) : s.lines;
          return end !== undefined ? { lines, status: 'ended', message: end } : { lines, status: 'open' };
        });
      })
        .then(() => update((s) => (s.status === 'ended' ? s : { ...s, status: 'ended' })))
        .catch((err: unknown) => {
          if (!abort.signal.aborted)
            update((s) => ({ ...s, status: 'error', message: (err as Error).message }));
        });
    }
    return () => abort.abort();
  }, [namespace, pod, key, follow, tailLines]);
  return states;
}
