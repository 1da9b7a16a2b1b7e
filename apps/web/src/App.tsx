import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, Redirect, Route, Router, Switch, useLocation, useSearch } from 'wouter';
import { basePath, onUnauthorized } from './api/client';
import { authKeys, useAuthInfo } from './shell/auth';
import { SignInPage, signInHref } from './shell/SignInPage';
import { WhoAmI } from './shell/WhoAmI';
import { useGlobalSearch } from './url/useView';
import { useTheme } from './shell/theme';
import { NotFoundPage } from './pages/NotFoundPage';
// Eager, not lazy: the graph is the first page users open, and its request should start at once.
import { GraphPage } from './pages/GraphPage';

// Lazy: the Istio pages (and CodeMirror with them) load only when opened.
const ConfigListPage = lazy(() =>
  import('./istio/ConfigListPage').then((m) => ({ default: m.ConfigListPage })),
);
const OverviewPage = lazy(() =>
  import('./pages/overview/OverviewPage').then((m) => ({ default: m.OverviewPage })),
);
const EntityListPage = lazy(() =>
  import('./pages/lists/EntityListPage').then((m) => ({ default: m.EntityListPage })),
);
const DetailPage = lazy(() => import('./pages/details/DetailPage').then((m) => ({ default: m.DetailPage })));
const TraceView = lazy(() => import('./tracing/TraceView').then((m) => ({ default: m.TraceView })));
const EditorPage = lazy(() => import('./istio/EditorPage').then((m) => ({ default: m.EditorPage })));
const ChangesPage = lazy(() =>
  import('./pages/changes/ChangesPage').then((m) => ({ default: m.ChangesPage })),
);
const RolloutsPage = lazy(() =>
  import('./pages/rollouts/RolloutsPage').then((m) => ({ default: m.RolloutsPage })),
);
const RolloutPage = lazy(() =>
  import('./pages/rollouts/RolloutPage').then((m) => ({ default: m.RolloutPage })),
);
// TEMPORARY: the logs of a workload on their own page, until the workload detail page's Logs tab shows them.

export const NAV = [
  { path: '/overview', label: 'Overview', icon: '◫' },
  { path: '/graph', label: 'Traffic Graph', icon: '⬡' },
  { path: '/applications', label: 'Applications', icon: '▣' },
  { path: '/workloads', label: 'Workloads', icon: '⚙' },
  { path: '/services', label: 'Services', icon: '△' },
  { path: '/istio', label: 'Istio Config', icon: '☰' },
  { path: '/changes', label: 'Changes', icon: '↺' },
  { path: '/rollouts', label: 'Rollouts', icon: '⇗' },
] as const;

const LEGACY_DETAIL = [
  ['/applications', 'apps'],
  ['/workloads', 'workloads'],
  ['/services', 'services'],
] as const;

function Nav() {
  const [location] = useLocation();
  const search = useGlobalSearch();
  return (
    <nav className="sidebar" aria-label="Main">
      <ul>
        {NAV.map((item) => (
          <li key={item.path}>
            <Link
              href={`${item.path}${search}`}
              className={location.startsWith(item.path) ? 'nav-link active' : 'nav-link'}
              aria-current={location.startsWith(item.path) ? 'page' : undefined}
            >
              <span className="nav-icon" aria-hidden>
                {item.icon}
              </span>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Shell() {
  const [theme, toggleTheme] = useTheme();
  const search = useGlobalSearch();
  return (
    <div className="app">
      <header className="masthead">
        <a className="brand" href={`${basePath()}/`}>
          <span className="brand-mark" aria-hidden>
            ◈
          </span>
          meshlens
        </a>
        <span className="brand-sub">Istio service mesh console</span>
        <div className="spacer" />
        <WhoAmI />
        <button
          type="button"
          className="masthead-button"
          onClick={toggleTheme}
          aria-label={`Switch to ${theme === 'light' ? 'dark' : 'light'} theme`}
        >
          {theme === 'light' ? '☾ Dark' : '☀ Light'}
        </button>
      </header>
      <Nav />
      <main className="main">
        <Suspense fallback={<div className="page-loading">Loading…</div>}>
          <Switch>
            <Route path="/graph">
              <GraphPage theme={theme} />
            </Route>
            <Route path="/namespaces/:namespace/:kind/:name/:tab?">
              {(p) => <DetailPage key={`${p.namespace}/${p.kind}/${p.name}`} {...p} />}
            </Route>
            <Route path="/traces/:id">{(p) => <TraceView key={p.id} id={p.id} />}</Route>
            <Route path="/istio/:namespace/:kind/:name">
              {(p) => <EditorPage key={`${p.namespace}/${p.kind}/${p.name}`} {...p} />}
            </Route>
            <Route path="/istio">
              <ConfigListPage />
            </Route>
            <Route path="/changes">
              <ChangesPage />
            </Route>
            <Route path="/rollouts/:namespace/:id">
              {(p) => <RolloutPage key={`${p.namespace}/${p.id}`} namespace={p.namespace} id={p.id} />}
            </Route>
            <Route path="/rollouts">
              <RolloutsPage />
            </Route>
            <Route path="/overview">
              <OverviewPage />
            </Route>
            <Route path="/applications">
              <EntityListPage key="apps" kind="apps" />
            </Route>
            <Route path="/workloads">
              <EntityListPage key="workloads" kind="workloads" />
            </Route>
            <Route path="/services">
              <EntityListPage key="services" kind="services" />
            </Route>
            {LEGACY_DETAIL.map(([from, kind]) => (
              // Detail addresses of earlier versions (`/services/bookinfo/reviews`) lead to the detail page.
              <Route key={from} path={`${from}/:namespace/:name`}>
                {(p) => (
                  <Redirect
                    to={`/namespaces/${encodeURIComponent(p.namespace)}/${kind}/${encodeURIComponent(p.name)}${search}`}
                    replace
                  />
                )}
              </Route>
            ))}
            <Route path="/">
              <Redirect to="/graph" replace />
            </Route>
            <Route>
              <NotFoundPage />
            </Route>
          </Switch>
        </Suspense>
      </main>
    </div>
  );
}

/**
 * Pages need a signed-in user: without one (no session, or it ended — any API answer 401) the sign-in
 * page, which comes back here afterwards.
 */
function SignedIn({ children }: { children: ReactNode }) {
  const info = useAuthInfo();
  const [location, navigate] = useLocation();
  const search = useSearch();
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onUnauthorized(() => {
        void queryClient.invalidateQueries({ queryKey: authKeys.info() });
        navigate(
          signInHref(window.location.pathname.slice(basePath().length) || '/', window.location.search),
          {
            replace: true,
          },
        );
      }),
    [navigate, queryClient],
  );
  if (info.data && !info.data.authenticated) return <Redirect to={signInHref(location, search)} replace />;
  return <>{children}</>;
}

export function App() {
  return (
    <Router base={basePath()}>
      <Switch>
        <Route path="/signin">
          <SignInPage />
        </Route>
        <Route>
          <SignedIn>
            <Shell />
          </SignedIn>
        </Route>
      </Switch>
    </Router>
  );
}
