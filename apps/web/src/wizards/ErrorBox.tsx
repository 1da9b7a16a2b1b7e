import type { ValidationCause } from '@meshlens/contract';
import { ApiError } from '../api/client';
import { formLabel } from './formWords';

function causesOf(err: ApiError): ValidationCause[] {
  const d = err.details as { causes?: ValidationCause[] } | undefined;
  return Array.isArray(d?.causes) ? d.causes : [];
}

/** A refused write or preview, said plainly: the 422 causes at their paths, or the 409 to reload. */
export function ErrorBox({ error, onReload }: { error: unknown; onReload?: () => void }) {
  if (!error) return null;
  if (error instanceof ApiError && error.status === 409)
    return (
      <div className="wz-error" role="alert" data-testid="write-error">
        <strong>Someone changed this routing since the preview.</strong> Reload to see the current objects,
        then apply again.
        {onReload && (
          <button type="button" className="btn" onClick={onReload}>
            Reload
          </button>
        )}
      </div>
    );
  if (error instanceof ApiError && error.status === 422) {
    const causes = causesOf(error);
    return (
      <div className="wz-error" role="alert" data-testid="write-error">
        <strong>Refused: {error.message}</strong>
        {causes.length > 0 && (
          <ul>
            {causes.map((c, i) => {
              // A field of the wizard's form is named as the form labels it; the API path stays as a note.
              const label = formLabel(c.path);
              return (
                <li key={i}>
                  {c.object && <span className="muted">{c.object} </span>}
                  {label ? <strong>{label}</strong> : <code>{c.path || '(object)'}</code>}: {c.message}{' '}
                  <span className="muted small">
                    {label ? `(${c.path}) ` : ''}[{c.code}]
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    );
  }
  if (error instanceof ApiError && error.status === 403) {
    // The API server (or a view-only console) refused it with the user's own rights: who, and what.
    const who = (error.details as { identity?: { username?: string } } | undefined)?.identity?.username;
    return (
      <div className="wz-error" role="alert" data-testid="write-error">
        <strong>Not allowed{who ? ` for ${who}` : ''}.</strong> {error.message}
      </div>
    );
  }
  return (
    <div className="wz-error" role="alert" data-testid="write-error">
      <strong>{error instanceof Error ? error.message : String(error)}</strong>
    </div>
  );
}
