import { Link } from 'wouter';
import { useGlobalSearch } from '../url/useView';

/** Pages that later work fills: say so plainly and point to what exists. */
export function PlaceholderPage({ title, notFound = false }: { title: string; notFound?: boolean }) {
  const search = useGlobalSearch();
  return (
    <section className="page">
      <div className="page-header">
        <h1>{title}</h1>
      </div>
      <div className="empty-state">
        <h2>{notFound ? 'There is no page at this address.' : `${title} is not built yet.`}</h2>
        <p>
          {notFound
            ? 'Check the address, or go to the traffic graph.'
            : 'This page is planned but not part of this version of meshlens. The traffic graph shows the mesh, its traffic and its health today.'}
        </p>
        <Link className="button primary" href={`/graph${search}`}>
          Open the traffic graph
        </Link>
      </div>
    </section>
  );
}
