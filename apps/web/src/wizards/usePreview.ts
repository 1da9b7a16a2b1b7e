import type { RoutingIntentInput, RoutingResponse } from '@meshlens/contract';
import { useDryRun } from '../api/dryRun';
import { deleteRouting, postRouting } from '../istio/api';

/** What a wizard asks for: an intent, the delete of all routing, or a form error the user must fix first. */
export type WizardRequest =
  { intent: RoutingIntentInput } | { delete: true; includeHandWritten?: boolean } | { invalid: string };

export interface Preview {
  data: RoutingResponse | undefined;
  error: unknown;
  loading: boolean;
}

export function runRequest(
  ns: string,
  service: string,
  req: WizardRequest,
  dryRun: boolean,
  signal?: AbortSignal,
) {
  if ('invalid' in req) return Promise.reject(new Error(req.invalid));
  if ('delete' in req) return deleteRouting(ns, service, dryRun, req.includeHandWritten ?? false, signal);
  return postRouting(ns, service, req.intent, dryRun, signal);
}

/**
 * The server's dry-run answer for the current form, asked `delayMs` after the form stops changing
 * (useDryRun); `reload` changes to ask again with the same form.
 */
export function usePreview(
  ns: string,
  service: string,
  req: WizardRequest,
  reload = 0,
  delayMs = 350,
): Preview {
  const dry = useDryRun({
    scope: ['routing', ns, service],
    input: req,
    inputKey: JSON.stringify([req, reload]),
    enabled: !('invalid' in req),
    run: (r, signal) => runRequest(ns, service, r, true, signal),
    delayMs,
  });
  return { data: dry.data, error: dry.error, loading: dry.pending };
}
