/**
 * TEMPORARY page: `/namespaces/:namespace/workloads/:name/logs` shows only LogsPanel, until the workload
 * detail page (its Logs tab) mounts the panel; then this route goes.
 */
import { useQuery } from '@tanstack/react-query';
import { workloadPodsPath, WorkloadPodsResponseSchema } from '@meshlens/contract';
import { fetchJson, shouldRetry } from '../api/client';
import { LogsPanel } from './LogsPanel';

export function WorkloadLogsPage({ namespace, name }: { namespace: string; name: string }) {
  const pods = useQuery({
    queryKey: ['logs', 'pods', namespace, name],
    queryFn: async ({ signal }) =>
      WorkloadPodsResponseSchema.parse(await fetchJson(workloadPodsPath(namespace, name), undefined, signal)),
    retry: shouldRetry,
  });
  return (
    <section className="page">
      <div className="page-header">
        <h1>
          Logs of {namespace}/{name}
        </h1>
      </div>
      {pods.error ? (
        <p className="log-empty" role="alert">
          Could not list the pods of {name}: {(pods.error as Error).message}
        </p>
      ) : pods.data ? (
        <LogsPanel namespace={namespace} workload={name} pods={pods.data.pods} />
      ) : (
        <div className="page-loading">Loading…</div>
      )}
    </section>
  );
}
