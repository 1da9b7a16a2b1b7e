/**
 * Errors in the words of the form: the label of the field an intent path (`timeoutsRetries/timeout`)
 * points at, as the wizard shows it. Paths into Istio objects (`spec/…`) have no form field.
 */
const LABELS: [RegExp, string | ((m: RegExpExecArray) => string)][] = [
  [/^(trafficShifting|tcpTrafficShifting)\/weights\/([^/]+)/, (m) => `Weight of ${m[2] ?? ''}`],
  [/^(trafficShifting|tcpTrafficShifting)(\/weights)?$/, 'Weights'],
  [/^trafficShifting\/mirror/, 'Mirror'],
  [/^requestRouting\/rules\[(\d+)\]/, (m) => `Rule ${Number(m[1]) + 1}`],
  [/^requestRouting\/defaultRoute/, 'Default route'],
  [/^faultInjection\/delay\/fixedDelay/, 'Fixed delay'],
  [/^faultInjection\/delay\/percentage/, 'Delay percentage'],
  [/^faultInjection\/abort\/httpStatus/, 'HTTP status'],
  [/^faultInjection\/abort\/percentage/, 'Abort percentage'],
  [/^timeoutsRetries\/timeout/, 'Request timeout'],
  [/^timeoutsRetries\/retries\/attempts/, 'Retry attempts'],
  [/^timeoutsRetries\/retries\/perTryTimeout/, 'Per-try timeout'],
  [/^timeoutsRetries\/retries\/retryOn/, 'Retry on'],
  [/^circuitBreaker\/connectionPool\/tcp\/maxConnections/, 'Max connections'],
  [/^circuitBreaker\/connectionPool\/http\/http1MaxPendingRequests/, 'Max pending HTTP/1 requests'],
  [/^circuitBreaker\/connectionPool\/http\/maxRequestsPerConnection/, 'Max requests per connection'],
  [/^circuitBreaker\/outlierDetection\/consecutive5xxErrors/, 'Consecutive 5xx errors'],
  [/^circuitBreaker\/outlierDetection\/interval/, 'Interval'],
  [/^circuitBreaker\/outlierDetection\/baseEjectionTime/, 'Base ejection time'],
  [/^circuitBreaker\/outlierDetection\/maxEjectionPercent/, 'Max ejection %'],
  [/^circuitBreaker\/loadBalancer/, 'Load balancer'],
  [/^circuitBreaker\/tls/, 'TLS mode'],
  [/^gateway\/(create\/)?hosts/, 'Hosts'],
  [/^gateway\/create\/port/, 'Port'],
  [/^gateway\/attach\/namespace/, 'Gateway namespace'],
  [/^gateway\/attach/, 'Gateway name'],
  [/^gateway\/create\/name/, 'Gateway name'],
  [/^gateway\/includeMesh/, "Keep routing the mesh's own traffic"],
  [/^gateway$/, 'Gateway'],
];

export function formLabel(path: string): string | undefined {
  for (const [re, label] of LABELS) {
    const m = re.exec(path);
    if (m) return typeof label === 'string' ? label : label(m);
  }
  return undefined;
}
