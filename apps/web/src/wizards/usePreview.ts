import { useEffect, useState } from 'react';
import type { RoutingIntentInput, RoutingResponse } from '@meshlens/contract';
import { deleteRouting, postRouting } from '../istio/api';

/** What a wizard asks for: an intent, the delete of all routing, or a form error the user must fix first. */
export type WizardRequest =
  { intent: RoutingIntentInput } | { delete: true; includeHandWritten?: boolean } | { invalid: string };

export interface Preview {
  data: RoutingResponse | undefined;
  error: unknown;
  loading: boolean;
}

export function runRequest(ns: string, service: string, req: WizardRequest, dryRun: boolean) {
  if ('invalid' in req) return Promise.reject(new Error(req.invalid));
  if ('delete' in req) return deleteRouting(ns, service, dryRun, req.includeHandWritten ?? false);
  return postRouting(ns, service, req.intent, dryRun);
}

/** The server's dry-run answer for the current form, refreshed `delayMs` after the form stops changing. */
/** `reload` changes to ask again with the same form. */
export function usePreview(
  ns: string,
  service: string,
  req: WizardRequest,
  reload = 0,
  delayMs = 350,
): Preview {
  const key = JSON.stringify(req);
  const [state, setState] = useState<Preview>({ data: undefined, error: undefined, loading: true });
  useEffect(() => {
    const parsed = JSON.parse(key) as WizardRequest;
    if ('invalid' in parsed) {
      setState({ data: undefined, error: undefined, loading: false });
      return;
    }
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      runRequest(ns, service, parsed, true).then(
        (data) => live && setState({ data, error: undefined, loading: false }),
        (error: unknown) => live && setState({ data: undefined, error, loading: false }),
      );
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [ns, service, key, reload, delayMs]);
  return state;
}
