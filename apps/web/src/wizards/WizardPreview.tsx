import type { ReactNode } from 'react';
import { ErrorBox } from './ErrorBox';
import { PreviewChecks } from './PreviewChecks';
import type { usePreview } from './usePreview';

/** Beside the form: what the wizard would write (the server's dry run), or for Delete routing what goes. */
export function WizardPreview({
  isDelete,
  service,
  preview,
  onReload,
  effect,
}: {
  isDelete: boolean;
  service: string;
  preview: ReturnType<typeof usePreview>;
  onReload: () => void;
  /** Above the YAML: the predicted effect on the versions' load (Traffic Shifting, Request Routing). */
  effect?: ReactNode;
}) {
  return (
    <section className="wz-preview" aria-label="YAML preview">
      {effect}
      <h3>
        {isDelete ? 'What happens' : 'YAML to be written'}{' '}
        {preview.loading && <span className="muted small">updating…</span>}
      </h3>
      {preview.error ? <ErrorBox error={preview.error} onReload={onReload} /> : null}
      {preview.data && preview.data.steps.length > 0 && (
        <ol className="wz-steps" data-testid="preview-steps">
          {preview.data.steps.map((s, i) => (
            <li key={i}>
              <span className={`wz-step wz-step-${s.action}`}>{s.action}</span> {s.kind} {s.name}
            </li>
          ))}
        </ol>
      )}
      {preview.data && <PreviewChecks validations={preview.data.validations} />}
      {isDelete ? (
        <p className="muted small" data-testid="yaml-preview">
          {preview.data
            ? preview.data.deleted.length > 0
              ? 'Nothing is written: the objects listed are deleted, in this order.'
              : preview.data.kept.some((k) => k.handWritten)
                ? `meshlens wrote none of the routing of ${service}: tick “Also delete what was written by hand” to delete it.`
                : `${service} has no routing that meshlens can delete.`
            : ''}
        </p>
      ) : (
        <pre
          className="wz-yaml"
          data-testid="yaml-preview"
          // focusable: it scrolls, and the keyboard must be able to scroll it too
          tabIndex={0}
          aria-label="YAML preview"
        >
          {preview.data
            ? preview.data.steps.length > 0
              ? (preview.data.yaml ?? '')
              : '# no change: the routing in place already says this'
            : ''}
        </pre>
      )}
    </section>
  );
}
