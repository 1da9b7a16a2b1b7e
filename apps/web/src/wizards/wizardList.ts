/** The wizards of the service actions menu, in menu order. */
export const WIZARDS = [
  { id: 'traffic-shifting', title: 'Traffic Shifting' },
  { id: 'request-routing', title: 'Request Routing' },
  { id: 'fault-injection', title: 'Fault Injection' },
  { id: 'timeouts-retries', title: 'Timeouts & Retries' },
  { id: 'circuit-breaker', title: 'Circuit Breaker' },
  { id: 'gateway', title: 'Gateway' },
  { id: 'delete-routing', title: 'Delete routing' },
] as const;
export type WizardId = (typeof WIZARDS)[number]['id'];
