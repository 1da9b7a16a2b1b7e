/**
 * One health, everywhere: the verdicts the graph, the overview, the lists and the detail pages all show,
 * computed from plain rates and inventory (no Prometheus, no Kubernetes here), so one entity never has
 * two colours. Kiali's rules (KIALI.md §1.5).
 *
 * API:
 * - `tolerancesFor({ namespace, kind: 'app'|'workload'|'service', name, objectAnnotations?,
 *   namespaceAnnotations? }, rules)` → the tolerances that apply: the object's `meshlens.io/health-rate`
 *   annotation, then its namespace's, then the first matching `health.rate` rule of the config, then
 *   DEFAULT_TOLERANCES (5xx degraded > 0 % / failure 10 %; 4xx 10 / 20 %; gRPC 1–16 0 / 10 %; no
 *   response 0 / 10 %).
 * - `requestHealth(rates, tolerances, direction)` → Verdict of one direction; `rates` is requests/s per
 *   response code per protocol (`codeRates({ '200': 9, '503': 1 })` builds one from plain objects).
 * - `trafficHealth({ inbound?, outbound?, tcpBytesPerSecond? }, tolerances)` → the graph's rule for an
 *   entity: inbound requests when there are any, else outbound; TCP-only traffic is Healthy.
 * - `workloadHealth({ name, desired?, available?, pods?, podsReady? })` → NotReady (scaled to 0),
 *   Failure (none available / ready), Degraded (fewer than desired), else NoTraffic (adds nothing).
 *   `missingSidecar(w)` → a sentence when pods run without istio-proxy (a badge, not a status).
 * - `combine(...verdicts)` → the worst status (Failure > Degraded > NotReady > Healthy > NoTraffic) with
 *   the reasons of every verdict of that status, in order. `verdictText(v)` → one line for a tooltip.
 *
 * A Verdict is `{ status, reasons }`; each reason is a sentence naming the rule, the rate and the
 * threshold, e.g. `HTTP server errors (5xx): 2 % of inbound requests, degraded above 0 %, failure at 10 %`
 * or `reviews-v2: 1 of 2 pods available`.
 */
export { combine, HEALTHY, NO_TRAFFIC, STATUS_RANK, verdictText, type Verdict } from './verdict';
export {
  codeRates,
  NO_RATES,
  requestHealth,
  totalRate,
  trafficHealth,
  type CodeRates,
  type Direction,
} from './request';
export { missingSidecar, workloadHealth, type WorkloadState } from './workload';
export {
  DEFAULT_TOLERANCES,
  HEALTH_ANNOTATION,
  parseToleranceAnnotation,
  tolerancesFor,
  type HealthRule,
  type Tolerance,
  type ToleranceLookup,
} from './tolerances';
export { describeCodes, percentText } from './reason';
