/**
 * The Istio Config list's filters, kept in the URL beside the global view settings (namespaces, …) so
 * that a reload, Back from an object's editor, or a shared link shows the same list.
 */
export const VALIDATION_FILTERS = ['valid', 'warning', 'error'] as const;
export type ValidationFilter = (typeof VALIDATION_FILTERS)[number];

export interface ConfigFilters {
  /** Istio kind (e.g. `VirtualService`), '' for all. */
  kind: string;
  /** Validation status, '' for any. */
  validation: '' | ValidationFilter;
  /** `ns/name` or `name` of a service the object touches, '' for any. */
  service: string;
}

export const NO_CONFIG_FILTERS: ConfigFilters = { kind: '', validation: '', service: '' };

/** URL parameter of each filter. */
const PARAM: Record<keyof ConfigFilters, string> = {
  kind: 'kind',
  validation: 'validation',
  service: 'service',
};

/** Reads the filters from a query string; an unknown validation value reads as "any". */
export function parseConfigFilters(search: string): ConfigFilters {
  const p = new URLSearchParams(search);
  const validation = p.get(PARAM.validation) ?? '';
  return {
    kind: (p.get(PARAM.kind) ?? '').trim(),
    validation: (VALIDATION_FILTERS as readonly string[]).includes(validation)
      ? (validation as ValidationFilter)
      : '',
    service: p.get(PARAM.service) ?? '',
  };
}

/** The query string with the filters patched in (empty ones removed) and every other parameter kept as is. */
export function withConfigFilters(search: string, patch: Partial<ConfigFilters>): string {
  const p = new URLSearchParams(search);
  for (const key of Object.keys(patch) as (keyof ConfigFilters)[]) {
    const value = patch[key];
    if (value) p.set(PARAM[key], value);
    else p.delete(PARAM[key]);
  }
  return p.toString().replace(/%2C/g, ',');
}
