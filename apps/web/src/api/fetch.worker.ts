/// <reference lib="webworker" />
import { splitAnswer } from './answerPieces';
import { fetchText } from './fetchText';
import type { FetchReply, FetchRequest } from './workerFetch';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const running = new Map<number, AbortController>();
/** Per slot, the last answer parsed and the request it answered (see FetchRequest.holds). */
const last = new Map<string, { id: number; text: string }>();

const reply = (message: FetchReply) => scope.postMessage(message);

/** Fetches, decodes and parses a large JSON answer off the main thread; sends it in pieces. */
scope.onmessage = async (event: MessageEvent<FetchRequest>) => {
  const request = event.data;
  if (request.abort) {
    running.get(request.id)?.abort();
    return;
  }
  const { id, url, slot, holds } = request;
  const controller = new AbortController();
  running.set(id, controller);
  try {
    const res = await fetchText(url, controller.signal);
    const { text } = res;
    if (!res.ok) {
      reply({ id, kind: 'http-error', status: res.status, statusText: res.statusText, text });
      return;
    }
    const before = slot === undefined ? undefined : last.get(slot);
    if (before && holds !== undefined && before.id === holds && before.text === text) {
      reply({ id, kind: 'same' });
      return;
    }
    let value: unknown;
    try {
      value = text ? JSON.parse(text) : undefined;
    } catch {
      value = undefined;
    }
    if (value === undefined) {
      reply({ id, kind: 'invalid', status: res.status });
      return;
    }
    if (slot !== undefined) last.set(slot, { id, text });
    for (const piece of splitAnswer(value)) reply({ id, kind: 'piece', piece });
  } catch (err) {
    if (!controller.signal.aborted) reply({ id, kind: 'network-error', message: String(err) });
  } finally {
    running.delete(id);
  }
};
