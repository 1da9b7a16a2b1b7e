/**
 * Constants of the contract that load no zod, exported as `@meshlens/contract/constants`: what
 * `@meshlens/istio` (which takes only types from the contract) needs at run time, so that the browser
 * and the simulator do not pull zod in through it. The main entry re-exports them.
 */

/** The routing intents a wizard can send, in the order the wizard label names them. */
export const INTENT_KINDS = [
  'trafficShifting',
  'tcpTrafficShifting',
  'requestRouting',
  'faultInjection',
  'timeoutsRetries',
  'circuitBreaker',
  'gateway',
  'deleteRouting',
] as const;
export type IntentKind = (typeof INTENT_KINDS)[number];

/**
 * The graph's answer as the gzip bytes of its JSON, sent as the body itself (no `Content-Encoding`) to a
 * client whose `Accept` prefers this type to `application/json`. The web page's fetch worker asks for it
 * and inflates it with `DecompressionStream`: on a 10 MB answer (5,000 services) that took about half
 * the time of Chromium's own decoding of `Content-Encoding: gzip` (0.24–0.33 s against 0.47–0.52 s,
 * measured in a worker, and 0.26–0.35 s against 0.70–0.88 s under Playwright). Other clients get JSON.
 */
export const GRAPH_GZIP_BODY = 'application/gzip';
