/**
 * Istio's label sets (METRICS.md §2), rendered once per peer and reused for every sample.
 * A "fragment" is the rendered text of the source_* (8 labels) or destination_* (11 labels) part.
 */

export const SOURCE_LABELS = [
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_cluster',
] as const;

export const DESTINATION_LABELS = [
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_service_name',
  'destination_service_namespace',
  'destination_cluster',
] as const;

export const PEER_LABELS = ['reporter', ...SOURCE_LABELS, ...DESTINATION_LABELS] as const;
export const HTTP_LABELS = [
  ...PEER_LABELS,
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;
export const TCP_LABELS = [
  ...PEER_LABELS,
  'request_protocol',
  'response_flags',
  'connection_security_policy',
] as const;

export type SourceValues = Record<(typeof SOURCE_LABELS)[number], string>;
export type DestinationValues = Record<(typeof DESTINATION_LABELS)[number], string>;

export const UNKNOWN = 'unknown';
/** The filter writes `latest`, not `unknown`, for a remote peer's missing canonical revision. */
export const LATEST = 'latest';

export interface Fragment {
  readonly id: number;
  readonly text: string;
}

export function escapeLabelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

export function renderLabels(names: readonly string[], values: Record<string, string>): string {
  let out = '';
  for (const n of names) out += `${out ? ',' : ''}${n}="${escapeLabelValue(values[n] ?? '')}"`;
  return out;
}

/** Interns fragments so that equal label text gets one small id (series keys use the ids). */
export class FragmentTable {
  private readonly byText = new Map<string, Fragment>();

  source(values: SourceValues): Fragment {
    return this.intern(renderLabels(SOURCE_LABELS, values));
  }

  destination(values: DestinationValues): Fragment {
    return this.intern(renderLabels(DESTINATION_LABELS, values));
  }

  private intern(text: string): Fragment {
    let f = this.byText.get(text);
    if (!f) {
      f = { id: this.byText.size, text };
      this.byText.set(text, f);
    }
    return f;
  }
}

export const UNKNOWN_SOURCE: SourceValues = {
  source_workload: UNKNOWN,
  source_canonical_service: UNKNOWN,
  source_canonical_revision: LATEST,
  source_workload_namespace: UNKNOWN,
  source_principal: UNKNOWN,
  source_app: UNKNOWN,
  source_version: UNKNOWN,
  source_cluster: UNKNOWN,
};
