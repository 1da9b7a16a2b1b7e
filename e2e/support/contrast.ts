import type { Page } from '@playwright/test';

export interface ContrastFailure {
  /** Where: tag, id and classes of the element and two of its ancestors. */
  where: string;
  text: string;
  color: string;
  background: string;
  ratio: number;
  required: number;
}

/**
 * WCAG AA text contrast of what a page draws, from computed styles: every visible element with text of
 * its own (and every empty input's placeholder), its colour (with the opacity of it and its ancestors)
 * against the background its ancestors paint (translucent layers composited up to the first opaque one).
 * 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). Disabled controls are exempt, as WCAG says.
 * Canvas drawings (the graph, the charts) are not DOM text: check them from their own styles.
 */
export function auditContrast(page: Page, scope = 'body'): Promise<ContrastFailure[]> {
  return page.evaluate((rootSelector) => {
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return [0, 0, 0, 0];
      const p = m[1]!
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 1];
    };
    const over = (top: Rgba, bottom: Rgba, alpha = 1): Rgba => {
      const a = top[3] * alpha;
      return [0, 1, 2].map((i) => top[i]! * a + bottom[i]! * (1 - a)).concat(1) as Rgba;
    };
    const lum = (c: Rgba) => {
      const lin = (v: number) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
    };
    const ratio = (a: Rgba, b: Rgba) => {
      const [x, y] = [lum(a), lum(b)];
      return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
    };
    const background = (el: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let e: Element | null = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      // the page's canvas colour under everything (browsers paint white, or the dark scheme's)
      let result = parse(getComputedStyle(document.documentElement).backgroundColor);
      if (result[3] < 1) result = [255, 255, 255, 1];
      for (const layer of layers.reverse()) result = over(layer, result);
      return result;
    };
    const opacity = (el: Element) => {
      let o = 1;
      for (let e: Element | null = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
      return o;
    };
    const describe = (el: Element) => {
      const parts: string[] = [];
      for (let e: Element | null = el; e && parts.length < 3; e = e.parentElement)
        parts.unshift(
          `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${[...e.classList].map((c) => `.${c}`).join('')}`,
        );
      return parts.join(' > ');
    };
    const failures: ContrastFailure[] = [];
    const check = (el: Element, text: string, color: string) => {
      const style = getComputedStyle(el);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const required = large ? 3 : 4.5;
      const bg = background(el);
      const fg = over(parse(color), bg, opacity(el));
      const r = ratio(fg, bg);
      if (r < required)
        failures.push({
          where: describe(el),
          text: text.slice(0, 40),
          color,
          background: `rgb(${bg.slice(0, 3).map(Math.round).join(', ')})`,
          ratio: Math.round(r * 100) / 100,
          required,
        });
    };
    const root = document.querySelector(rootSelector);
    if (!root) throw new Error(`no ${rootSelector}`);
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (el.closest('[disabled], [aria-disabled="true"], option, script, style, canvas, svg')) continue;
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (rect.width === 0 || rect.height === 0 || style.visibility !== 'visible') continue;
      const own = [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      if (own) check(el, own, style.color);
      if (
        (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) &&
        el.placeholder &&
        !el.value
      )
        check(el, `placeholder: ${el.placeholder}`, getComputedStyle(el, '::placeholder').color);
      if (
        el instanceof HTMLSelectElement ||
        (el instanceof HTMLInputElement && el.value && el.type !== 'range')
      )
        check(
          el,
          el instanceof HTMLSelectElement ? `select: ${el.selectedOptions[0]?.text ?? ''}` : el.value,
          style.color,
        );
    }
    return failures;
  }, scope);
}
