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
