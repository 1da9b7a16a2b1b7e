import { useCallback, useEffect, useMemo, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { istioKeys } from '../istio/api';
import { useCurrentRouting } from './useCurrentRouting';
import { useModalFocus } from './useModalFocus';
import { WizardPreview } from './WizardPreview';
import { DeleteRoutingForm } from './DeleteRoutingForm';
import { DEFAULT_PEAK_FACTOR, predictEffect, routingObjects } from './effect';
import { EffectPreview, useServiceLoad } from './EffectPreview';
import { ErrorBox } from './ErrorBox';
import { GatewayForm } from './GatewayForm';
import { CircuitBreakerForm, FaultInjectionForm, TimeoutsRetriesForm } from './PolicyForms';
import { RequestRoutingForm } from './RequestRoutingForm';
import { TrafficShiftingForm } from './TrafficShiftingForm';
import { runRequest, usePreview } from './usePreview';
import type { WizardRequest } from './usePreview';

import { useWriteAccess } from '../shell/auth';
import { stepChecks, WIZARDS } from './wizardList';
import type { WizardId } from './wizardList';

export interface WizardTarget {
  namespace: string;
  service: string;
  versions: string[];
  /** Live share (%) per version, from the graph. */
  live: Map<string, number>;
}

/** A modal wizard: the form, the server's dry-run YAML beside it, apply or delete. */
export function WizardDialog({
  wizard,
  target,
  onClose,
}: {
  wizard: WizardId;
  target: WizardTarget;
  onClose: () => void;
}) {
  const title = WIZARDS.find((w) => w.id === wizard)?.title ?? wizard;
  const [req, setReq] = useState<WizardRequest>(
    wizard === 'delete-routing' ? { delete: true } : { invalid: 'fill in the form' },
  );
  const onChange = useCallback((r: WizardRequest) => setReq(r), []);
  const [reloadTick, setReloadTick] = useState(0);
  const current = useCurrentRouting(target);
  const { virtualService, destinationRule } = current.basedOn;
  const sent = useMemo<WizardRequest>(
    () =>
      'intent' in req && !current.loading
        ? { intent: { ...req.intent, basedOn: { virtualService, destinationRule } } }
        : current.loading && 'intent' in req
          ? { invalid: 'reading the current routing…' }
          : req,
    [req, current.loading, virtualService, destinationRule],
  );
  const preview = usePreview(target.namespace, target.service, sent, reloadTick);
  const queryClient = useQueryClient();
  const write = useMutation({
    mutationFn: (request: WizardRequest) => runRequest(target.namespace, target.service, request, false),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: istioKeys.all() });
      onClose();
    },
  });
  const writeError = write.error ?? undefined;
  const busy = write.isPending;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const dialogRef = useModalFocus();

  const apply = () => write.mutate(sent);

  const form = (() => {
    if (current.loading) return <p className="muted">Reading the routing of {target.service}…</p>;
    const p = { versions: current.versions, live: target.live, onChange, initial: current.weights };
    switch (wizard) {
      case 'traffic-shifting':
        return (
          <TrafficShiftingForm {...p} target={{ namespace: target.namespace, service: target.service }} />
        );
      case 'request-routing':
        return <RequestRoutingForm {...p} />;
      case 'fault-injection':
        return <FaultInjectionForm onChange={onChange} />;
      case 'timeouts-retries':
        return <TimeoutsRetriesForm onChange={onChange} />;
      case 'circuit-breaker':
        return <CircuitBreakerForm onChange={onChange} />;
      case 'gateway':
        return <GatewayForm namespace={target.namespace} service={target.service} onChange={onChange} />;
      case 'delete-routing':
        return (
          <DeleteRoutingForm
            answer={preview.data}
            includeHandWritten={'delete' in req && req.includeHandWritten === true}
            onChange={onChange}
          />
        );
    }
  })();
  const versionForms = wizard === 'traffic-shifting' || wizard === 'request-routing';
  // The preview of the effect: the callers' live rates under the routing the preview would write.
  const load = useServiceLoad(target.namespace, target.service);
  const [peakFactor, setPeakFactor] = useState(DEFAULT_PEAK_FACTOR);
  const effect = useMemo(
    () =>
      versionForms && load.data && !current.loading && preview.data && !('invalid' in sent)
        ? predictEffect(load.data, routingObjects(preview.data.objects, current.objects), peakFactor)
        : null,
    [versionForms, load.data, current.loading, current.objects, preview.data, sent, peakFactor],
  );

  const isDelete = wizard === 'delete-routing';
  // The exact writes of the preview, asked with the user's own rights before Apply is enabled.
  const writes = useMemo(() => stepChecks(preview.data?.steps ?? []), [preview.data]);
  const access = useWriteAccess(writes, writes.length > 0);
  const invalid = 'invalid' in sent ? sent.invalid : undefined;
  return (
    <div className="wz-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={dialogRef}
        className="wz-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="wz-title"
        data-testid="wizard"
      >
        <header className="wz-header">
          <h2 id="wz-title">
            {title}{' '}
            <span className="muted">
              · {target.service}.{target.namespace}
            </span>
          </h2>
          <button type="button" className="btn" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="wz-body">
          <form className="wz-form" onSubmit={(e) => e.preventDefault()} aria-label={title}>
            {versionForms && !current.loading && current.idle.length > 0 && (
              <p className="wz-note muted" data-testid="idle-versions">
                Left out: {current.idle.join(', ')} — named by the DestinationRule, but no workload of{' '}
                {target.service} runs {current.idle.length === 1 ? 'it' : 'them'}.
              </p>
            )}
            {form}
            {invalid && !current.loading && (
              <p className="wz-invalid" role="status">
                {invalid}
              </p>
            )}
          </form>
          <WizardPreview
            isDelete={isDelete}
            service={target.service}
            preview={preview}
            onReload={() => void current.refetch().then(() => setReloadTick((t) => t + 1))}
            effect={
              versionForms ? (
                <EffectPreview
                  load={load.data}
                  effect={effect}
                  error={load.error}
                  peakFactor={peakFactor}
                  onPeakFactor={setPeakFactor}
                />
              ) : undefined
            }
          />
        </div>
        <ErrorBox
          error={writeError}
          onReload={() => {
            write.reset();
            void current.refetch().then(() => setReloadTick((t) => t + 1));
          }}
        />
        <footer className="wz-footer">
          {!access.allowed && access.reason && (
            <span className="wz-denied" role="status" data-testid="apply-denied">
              {access.reason}
            </span>
          )}
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className={isDelete ? 'btn btn-danger' : 'btn btn-primary'}
            disabled={
              busy ||
              !access.allowed ||
              invalid !== undefined ||
              !preview.data ||
              preview.loading ||
              (isDelete ? preview.data.deleted.length === 0 : preview.data.steps.length === 0)
            }
            onClick={apply}
          >
            {busy ? 'Writing…' : isDelete ? 'Delete' : 'Apply'}
          </button>
        </footer>
      </div>
    </div>
  );
}
