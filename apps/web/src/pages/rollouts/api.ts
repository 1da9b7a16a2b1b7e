/** The rollout calls of the web app: one hook per read, one function per write. */
import { useQuery } from '@tanstack/react-query';
import {
  ROLLOUT_ROUTES,
  RolloutListResponseSchema,
  RolloutSchema,
  rolloutPath,
  startRolloutPath,
  type Rollout,
  type RolloutCommand,
  type StartRollout,
} from '@meshlens/contract';
import { request } from '../../api/client';
import { queryKeys } from '../../api/queries';

export const rolloutKeys = {
  all: () => [...queryKeys.all, 'rollouts'] as const,
  one: (ns: string, id: string) => [...rolloutKeys.all(), ns, id] as const,
};

/** Every rollout (newest first), refreshed every 2 s while any is active. */
export function useRollouts() {
  return useQuery({
    queryKey: rolloutKeys.all(),
    queryFn: ({ signal }) =>
      request('GET', ROLLOUT_ROUTES.list, { schema: RolloutListResponseSchema, signal }),
    refetchInterval: 2000,
  });
}

export function useRollout(ns: string, id: string) {
  return useQuery({
    queryKey: rolloutKeys.one(ns, id),
    queryFn: ({ signal }) => request('GET', rolloutPath(ns, id), { schema: RolloutSchema, signal }),
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data) ? 10_000 : 1000),
  });
}

export const isActive = (r: Pick<Rollout, 'phase'>) => r.phase === 'running' || r.phase === 'paused';

export function startRollout(ns: string, service: string, body: StartRollout) {
  return request('POST', startRolloutPath(ns, service), { body, schema: RolloutSchema });
}

export function sendCommand(ns: string, id: string, command: RolloutCommand) {
  return request('POST', `${rolloutPath(ns, id)}/${command}`, { body: {}, schema: RolloutSchema });
}
