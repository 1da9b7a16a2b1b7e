import type { RoutingResponse } from '@meshlens/contract';

/**
 * The findings of the server's dry run beside the preview: those the change brings, then those the
 * objects already had (which do not block the change; an error already there is answered as a warning).
 */
export function PreviewChecks({ validations }: { validations: RoutingResponse['validations'] }) {
  const all = validations.flatMap((v) => v.checks.map((c) => ({ ...c, object: `${v.kind} ${v.name}` })));
  const fresh = all.filter((c) => !c.existing);
  const existing = all.filter((c) => c.existing);
  return (
    <>
      {fresh.length > 0 && (
        <ul className="wz-checks" data-testid="preview-checks">
          {fresh.map((c, i) => (
            <li key={i} className={`sev-${c.severity}`}>
              {c.severity}: {c.object} <code>{c.path}</code> {c.message}
            </li>
          ))}
        </ul>
      )}
      {existing.length > 0 && (
        <div className="wz-existing" role="group" data-testid="preview-existing" aria-label="Already there">
          <h4>Already there before this change · not blocking</h4>
          <ul className="wz-checks">
            {existing.map((c, i) => (
              <li key={i} className={`sev-${c.severity}`}>
                {c.object} <code>{c.path}</code> {c.message} <span className="muted small">[{c.code}]</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
