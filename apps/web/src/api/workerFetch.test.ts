import { afterEach, describe, expect, it, vi } from 'vitest';

/** A stand-in for the browser's Worker: counts how many were started. */
class FakeWorker {
  static started = 0;
  static last: FakeWorker | undefined;
  readonly posted: unknown[] = [];
  constructor(
    readonly url: URL,
    readonly options: WorkerOptions,
  ) {
    FakeWorker.started++;
    FakeWorker.last = this;
  }
  addEventListener(): void {}
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
  FakeWorker.started = 0;
  FakeWorker.last = undefined;
});

describe('the fetch worker', () => {
  it('starts ahead of the first request, once, and serves that request', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    vi.stubGlobal('document', { baseURI: 'http://127.0.0.1:1/', getElementById: () => null });
    const { requestInWorker, startFetchWorker } = await import('./workerFetch');
    startFetchWorker();
    expect(FakeWorker.started).toBe(1);
    const ahead = FakeWorker.last;
    startFetchWorker();
    void requestInWorker('/api/graph', { query: { namespaces: 'a' } });
    // the request went to the worker started ahead, not to a new one
    expect(FakeWorker.started).toBe(1);
    expect(ahead?.posted).toEqual([
      expect.objectContaining({ url: expect.stringContaining('/api/graph?namespaces=a') as unknown }),
    ]);
  });

  it('does nothing where there are no workers (the request then falls back to the main thread)', async () => {
    vi.stubGlobal('Worker', undefined);
    const { startFetchWorker } = await import('./workerFetch');
    expect(() => startFetchWorker()).not.toThrow();
    expect(FakeWorker.started).toBe(0);
  });
});
