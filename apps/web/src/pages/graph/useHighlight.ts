import { useMemo } from 'react';
import { compileFind } from '../../graph/find/evaluate';
import type { GraphElements } from '../../graph/model';
import type { ViewState } from '../../url/viewState';

/** The find and hide expressions compiled (with their errors), and what the canvas highlights. */
export function useHighlight(
  view: Pick<ViewState, 'find' | 'hide' | 'focus'>,
  members: GraphElements['members'],
) {
  const findResult = useMemo(() => (view.find ? compileFind(view.find) : null), [view.find]);
  const hideResult = useMemo(() => (view.hide ? compileFind(view.hide) : null), [view.hide]);
  const highlight = useMemo(
    () => ({
      find: findResult?.ok ? findResult.find : null,
      hide: hideResult?.ok ? hideResult.find : null,
      focus: view.focus,
      ...(members ? { members } : {}),
    }),
    [findResult, hideResult, view.focus, members],
  );
  return { findResult, hideResult, highlight };
}
