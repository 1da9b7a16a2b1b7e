/**
 * Reading log lines: Envoy access-log lines in Istio's default TEXT format, and how serious a line is
 * (5xx codes, response flags, ERROR/WARN words) for highlighting.
 */

export interface AccessLogFields {
  start: string;
  method: string;
  path: string;
  protocol: string;
  code: number;
  /** `-` or flags joined by `,` (UF,URX). */
  flags: string;
  details: string;
  bytesReceived: number;
  bytesSent: number;
  durationMs: number;
  upstreamServiceMs?: number;
  xff: string;
  userAgent: string;
  requestId: string;
  authority: string;
  upstreamHost: string;
  upstreamCluster: string;
}

// [START] "METHOD PATH PROTO" CODE FLAGS DETAILS TERM "FAILURE" RX TX DURATION UPSTREAM_TIME "XFF" "UA" "ID"
// "AUTHORITY" "UPSTREAM_HOST" CLUSTER … (the rest: addresses, SNI, route)
const ACCESS =
  /^\[([^\]]+)\] "(\S+) (\S+) (\S+)" (\d+) (\S+) (\S+) \S+ "[^"]*" (\d+) (\d+) (\d+) (\S+) "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" (\S+)/;

export function parseAccessLog(text: string): AccessLogFields | undefined {
  const m = ACCESS.exec(text);
  if (!m) return undefined;
  const num = (i: number) => Number(m[i]);
  return {
    start: m[1]!,
    method: m[2]!,
    path: m[3]!,
    protocol: m[4]!,
    code: num(5),
    flags: m[6]!,
    details: m[7]!,
    bytesReceived: num(8),
    bytesSent: num(9),
    durationMs: num(10),
    ...(m[11] !== '-' ? { upstreamServiceMs: Number(m[11]) } : {}),
    xff: m[12]!,
    userAgent: m[13]!,
    requestId: m[14]!,
    authority: m[15]!,
    upstreamHost: m[16]!,
    upstreamCluster: m[17]!,
  };
}

export type Severity = 'error' | 'warn' | 'info';

/** Flags that only say something happened on the way, not that it failed. */
const BENIGN_FLAGS = new Set(['-', 'DI']);

/**
 * error: a 5xx or 0 (no response) access line, a failure flag (UF, UH, NR, FI, …), or an ERROR/FATAL
 * word; warn: a 4xx access line or WARN; else info.
 */
export function severityOf(text: string, access = parseAccessLog(text)): Severity {
  if (access) {
    const badFlag = access.flags.split(',').some((f) => !BENIGN_FLAGS.has(f));
    if (access.code >= 500 || access.code === 0 || badFlag) return 'error';
    if (access.code >= 400) return 'warn';
    return 'info';
  }
  if (/\b(ERROR|FATAL|CRITICAL|PANIC)\b/.test(text)) return 'error';
  if (/\b(WARN|WARNING)\b/.test(text)) return 'warn';
  return 'info';
}
