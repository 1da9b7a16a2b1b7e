import { Readable } from 'node:stream';
import type { LogStreamEvent } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { pipeLogEvents, type LogSink } from './stream';

function sink(): LogSink & { events: () => LogStreamEvent[] } {
  const out: string[] = [];
  return {
    write: (chunk) => (out.push(chunk), true),
    destroyed: false,
    once: () => undefined,
    events: () =>
      out
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LogStreamEvent),
  };
}

describe('log lines to events', () => {
  it('a line of megabytes without a newline is held back only up to maxLineChars, then sent in parts', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const upstream = Readable.from(
      (function* () {
        yield Buffer.from('2026-01-02T03:04:05Z ');
        for (let i = 0; i < 80; i++) yield Buffer.from(chunk); // 5 MiB, one line
        yield Buffer.from('\n2026-01-02T03:04:06Z after\n');
      })(),
    );
    const s = sink();
    await pipeLogEvents(
      upstream,
      s,
      { maxLines: 1000, maxMs: 60_000, follow: false, maxLineChars: 100_000 },
      () => undefined,
    );
    const lines = s.events().filter((e) => e.kind === 'line');
    expect(Math.max(...lines.map((l) => (l.kind === 'line' ? l.text.length : 0)))).toBeLessThanOrEqual(
      100_000,
    );
    // nothing lost: the parts add up to the line
    const total = lines
      .slice(0, -1)
      .reduce((n, l) => n + (l.kind === 'line' ? l.text.length + l.time.length : 0), 0);
    expect(total).toBe('2026-01-02T03:04:05Z '.length - 1 + 80 * chunk.length);
    expect(lines.at(-1)).toEqual({ kind: 'line', time: '2026-01-02T03:04:06Z', text: 'after' });
    expect(s.events().at(-1)).toMatchObject({ kind: 'end', reason: 'complete' });
  });
});
