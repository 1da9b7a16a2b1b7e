/**
 * A graph answer as one user may see it: nodes of namespaces the user may not read (callers or callees
 * outside the selection) are left out with their edges, and a warning says how many. The shared answer is
 * computed once for everyone; this runs per user only when the user cannot read every namespace.
 */
import type { GraphResponse } from '@meshlens/contract';

/** `visible(ns)` says whether the user may read namespace `ns`; `unknown` (no namespace) is always kept. */
export function hideUnreadable(
  answer: GraphResponse,
  visible: (namespace: string) => boolean,
): GraphResponse {
  const hidden = new Set<string>();
  for (const n of answer.nodes) if (n.namespace !== 'unknown' && !visible(n.namespace)) hidden.add(n.id);
  if (hidden.size === 0) return answer;
  const real = answer.nodes.filter((n) => hidden.has(n.id) && !n.isBox).length;
  return {
    ...answer,
    nodes: answer.nodes
      .filter((n) => !hidden.has(n.id))
      .map((n) => {
        if (!n.parent || !hidden.has(n.parent)) return n;
        const { parent: _p, ...rest } = n;
        return rest;
      }),
    edges: answer.edges.filter((e) => !hidden.has(e.source) && !hidden.has(e.target)),
    warnings: [
      ...answer.warnings,
      {
        code: 'NamespacesHidden',
        message: `${real} node${real === 1 ? '' : 's'} in namespaces you may not read ${real === 1 ? 'is' : 'are'} left out, with ${real === 1 ? 'its' : 'their'} edges`,
      },
    ],
  };
}
