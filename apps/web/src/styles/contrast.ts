/** WCAG 2 contrast (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio) of CSS colours. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** `#rgb`, `#rrggbb`, `#rrggbbaa`, `rgb(…)`/`rgba(…)` (comma or space separated). */
export function parseColor(text: string): Rgba {
  const s = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(s)?.[1];
  if (hex) {
    const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
    const byte = (i: number) => parseInt(full.slice(i, i + 2), 16);
    return { r: byte(0), g: byte(2), b: byte(4), a: full.length === 8 ? byte(6) / 255 : 1 };
  }
  const fn = /^rgba?\(([^)]+)\)$/.exec(s)?.[1];
  if (fn) {
    const [r = 0, g = 0, b = 0, a = 1] = fn
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map((p) => (p.endsWith('%') ? Number(p.slice(0, -1)) / 100 : Number(p)));
    return { r, g, b, a };
  }
  throw new Error(`not a colour: ${text}`);
}

/** `top` drawn with `alpha` (and its own alpha) over an opaque `bottom`. */
export function blend(top: Rgba, bottom: Rgba, alpha = 1): Rgba {
  const a = top.a * alpha;
  const mix = (x: number, y: number) => x * a + y * (1 - a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

function luminance({ r, g, b }: Rgba): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** 1…21; `fg` may be translucent (it is blended over the opaque `bg`). */
export function contrastRatio(fg: Rgba, bg: Rgba): number {
  const a = luminance(blend(fg, bg));
  const b = luminance(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
