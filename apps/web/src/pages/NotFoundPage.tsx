import { Link } from 'wouter';
import { useGlobalSearch } from '../url/useView';

/** An address no page answers: say so plainly and point to the graph. */
export function NotFoundPage() {
  const search = useGlobalSearch();
  return (
    <section className="page">
      <div className="page-header">
        <h1>Page not found</h1>
      </div>
      <div className="empty-state">
        <h2>There is no page at this address.</h2>
        <p>Check the address, or go to the traffic graph.</p>
        <Link className="button primary" href={`/graph${search}`}>
          Open the traffic graph
        </Link>
      </div>
    </section>
  );
}
