import type { QueryClient } from '@tanstack/react-query';
import { basePath } from '../../api/client';
import { graphQuery, serverConfigQuery, withAppenders } from '../../api/queries';
import { startFetchWorker } from '../../api/workerFetch';
import { authInfoQuery } from '../../shell/auth';
import { parseViewState, viewSettings } from '../../url/viewState';
import { graphParamsOf } from './graphParams';

/**
 * On the graph page, asks for the graph as soon as the server's config and the auth info are in: the
 * graph page's own query (same key) takes over the request in flight. Rendering the page first, its
 * lazy chunks loading and evaluating meanwhile, put the request ~250 ms later on these machines. Nothing
 * is asked without a session, or when the URL names no namespaces (the page then takes the server's
 * defaults and asks itself). Never throws: the page asks again and shows what went wrong.
 */
export async function prefetchGraph(
  client: QueryClient,
  location: Location = window.location,
): Promise<void> {
  const route = location.pathname.slice(basePath().length) || '/';
  if (route.replace(/\/+$/, '') !== '/graph') return;
  try {
    startFetchWorker();
    const [config, info] = await Promise.all([
      client.fetchQuery(serverConfigQuery),
      client.fetchQuery(authInfoQuery),
    ]);
    if (!info.authenticated) return;
    const view = parseViewState(location.search, viewSettings(config));
    const params = graphParamsOf(view);
    if (!params) return;
    await client.prefetchQuery(graphQuery(withAppenders(params, view)));
  } catch {
    // the page's own queries report it
  }
}
