/**
 * index.html finds the base path of a build hosted without the meshlens server (static hosting, the
 * benches) from the first app route in the URL: every top-level route of the app must be in its list, or
 * a deep link to it loads the assets from the wrong folder and the page stays blank.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('index.html base path', () => {
  it('knows every top-level route of the app', () => {
    const list = /\^\(\.\*\?\\\/\)\(([a-z|]+)\)/.exec(read('../index.html'))?.[1]?.split('|') ?? [];
    expect(list.length).toBeGreaterThan(0);
    const app = read('../src/App.tsx');
    const routes = new Set([...app.matchAll(/path="\/([a-z]+)/g)].map((m) => m[1]!));
    expect(routes.size).toBeGreaterThan(5);
    expect([...routes].filter((r) => !list.includes(r))).toEqual([]);
  });
});
