import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { getObject, getRoutingFacts, istioKeys } from '../istio/api';
import { currentWeights, startingWeights, subsetVersions, wizardVersions } from './currentRouting';
import type { WizardTarget } from './WizardDialog';

function useObjectOrNone(ns: string, kind: string, name: string) {
  return useQuery({
    queryKey: istioKeys.object(ns, kind, name),
    queryFn: () =>
      getObject(ns, kind, name).then(
        (r) => r.object as unknown,
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        },
      ),
    retry: false,
    refetchOnMount: 'always',
  });
}

/**
 * The versions the service runs (the server's answer; subsets that select none apart) and the weights its
 * VirtualService gives them now.
 */
export function useCurrentRouting(target: WizardTarget) {
  const vs = useObjectOrNone(target.namespace, 'virtualservices', target.service);
  const dr = useObjectOrNone(target.namespace, 'destinationrules', target.service);
  const facts = useQuery({
    queryKey: istioKeys.routing(target.namespace, target.service),
    queryFn: () => getRoutingFacts(target.namespace, target.service),
    retry: false,
    refetchOnMount: 'always',
  });
  const subsets = subsetVersions(dr.data ?? undefined);
  const { versions, idle } = wizardVersions({
    running: facts.data?.versions,
    graph: target.versions,
    subsets,
  });
  const version = (o: unknown) =>
    o === null
      ? ''
      : ((o as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion ?? '');
  return {
    // fetching, not loading: a cached answer may be stale, and the write must be based on the current one
    loading: vs.isFetching || dr.isFetching || facts.isFetching,
    /** The versions the form was built on: a write answers 409 when someone changed them since. */
    basedOn: { virtualService: version(vs.data), destinationRule: version(dr.data) },
    refetch: () => Promise.all([vs.refetch(), dr.refetch()]),
    versions,
    /** Versions the DestinationRule names that no workload runs (left out of the forms). */
    idle,
    /** The VirtualService and DestinationRule as they stand (null: none), for the preview of the effect. */
    objects: { virtualService: vs.data ?? null, destinationRule: dr.data ?? null },
    weights: startingWeights(currentWeights(vs.data ?? undefined, subsets, versions), versions),
  };
}
