import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blend, contrastRatio, parseColor } from './contrast';
import type { Rgba } from './contrast';

/**
 * WCAG AA for both themes, from the colours theme.css defines: 4.5:1 for text, 3:1 for graphics that
 * carry meaning (edges, node and box borders, health and status dots, input borders). Each pair is a
 * colour and a background it is actually drawn on (the e2e spec theme-contrast checks rendered pages).
 */
const css = readFileSync(new URL('./theme.css', import.meta.url), 'utf8');

function block(selector: string): Map<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`theme.css has no ${selector} block`);
  const body = css.slice(start, css.indexOf('}', start));
  return new Map([...body.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1]!, m[2]!.trim()]));
}

const light = block(':root');
const themes = { light, dark: new Map([...light, ...block("[data-theme='dark']")]) };
type ThemeVars = Map<string, string>;

function resolve(vars: ThemeVars, name: string, seen: string[] = []): string {
  const value = vars.get(name);
  if (value === undefined) throw new Error(`${name} is not defined`);
  const ref = /^var\((--[\w-]+)\)$/.exec(value)?.[1];
  if (!ref) return value;
  if (seen.includes(ref)) throw new Error(`${name}: circular`);
  return resolve(vars, ref, [...seen, name]);
}
const color = (vars: ThemeVars, name: string): Rgba => parseColor(resolve(vars, name));

/** A background: a variable, or a variable drawn translucent over another (the graph's namespace boxes). */
type Bg = string | { over: string; fill: string; alpha: number };
const BOX_INTERIOR: Bg = { fill: '--graph-box-fill', alpha: 0.7, over: '--graph-bg' }; // stylesheet.ts
const bgColor = (vars: ThemeVars, bg: Bg): Rgba =>
  typeof bg === 'string' ? color(vars, bg) : blend(color(vars, bg.fill), color(vars, bg.over), bg.alpha);
const bgName = (bg: Bg) => (typeof bg === 'string' ? bg : `${bg.fill}@${bg.alpha} over ${bg.over}`);

const TEXT = 4.5;
const GRAPHIC = 3;
const PAIRS: { what: string; fg: string[]; bg: Bg[]; min: number }[] = [
  {
    what: 'page text',
    fg: ['--text', '--text-muted', '--accent'],
    bg: ['--bg', '--surface', '--surface-2', '--accent-soft'],
    min: TEXT,
  },
  { what: 'text on warnings and errors', fg: ['--text'], bg: ['--warning-bg', '--danger-bg'], min: TEXT },
  { what: 'primary buttons', fg: ['--accent-contrast'], bg: ['--accent'], min: TEXT },
  { what: 'error text', fg: ['--danger'], bg: ['--surface', '--surface-2', '--danger-bg'], min: TEXT },
  {
    what: 'warning text',
    fg: ['--warning-text'],
    bg: ['--surface', '--surface-2', '--warning-bg'],
    min: TEXT,
  },
  { what: 'masthead', fg: ['--masthead-text'], bg: ['--masthead'], min: TEXT },
  { what: 'navigation', fg: ['--sidebar-text'], bg: ['--sidebar', '--sidebar-active'], min: TEXT },
  {
    what: 'input borders and focus',
    fg: ['--border-strong', '--accent'],
    bg: ['--surface', '--surface-2'],
    min: GRAPHIC,
  },
  {
    what: 'health and status dots',
    fg: ['--graph-healthy', '--graph-degraded', '--graph-failure', '--success', '--danger'],
    bg: ['--surface', '--surface-2'],
    min: GRAPHIC,
  },
  {
    what: 'graph labels',
    fg: ['--graph-text', '--graph-text-muted'],
    bg: ['--graph-bg', '--graph-text-outline', BOX_INTERIOR],
    min: TEXT,
  },
  {
    what: 'graph edges and node borders',
    fg: [
      '--graph-node-border',
      '--graph-healthy',
      '--graph-degraded',
      '--graph-failure',
      '--graph-idle',
      '--graph-tcp',
      '--graph-selected',
    ],
    bg: ['--graph-bg', BOX_INTERIOR],
    min: GRAPHIC,
  },
  { what: 'namespace box borders', fg: ['--graph-box-border'], bg: ['--graph-bg'], min: GRAPHIC },
  {
    what: 'YAML editor',
    fg: [
      '--code-text',
      '--code-key',
      '--code-string',
      '--code-comment',
      '--code-type',
      '--code-label',
      '--danger',
    ],
    bg: ['--code-bg', '--code-active-line'],
    min: TEXT,
  },
  { what: 'editor gutter', fg: ['--code-gutter-text'], bg: ['--code-gutter-bg'], min: TEXT },
  {
    what: 'editor active gutter and selection',
    fg: ['--text'],
    bg: ['--code-active-gutter', '--code-selection'],
    min: TEXT,
  },
];

describe.each(Object.entries(themes))('the %s theme', (name, vars) => {
  it('reaches WCAG AA for every colour on every background it is drawn on', () => {
    const failures: string[] = [];
    for (const pair of PAIRS)
      for (const fg of pair.fg)
        for (const bg of pair.bg) {
          const ratio = contrastRatio(color(vars, fg), bgColor(vars, bg));
          if (ratio < pair.min)
            failures.push(`${pair.what}: ${fg} on ${bgName(bg)} is ${ratio.toFixed(2)}:1 < ${pair.min}:1`);
        }
    expect(failures, `${name} theme`).toEqual([]);
  });

  it('defines every colour of the graph palette and the editor', () => {
    for (const v of [...vars.keys()].filter((k) => /^--(graph|code)-/.test(k)))
      expect(() => color(vars, v), v).not.toThrow();
  });
});

describe('contrast ratio', () => {
  it('matches WCAG reference values', () => {
    expect(contrastRatio(parseColor('#000'), parseColor('#fff'))).toBeCloseTo(21, 5);
    expect(contrastRatio(parseColor('#777777'), parseColor('#ffffff'))).toBeCloseTo(4.48, 2);
    expect(contrastRatio(parseColor('rgba(0, 0, 0, 0.5)'), parseColor('#ffffff'))).toBeCloseTo(3.95, 1);
  });
});
