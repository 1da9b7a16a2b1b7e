/**
 * The one checker of path parameters, run before any handler (and so before any Kubernetes call):
 * `namespace` and `service` are DNS-1123 labels, `name` a DNS-1123 subdomain, `kind` a plain word. Case
 * is kept (`BOOKINFO` is refused, not lower-cased, as the Kubernetes client would do silently), and dot
 * segments (`.`, `..`, `%2e%2e`, decoded by the router before this check) are never names. A failure is
 * a 400 naming the parameter.
 */
import type { Router } from 'express';
import { InputError } from '../errors';

/** RFC 1123 label: namespaces, services. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1123 subdomain: object names (dot-separated labels, at most 253). */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const shown = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);

export const PARAM_CHECKS: Record<string, (value: string) => string | undefined> = {
  namespace: (v) =>
    DNS1123_LABEL.test(v)
      ? undefined
      : `${shown(v)} is not a namespace name (a DNS-1123 label: lowercase letters, digits and '-', at most 63)`,
  service: (v) =>
    DNS1123_LABEL.test(v)
      ? undefined
      : `${shown(v)} is not a service name (a DNS-1123 label: lowercase letters, digits and '-', at most 63)`,
  name: (v) =>
    v.length <= 253 && SUBDOMAIN.test(v)
      ? undefined
      : `${shown(v)} is not an object name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', at most 253)`,
  kind: (v) => (/^[A-Za-z]{1,63}$/.test(v) ? undefined : `${shown(v)} is not a kind`),
};

/** The message for an invalid parameter, or undefined. */
export function checkParam(param: string, value: string): string | undefined {
  return PARAM_CHECKS[param]?.(value);
}

/** Registers the checks on a router: every route of it with one of these parameters is checked. */
export function checkParams(router: Router): Router {
  for (const param of Object.keys(PARAM_CHECKS)) {
    router.param(param, (_req, _res, next, value: unknown) => {
      const problem = checkParam(param, String(value));
      next(
        problem
          ? new InputError(`${param}: ${problem}`, { issues: [{ param, message: problem }] })
          : undefined,
      );
    });
  }
  return router;
}
