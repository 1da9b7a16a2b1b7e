/**
 * The text of simulated container logs: Envoy access-log lines in Istio's default TEXT format (what
 * `meshConfig.accessLogFile: /dev/stdout` writes), and application log lines.
 *
 * Istio's default format (pilot `EnvoyTextLogFormat`, Envoy's command operators):
 *   [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
 *   %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
 *   "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
 *   %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%"
 *   "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW% %UPSTREAM_LOCAL_ADDRESS%
 *   %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%
 * An empty value prints as `-`.
 */

/** One request as a proxy logs it (the same code, flags, duration and sizes as its metric sample). */
export interface AccessRecord {
  kind: 'access';
  startMs: number;
  method: string;
  path: string;
  protocol: 'HTTP/1.1' | 'HTTP/2';
  code: number;
  /** `-` or the flags joined by `,` (as the `response_flags` label). */
  flags: string;
  details: string;
  bytesReceived: number;
  bytesSent: number;
  durationMs: number;
  /** x-envoy-upstream-service-time, when an upstream answered. */
  upstreamServiceMs?: number;
  xff?: string;
  userAgent?: string;
  requestId: string;
  authority: string;
  upstreamHost?: string;
  upstreamCluster?: string;
  upstreamLocal?: string;
  downstreamLocal?: string;
  downstreamRemote?: string;
  sni?: string;
  route?: string;
}

export interface AppRecord {
  kind: 'app';
  level: 'INFO' | 'WARN' | 'ERROR';
  message: string;
}

export type LogRecord = AccessRecord | AppRecord;

const dash = (v: string | number | undefined) => (v === undefined || v === '' ? '-' : String(v));

/** `%START_TIME%`'s default rendering: ISO 8601 with milliseconds, UTC. */
export const envoyTime = (ms: number) => new Date(Math.floor(ms)).toISOString();

export function accessLine(r: AccessRecord): string {
  return (
    `[${envoyTime(r.startMs)}] "${r.method} ${r.path} ${r.protocol}" ${r.code} ${r.flags} ${r.details} - ` +
    `"-" ${r.bytesReceived} ${r.bytesSent} ${Math.round(r.durationMs)} ` +
    `${r.upstreamServiceMs === undefined ? '-' : Math.round(r.upstreamServiceMs)} ` +
    `"${dash(r.xff)}" "${dash(r.userAgent)}" "${r.requestId}" "${r.authority}" "${dash(r.upstreamHost)}" ` +
    `${dash(r.upstreamCluster)} ${dash(r.upstreamLocal)} ${dash(r.downstreamLocal)} ${dash(r.downstreamRemote)} ` +
    `${dash(r.sni)} ${dash(r.route)}`
  );
}

/** An application line: `2026-01-02T03:04:05.678Z ERROR message`, what most app loggers print. */
export function appLine(t: number, r: AppRecord): string {
  return `${envoyTime(t)} ${r.level.padEnd(5)} ${r.message}`;
}

export function renderLine(t: number, r: LogRecord): string {
  return r.kind === 'access' ? accessLine(r) : appLine(t, r);
}

/**
 * Go's time.RFC3339Nano of a write time (what `timestamps=true` prefixes): nanoseconds with trailing
 * zeros trimmed, `Z` for UTC. `t` is ms since the epoch, fractional to µs.
 */
export function rfc3339Nano(t: number): string {
  const whole = Math.floor(t);
  const iso = new Date(whole).toISOString(); // 2026-01-02T03:04:05.678Z
  const nanos = Math.round((t - whole) * 1000) * 1000 + (whole % 1000) * 1e6;
  const frac = String(nanos).padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

/** Envoy's RESPONSE_CODE_DETAILS for an outcome (the common values). */
export function codeDetails(code: number, flags: readonly string[], local: boolean): string {
  if (flags.includes('DC')) return 'downstream_remote_disconnect';
  if (flags.includes('FI')) return 'fault_filter_abort';
  if (flags.includes('NR')) return 'route_not_found';
  if (flags.includes('NC')) return 'cluster_not_found';
  if (flags.includes('UH')) return 'no_healthy_upstream';
  if (flags.includes('UO')) return 'upstream_reset_before_response_started{overflow}';
  if (flags.includes('UT')) return 'response_timeout';
  if (flags.includes('UF')) return 'upstream_reset_before_response_started{connection_failure}';
  if (flags.includes('UC')) return 'upstream_reset_before_response_started{connection_termination}';
  if (local && code === 403) return 'rbac_access_denied_matched_policy[none]';
  if (local) return 'direct_response';
  return 'via_upstream';
}
