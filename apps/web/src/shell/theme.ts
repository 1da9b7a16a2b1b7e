import { useLayoutEffect, useState, useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';
const KEY = 'meshlens.theme';

function initialTheme(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/**
 * Light/dark theme on <html data-theme>, remembered per browser (a preference, not part of a view).
 * The attribute is set in a layout effect, before any component's effects run: those that read the
 * theme's CSS variables (the graph's palette, the charts) then read the new theme's, not the old one's.
 */
export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(KEY, theme);
  }, [theme]);
  return [theme, () => setTheme((t) => (t === 'light' ? 'dark' : 'light'))];
}

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}
const current = () => document.documentElement.dataset.theme ?? 'light';

/** The theme in force, for components that draw with CSS variables on a canvas (they redraw on a change). */
export function useThemeName(): string {
  return useSyncExternalStore(subscribe, current, () => 'light');
}
