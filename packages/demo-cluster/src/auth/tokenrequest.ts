/**
 * `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token` (TokenRequest, what `kubectl create token` sends):
 * a signed, expiring token for the service account, optionally bound to a pod or secret of its namespace.
 */
import type { Cluster } from '../cluster';
import { ApiError, badRequest, invalid, notFound } from '../errors';
import { AUTHENTICATION_GROUP } from '../rbac/kinds';
import type { ServiceAccountTokens } from './serviceaccounts';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;

const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export async function tokenRequest(
  cluster: Cluster,
  tokens: ServiceAccountTokens,
  ns: string,
  name: string,
  body: unknown,
): Promise<Obj> {
  const saType = cluster.registry.byResource('', 'serviceaccounts');
  if (!saType) throw notFound('serviceaccounts', '', name);
  const sa = cluster.get(saType, ns, name);
  const o = asObj(body);
  if (!o) throw badRequest('the request body must be a TokenRequest object');
  if (o.kind !== undefined && o.kind !== 'TokenRequest')
    throw badRequest(`the body's kind ${JSON.stringify(o.kind)} is not TokenRequest`);
  const spec = asObj(o.spec) ?? {};
  const audiences = spec.audiences ?? [];
  if (!Array.isArray(audiences) || audiences.some((a) => typeof a !== 'string'))
    throw badRequest(
      'TokenRequest in version "v1" cannot be handled as a TokenRequest: spec.audiences must be a list of strings',
    );
  const exp = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (typeof exp !== 'number' || !Number.isInteger(exp))
    throw badRequest(
      'TokenRequest in version "v1" cannot be handled as a TokenRequest: spec.expirationSeconds must be an integer',
    );
  if (exp < MIN_EXPIRATION_SECONDS)
    throw invalid('TokenRequest', AUTHENTICATION_GROUP, name, [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${exp}: may not specify a duration less than 10 minutes`,
        field: 'spec.expirationSeconds',
      },
    ]);
  if (exp > MAX_EXPIRATION_SECONDS)
    throw invalid('TokenRequest', AUTHENTICATION_GROUP, name, [
      {
        reason: 'FieldValueTooLong',
        message: `Invalid value: ${exp}: may not specify a duration larger than 2^32 seconds`,
        field: 'spec.expirationSeconds',
      },
    ]);
  const ref = asObj(spec.boundObjectRef);
  let pod;
  let secret;
  if (ref) {
    const kind = String(ref.kind ?? '');
    const refName = String(ref.name ?? '');
    const apiVersion = String(ref.apiVersion ?? 'v1');
    if (apiVersion !== 'v1' || (kind !== 'Pod' && kind !== 'Secret'))
      throw badRequest(`cannot bind token to object of type ${apiVersion}, Kind=${kind}`);
    const bound = cluster.store.get(kind === 'Pod' ? 'pods' : 'secrets', ns, refName);
    if (!bound) throw notFound(kind === 'Pod' ? 'pods' : 'secrets', '', refName);
    if (kind === 'Pod') {
      const podSa =
        (bound.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? 'default';
      if (podSa !== name)
        throw badRequest(
          `cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`,
        );
      pod = bound;
    } else secret = bound;
    if (ref.uid && ref.uid !== bound.metadata.uid)
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${kind} "${refName}": the UID in the bound object reference (${String(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`,
        { name: refName, kind },
      );
  }
  const auds = audiences.length ? (audiences as string[]) : tokens.apiAudiences;
  const issued = await tokens.issue(sa, {
    audiences: auds,
    expirationSeconds: exp,
    ...(pod ? { pod } : {}),
    ...(secret ? { secret } : {}),
  });
  return {
    kind: 'TokenRequest',
    apiVersion: `${AUTHENTICATION_GROUP}/v1`,
    metadata: {
      name,
      namespace: ns,
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    },
    spec: { audiences: auds, expirationSeconds: exp, boundObjectRef: ref ?? null },
    status: {
      token: issued.token,
      expirationTimestamp: issued.expires.toISOString().replace(/\.\d+Z$/, 'Z'),
    },
  };
}
