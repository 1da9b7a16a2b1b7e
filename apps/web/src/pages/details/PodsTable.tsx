import type { PodDetail } from '@meshlens/contract';

/** Pods: status, containers (ready, restarts, state), the sidecar's Istio version. */
export function PodsTable({ pods }: { pods: PodDetail[] }) {
  if (pods.length === 0) return <p className="muted">No pods.</p>;
  return (
    <table className="detail-table" data-testid="pods">
      <thead>
        <tr>
          <th scope="col">Pod</th>
          <th scope="col">Status</th>
          <th scope="col">Containers</th>
          <th scope="col">Restarts</th>
          <th scope="col">Proxy</th>
        </tr>
      </thead>
      <tbody>
        {pods.map((p) => (
          <tr key={p.name}>
            <td>{p.name}</td>
            <td>
              <span className={p.ready ? 'valid' : 'invalid'}>
                {p.phase}
                {p.ready ? '' : ', not ready'}
              </span>
            </td>
            <td>
              {p.containers.map((c) => (
                <span key={c.name} className="chip" title={[c.image, c.state].filter(Boolean).join('\n')}>
                  {c.ready ? '●' : '○'} {c.name}
                </span>
              ))}
            </td>
            <td>{p.restarts}</td>
            <td>{p.proxyVersion ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
