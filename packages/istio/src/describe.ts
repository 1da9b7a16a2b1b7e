/** "Why did this request go there?": a readable account of an evaluator outcome, for the console. */
import type { HttpOutcome, TcpOutcome } from './evaluate.types';

function dest(d: { host: string; subset?: string; port?: number }): string {
  return `${d.host}${d.port !== undefined ? `:${d.port}` : ''}${d.subset ? ` (subset ${d.subset})` : ''}`;
}

/** One-line summary of the outcome. */
export function summarizeRoute(outcome: HttpOutcome | TcpOutcome): string {
  switch (outcome.kind) {
    case 'noRoute':
      return `404 NR: no route matched${outcome.virtualService ? ` in ${outcome.virtualService}` : ''}`;
    case 'noCluster':
      return `503 NC: ${dest(outcome.destination)} has no cluster (subset not defined by a DestinationRule)`;
    case 'route': {
      const parts = [`→ ${dest(outcome.destination)}`];
      if ('fault' in outcome) {
        if (outcome.fault.delayMs !== undefined) parts.push(`delay ${outcome.fault.delayMs} ms`);
        if (outcome.fault.abortStatus !== undefined) parts.push(`abort ${outcome.fault.abortStatus}`);
        if (outcome.timeoutMs !== undefined) parts.push(`timeout ${outcome.timeoutMs} ms`);
        parts.push(`retries ${outcome.retries.attempts}`);
        if (outcome.mirror) parts.push(`mirror ${dest(outcome.mirror)}`);
        if (outcome.directResponse) parts.push(`direct response ${outcome.directResponse.status}`);
        if (outcome.redirect) parts.push(`redirect ${outcome.redirect.status}`);
      }
      parts.push(outcome.clientMtls ? 'mTLS' : 'plaintext');
      return parts.join(', ');
    }
  }
}

/** Summary line followed by the evaluator's steps, one per line. */
export function describeRoute(outcome: HttpOutcome | TcpOutcome): string {
  const steps = outcome.explanation ?? [];
  return [summarizeRoute(outcome), ...steps.map((s) => `  - ${s}`)].join('\n');
}
