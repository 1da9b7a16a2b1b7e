import type { ReactNode } from 'react';

export function fmtShare(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '–' : `${v.toFixed(0)} %`;
}

/** A labelled input (label wraps the control so getByLabel finds it). */
export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="wz-field">
      <span className="wz-label">{label}</span>
      {children}
      {hint && <span className="muted small">{hint}</span>}
    </label>
  );
}

/** '' → undefined, else the number. */
export function num(s: string): number | undefined {
  return s.trim() === '' ? undefined : Number(s);
}

/** Drops undefined fields and empty objects, so optional sections are left out of the intent. */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') out[k] = v;
  return Object.keys(out).length > 0 ? (out as Partial<T>) : undefined;
}
