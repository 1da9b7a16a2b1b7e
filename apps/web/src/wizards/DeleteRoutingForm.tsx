import { useState } from 'react';
import type { RoutingResponse } from '@meshlens/contract';
import type { WizardRequest } from './usePreview';

type Item = { kind: string; name: string; reason?: string };
const keyOf = (o: { kind: string; name: string }) => `${o.kind}/${o.name}`;

function Items({ items, note }: { items: Item[]; note?: (o: Item) => string | undefined }) {
  if (items.length === 0) return <p className="muted small">none</p>;
  return (
    <ul className="wz-list">
      {items.map((o) => {
        const why = note?.(o) ?? o.reason;
        return (
          <li key={keyOf(o)}>
            {o.kind} <strong>{o.name}</strong> {why && <span className="muted">— {why}</span>}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Delete routing: what the server would delete (its dry run), listed first, then what it keeps and why;
 * objects kept only because they were written by hand can be deleted too, after they are listed.
 */
export function DeleteRoutingForm({
  answer,
  includeHandWritten,
  onChange,
}: {
  answer: RoutingResponse | undefined;
  includeHandWritten: boolean;
  onChange: (r: WizardRequest) => void;
}) {
  // Remembered across answers: with includeHandWritten they move from "kept" to "will be deleted".
  const [handWritten, setHandWritten] = useState<Set<string>>(new Set());
  const seen = (answer?.kept ?? []).filter((k) => k.handWritten).map(keyOf);
  if (seen.some((k) => !handWritten.has(k))) setHandWritten(new Set([...handWritten, ...seen]));
  if (!answer) return <p className="muted">Asking the server what would be deleted…</p>;
  const offer = includeHandWritten || seen.length > 0;
  return (
    <>
      <div className="wz-group" role="group" aria-label="Will be deleted">
        <h4>Will be deleted</h4>
        <Items
          items={answer.deleted}
          note={(o) => (handWritten.has(keyOf(o)) ? 'written by hand' : undefined)}
        />
      </div>
      {offer && (
        <label className="wz-check wz-choice">
          <input
            type="checkbox"
            checked={includeHandWritten}
            onChange={(e) => onChange({ delete: true, includeHandWritten: e.target.checked })}
          />{' '}
          Also delete what was written by hand
          {!includeHandWritten && ` (${seen.length} object${seen.length === 1 ? '' : 's'} kept below)`}
        </label>
      )}
      <div className="wz-group" role="group" aria-label="Kept">
        <h4>Kept</h4>
        <Items items={answer.kept} />
      </div>
    </>
  );
}
