import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { shouldRetry } from './api/client';
import { namespacesQuery, serverConfigQuery } from './api/queries';
import { authInfoQuery } from './shell/auth';
import { prefetchGraph } from './pages/graph/prefetch';
import { App } from './App';
import './styles/theme.css';
import './styles/app.css';
import './styles/graph.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: shouldRetry, refetchOnWindowFocus: false, staleTime: 5_000 },
  },
});

// Asked now, not one after another from the first renders: the shell waits for the auth info, every
// page for the config, the header for the namespaces (asked once the auth info says there is a session:
// without one they would answer 401). On the graph page the graph itself is asked as soon as the config
// and the auth info are in (prefetchGraph).
void queryClient.prefetchQuery(serverConfigQuery);
void queryClient
  .fetchQuery(authInfoQuery)
  .then((info) => (info.authenticated ? queryClient.prefetchQuery(namespacesQuery) : undefined))
  .catch(() => undefined);
void prefetchGraph(queryClient);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
