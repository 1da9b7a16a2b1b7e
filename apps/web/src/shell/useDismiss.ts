import { useEffect, useRef } from 'react';
import type { RefObject } from 'react';

/**
 * Closes a popup the way users expect: Escape, or a press anywhere outside it (and outside the
 * element that opens it, which toggles it itself). Escape is taken in the capture phase so it closes
 * the popup before anything underneath (e.g. the find input, which clears itself on Escape) sees it.
 * Focus goes back to `returnFocus` after Escape, so the keyboard user is where they were.
 */
export function useDismiss(
  open: boolean,
  inside: readonly RefObject<HTMLElement | null>[],
  onDismiss: () => void,
  returnFocus?: RefObject<HTMLElement | null>,
): void {
  const latest = useRef({ inside, onDismiss, returnFocus });
  latest.current = { inside, onDismiss, returnFocus };
  useEffect(() => {
    if (!open) return;
    const onPointer = (e: MouseEvent) => {
      const target = e.target as Node | null;
      if (target && latest.current.inside.some((r) => r.current?.contains(target))) return;
      latest.current.onDismiss();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      latest.current.onDismiss();
      latest.current.returnFocus?.current?.focus();
    };
    document.addEventListener('mousedown', onPointer);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('mousedown', onPointer);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [open]);
}
