import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The web app's sources (tests left out). */
const SRC = fileURLToPath(new URL('..', import.meta.url));
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
const offending = (pattern: RegExp, allowed: string[] = []) =>
  sources(SRC)
    .map((f) => relative(SRC, f))
    .filter((f) => !allowed.includes(f) && pattern.test(readFileSync(join(SRC, f), 'utf8')));

describe('the web data layer, one way', () => {
  it('calls fetch only in the request helper', () => {
    // fetchText.ts: the request helper's GET for the fetch worker, apart so the worker imports no schemas
    expect(offending(/(?<![\w.])fetch\(/, ['api/client.ts', 'api/fetchText.ts'])).toEqual([]);
  });

  it('writes no literal query keys (the key factories make them)', () => {
    expect(offending(/queryKey:\s*\[/)).toEqual([]);
  });
});
