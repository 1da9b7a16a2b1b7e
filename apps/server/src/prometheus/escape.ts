/** Escapes a value for a double-quoted PromQL string literal. */
export function escapePromString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes RE2 metacharacters so a value matches literally inside a regex matcher. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `label=~"a|b|c"` matching any of the values literally (Prometheus anchors regex matchers). */
export function anyOf(label: string, values: readonly string[]): string {
  return `${label}=~"${escapePromString(values.map(escapeRegex).join('|'))}"`;
}

export function eq(label: string, value: string): string {
  return `${label}="${escapePromString(value)}"`;
}
