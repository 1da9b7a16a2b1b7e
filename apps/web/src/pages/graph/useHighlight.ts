import { useMemo } from 'react';
import { compileFind } from '../../graph/find/evaluate';
import type { GraphElements } from '../../graph/model';
import type { PathMatcher } from '../../tracing/path';
import type { ViewState } from '../../url/viewState';

/** The find and hide expressions compiled (with their errors), and what the canvas highlights. */
export function useHighlight(
  view: Pick<ViewState, 'find' | 'hide' | 'focus'>,
  members: GraphElements['members'],
  path: PathMatcher | null = null,
) {
  const findResult = useMemo(() => (view.find ? compileFind(view.find) : null), [view.find]);
  const hideResult = useMemo(() => (view.hide ? compileFind(view.hide) : null), [view.hide]);
  const highlight = useMemo(
    () => ({
      find: findResult?.ok ? findResult.find : null,
      hide: hideResult?.ok ? hideResult.find : null,
      focus: view.focus,
      path,
      ...(members ? { members } : {}),
    }),
    [findResult, hideResult, view.focus, members, path],
  );
  return { findResult, hideResult, highlight };
}
