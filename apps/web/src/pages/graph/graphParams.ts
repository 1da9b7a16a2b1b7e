import { useEffect, useMemo, useRef } from 'react';
import type { GraphParams } from '../../api/queries';
import type { ViewState } from '../../url/viewState';

type SetView = (patch: Partial<ViewState>, options?: { replace?: boolean }) => void;

/** The view fields the graph request is made of. */
type GraphViewFields = Pick<
  ViewState,
  | 'namespaces'
  | 'graphType'
  | 'duration'
  | 'serviceNodes'
  | 'idle'
  | 'responseTime'
  | 'rateHttp'
  | 'rateGrpc'
  | 'rateTcp'
  | 'queryTime'
  | 'compare'
  | 'compareWindow'
>;

/** The graph request a view asks for; null until namespaces are chosen. */
export function graphParamsOf(view: GraphViewFields): GraphParams | null {
  if (view.namespaces.length === 0) return null;
  return {
    namespaces: view.namespaces,
    graphType: view.graphType,
    duration: view.duration,
    injectServiceNodes: view.serviceNodes,
    includeIdle: view.idle,
    boxBy: 'none',
    responseTime: view.responseTime,
    rateHttp: view.rateHttp,
    rateGrpc: view.rateGrpc,
    rateTcp: view.rateTcp,
    // a comparison has windows of its own: no replay instant with it
    ...(view.compare > 0
      ? { compare: view.compare, compareWindow: view.compareWindow }
      : view.queryTime > 0
        ? { queryTime: view.queryTime }
        : {}),
  };
}

/** graphParamsOf, the same object while the fields it reads stay the same (it keys the query). */
export function useGraphParams(view: ViewState): GraphParams | null {
  const { namespaces, graphType, duration, serviceNodes, idle, responseTime, rateHttp, rateGrpc, rateTcp } =
    view;
  const { queryTime, compare, compareWindow } = view;
  return useMemo(
    () =>
      graphParamsOf({
        namespaces,
        graphType,
        duration,
        serviceNodes,
        idle,
        responseTime,
        rateHttp,
        rateGrpc,
        rateTcp,
        queryTime,
        compare,
        compareWindow,
      }),
    [
      namespaces,
      graphType,
      duration,
      serviceNodes,
      idle,
      responseTime,
      rateHttp,
      rateGrpc,
      rateTcp,
      queryTime,
      compare,
      compareWindow,
    ],
  );
}

/** First visit without namespaces: take the server's defaults (kept in the URL from then on). */
export function useDefaultNamespaces(defaults: string[] | undefined, chosen: number, setView: SetView): void {
  const applied = useRef(false);
  useEffect(() => {
    if (applied.current || !defaults) return;
    applied.current = true;
    if (
      chosen === 0 &&
      !new URLSearchParams(window.location.search).has('namespaces') &&
      defaults.length > 0
    ) {
      setView({ namespaces: defaults }, { replace: true });
    }
  }, [defaults, chosen, setView]);
}
