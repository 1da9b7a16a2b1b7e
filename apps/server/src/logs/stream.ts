/**
 * Turns the API server's log text (`timestamps=true`: `RFC3339Nano TEXT` a line) into the console's NDJSON
 * events, bounded: at most `maxLines` lines and `maxMs` of streaming, and no faster than the client reads
 * (the upstream is not read while the response's buffer is full).
 */
import type { Readable } from 'node:stream';
import type { LogStreamEvent } from '@meshlens/contract';

export interface LogSink {
  /** false: the buffer is full, wait for `drain`. */
  write(chunk: string): boolean;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
}

export interface StreamBounds {
  maxLines: number;
  maxMs: number;
  follow: boolean;
  /** A longer line (a container may write megabytes without a newline) is sent in parts of this many characters. */
  maxLineChars?: number;
}

export const MAX_LINE_CHARS = 65_536;

/** `2026-01-02T03:04:05.123456789Z text` → a line event (a line without a time keeps it empty). */
export function lineEvent(raw: string): LogStreamEvent {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?(.*)$/.exec(raw);
  return m ? { kind: 'line', time: m[1]!, text: m[2]! } : { kind: 'line', time: '', text: raw };
}

const encode = (e: LogStreamEvent) => `${JSON.stringify(e)}\n`;

/**
 * Copies `upstream` to `sink` as events and ends with an `end` event; resolves when done. `stop` aborts
 * the upstream request (called when a bound ends the stream early).
 */
export async function pipeLogEvents(
  upstream: Readable,
  sink: LogSink,
  bounds: StreamBounds,
  stop: () => void,
): Promise<void> {
  let lines = 0;
  let rest = '';
  const maxLineChars = bounds.maxLineChars ?? MAX_LINE_CHARS;
  let ended: LogStreamEvent | undefined;
  const timer = setTimeout(() => {
    ended = {
      kind: 'end',
      reason: 'maxDuration',
      message: `the log was followed for ${Math.round(bounds.maxMs / 1000)} s, the most one request may; ask again to go on`,
    };
    upstream.destroy();
  }, bounds.maxMs);
  const send = async (event: LogStreamEvent) => {
    if (!sink.write(encode(event)) && !sink.destroyed)
      await new Promise<void>((resolve) => {
        sink.once('drain', resolve);
        sink.once('close', resolve);
      });
  };
  try {
    for await (const chunk of upstream) {
      const parts = (rest + (chunk as Buffer).toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      // What is held back for the newline stays bounded: a longer line goes on in parts.
      while (rest.length > maxLineChars) {
        parts.push(rest.slice(0, maxLineChars));
        rest = rest.slice(maxLineChars);
      }
      for (const raw of parts) {
        if (sink.destroyed) return;
        if (lines >= bounds.maxLines) {
          ended = {
            kind: 'end',
            reason: 'maxLines',
            message: `${bounds.maxLines} lines sent, the most one request carries; ask again with sinceSeconds to go on`,
          };
          break;
        }
        lines++;
        await send(lineEvent(raw));
      }
      if (ended || sink.destroyed) break;
    }
  } catch {
    // The upstream failed mid-stream (or was destroyed by a bound): end with what was sent.
  } finally {
    clearTimeout(timer);
    stop();
  }
  if (sink.destroyed) return;
  if (!ended && rest && lines < bounds.maxLines) await send(lineEvent(rest));
  await send(
    ended ?? {
      kind: 'end',
      reason: bounds.follow ? 'closed' : 'complete',
      message: bounds.follow ? 'the cluster ended the log stream' : `${lines} lines`,
    },
  );
}
