/** Wizard builders: routing intents → VirtualService / DestinationRule / Gateway objects (pure). */
export { buildRouting, subsetChange, subsetNames, type BuildIntent, type RoutingPlan } from './build';
export {
  IntentError,
  serviceFacts,
  subsetNameFor,
  sameJson,
  RULE_PREFIX,
  DEFAULT_RULE,
  type RoutingContext,
  type IntentCause,
  type ServiceFacts,
} from './context';
export { applyCircuitBreaker, subsetsUsed } from './destinationRule';
export type { ObjectRef, KeptObject } from './deleteRouting';
