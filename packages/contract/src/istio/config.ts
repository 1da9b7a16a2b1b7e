/**
 * `GET /api/istio/config?namespaces=a,b[&kinds=virtualservices,gateways]`: every Istio object of the
 * selected namespaces in one answer (the Istio Config page), with validations and the kinds that could
 * not be read. The server lists each kind once, whatever the number of namespaces.
 */
import { z } from 'zod';
import { namespacesParam } from '../graphQuery';
import { ObjectValidationSchema } from './routes';

/** The kinds the Istio Config page lists, by CRD plural. */
export const ISTIO_CONFIG_KINDS = [
  'virtualservices',
  'destinationrules',
  'gateways',
  'serviceentries',
  'sidecars',
  'peerauthentications',
  'authorizationpolicies',
  'requestauthentications',
  'envoyfilters',
  'workloadentries',
] as const;
export type IstioConfigKind = (typeof ISTIO_CONFIG_KINDS)[number];

/** `a,b` (or repeated `?kinds=a&kinds=b`) among ISTIO_CONFIG_KINDS; yields them in the listed order. */
const kindsParam = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const parts = (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = parts.filter((p) => !(ISTIO_CONFIG_KINDS as readonly string[]).includes(p));
  if (bad.length > 0 || parts.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a comma list of ${ISTIO_CONFIG_KINDS.join('|')}${
        bad.length ? `, got ${JSON.stringify(bad[0]?.slice(0, 40))}` : ''
      }`,
    });
    return z.NEVER;
  }
  return ISTIO_CONFIG_KINDS.filter((k) => parts.includes(k));
});

/** Query of `GET /api/istio/config`; unknown parameters are refused. */
export const IstioConfigQuerySchema = z.strictObject({
  namespaces: z
    .union([z.string(), z.array(z.string())], {
      error: (iss) =>
        iss.input === undefined
          ? 'required (a comma list of namespaces)'
          : 'expected a comma list of namespaces',
    })
    .pipe(namespacesParam),
  kinds: kindsParam.default([...ISTIO_CONFIG_KINDS]),
});
export type IstioConfigQueryInput = z.input<typeof IstioConfigQuerySchema>;
export type IstioConfigQuery = z.output<typeof IstioConfigQuerySchema>;

/** Builds the URL query of `GET /api/istio/config` (kinds left out = all of them). */
export function istioConfigSearchParams(query: {
  namespaces: readonly string[];
  kinds?: readonly IstioConfigKind[];
}): URLSearchParams {
  const params = new URLSearchParams({ namespaces: query.namespaces.join(',') });
  if (query.kinds !== undefined) params.set('kinds', query.kinds.join(','));
  return params;
}

/** An Istio object as listed: kind, apiVersion and namespace always set. */
export const IstioConfigObjectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string(), namespace: z.string() }),
});
export type IstioConfigObject = z.infer<typeof IstioConfigObjectSchema>;

export const IstioConfigResponseSchema = z.object({
  /** The namespaces asked for, sorted. */
  namespaces: z.array(z.string()),
  /** The kinds read (a kind whose CRD the cluster lacks is left out, not an error). */
  kinds: z.array(z.object({ plural: z.string(), kind: z.string(), apiVersion: z.string() })),
  /** Objects of those kinds in those namespaces, by namespace, kind, name. */
  items: z.array(IstioConfigObjectSchema),
  /** One per item, same shape as the per-kind list's. */
  validations: z.array(ObjectValidationSchema),
  /** Kinds that could not be read; the rest are still listed. */
  errors: z.array(z.object({ plural: z.string(), kind: z.string(), message: z.string() })),
});
export type IstioConfigResponse = z.infer<typeof IstioConfigResponseSchema>;
