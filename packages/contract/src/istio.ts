/** Routing intents and the Istio write routes (see ./istio/). */
export * from './istio/intents';
export * from './istio/policyIntents';
export * from './istio/routes';
