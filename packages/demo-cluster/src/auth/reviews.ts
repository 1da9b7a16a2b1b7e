/**
 * The review APIs: authorization.k8s.io/v1 SelfSubjectAccessReview, SelfSubjectRulesReview,
 * SubjectAccessReview and LocalSubjectAccessReview; authentication.k8s.io/v1 TokenReview and
 * SelfSubjectReview (`kubectl auth whoami`). Each is created (POST) and answered at once, never stored.
 */
import { badRequest, invalid, type StatusCause } from '../errors';
import { aggregate, type RbacAuthorizer } from '../rbac/authorizer';
import { AUTHENTICATION_GROUP, AUTHORIZATION_GROUP } from '../rbac/kinds';
import type { Attributes } from '../rbac/rules';
import type { Authenticator } from './authenticator';
import { userInfoJson, type UserInfo } from './user';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function strings(v: unknown, field: string, kind: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw badRequest(
      `${kind} in version "v1" cannot be handled as a ${kind}: ${field} must be a list of strings`,
    );
  return v as string[];
}

function requireBody(body: unknown, kind: string, group: string): Obj {
  const o = asObj(body);
  if (!o) throw badRequest(`the request body must be a ${kind} object`);
  if (o.kind !== undefined && o.kind !== kind)
    throw badRequest(`the body's kind ${JSON.stringify(o.kind)} is not ${kind}`);
  if (o.apiVersion !== undefined && o.apiVersion !== `${group}/v1`)
    throw badRequest(
      `the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${group}/v1)`,
    );
  return o;
}

const answer = (kind: string, group: string, spec: unknown, status: Obj): Obj => ({
  kind,
  apiVersion: `${group}/v1`,
  metadata: { creationTimestamp: null },
  spec,
  status,
});

/** The attributes a (Self|Local)SubjectAccessReview spec asks about, validated as the API server does. */
function specAttributes(
  kind: string,
  spec: Obj,
  user: UserInfo,
  causes: StatusCause[],
): Attributes | undefined {
  const ra = asObj(spec.resourceAttributes);
  const nra = asObj(spec.nonResourceAttributes);
  if (ra && nra)
    causes.push({
      reason: 'FieldValueInvalid',
      message: 'Invalid value: "object": cannot be specified in combination with resourceAttributes',
      field: 'spec.nonResourceAttributes',
    });
  if (!ra && !nra)
    causes.push({
      reason: 'FieldValueInvalid',
      message:
        'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      field: 'spec.resourceAttributes',
    });
  if (causes.length) return undefined;
  if (ra) {
    for (const f of ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'])
      if (ra[f] !== undefined && typeof ra[f] !== 'string')
        throw badRequest(
          `${kind} in version "v1" cannot be handled as a ${kind}: spec.resourceAttributes.${f} must be a string`,
        );
    return {
      user,
      verb: str(ra.verb),
      resourceRequest: true,
      namespace: str(ra.namespace),
      apiGroup: str(ra.group),
      apiVersion: str(ra.version),
      resource: str(ra.resource),
      subresource: str(ra.subresource),
      name: str(ra.name),
    };
  }
  return { user, verb: str(nra?.verb), resourceRequest: false, path: str(nra?.path) };
}

function accessStatus(authorizer: RbacAuthorizer, a: Attributes): Obj {
  const d = authorizer.authorize(a);
  return { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
}

export interface ReviewContext {
  user: UserInfo;
  authorizer: RbacAuthorizer;
  authenticator: Authenticator;
  /** The namespace in the URL (LocalSubjectAccessReview). */
  namespace?: string;
}

/** Answers a review kind's POST body; the caller sends it with 201 Created. */
export async function review(kind: string, body: unknown, ctx: ReviewContext): Promise<Obj> {
  switch (kind) {
    case 'SelfSubjectAccessReview': {
      const o = requireBody(body, kind, AUTHORIZATION_GROUP);
      const spec = asObj(o.spec) ?? {};
      const causes: StatusCause[] = [];
      const a = specAttributes(kind, spec, ctx.user, causes);
      if (!a) throw invalid(kind, AUTHORIZATION_GROUP, '', causes);
      return answer(kind, AUTHORIZATION_GROUP, spec, accessStatus(ctx.authorizer, a));
    }
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview': {
      const o = requireBody(body, kind, AUTHORIZATION_GROUP);
      const spec = asObj(o.spec) ?? {};
      const causes: StatusCause[] = [];
      const subject: UserInfo = {
        name: str(spec.user),
        ...(str(spec.uid) ? { uid: str(spec.uid) } : {}),
        groups: strings(spec.groups, 'spec.groups', kind),
        ...(asObj(spec.extra) ? { extra: spec.extra as Record<string, string[]> } : {}),
      };
      if (!subject.name && subject.groups.length === 0)
        causes.push({
          reason: 'FieldValueInvalid',
          message: 'Invalid value: "": at least one of user or group must be specified',
          field: 'spec.user',
        });
      if (kind === 'LocalSubjectAccessReview') {
        if (asObj(spec.nonResourceAttributes))
          causes.push({
            reason: 'FieldValueInvalid',
            message: 'Invalid value: "object": disallowed on this kind of request',
            field: 'spec.nonResourceAttributes',
          });
        const ra = asObj(spec.resourceAttributes);
        if (ra && str(ra.namespace) !== (ctx.namespace ?? ''))
          throw badRequest(
            `spec.resourceAttributes.namespace must match namespace: ${ctx.namespace ?? ''} != ${str(ra.namespace)}`,
          );
      }
      const a = specAttributes(kind, spec, subject, causes);
      if (!a || causes.length) throw invalid(kind, AUTHORIZATION_GROUP, '', causes);
      return answer(kind, AUTHORIZATION_GROUP, spec, accessStatus(ctx.authorizer, a));
    }
    case 'SelfSubjectRulesReview': {
      const o = requireBody(body, kind, AUTHORIZATION_GROUP);
      const spec = asObj(o.spec) ?? {};
      const namespace = str(spec.namespace);
      if (!namespace) throw badRequest('no namespace on request');
      const { rules, errors } = ctx.authorizer.rulesFor(ctx.user, namespace);
      const resourceRules = rules
        .filter((r) => (r.resources ?? []).length > 0)
        .map((r) => ({
          verbs: r.verbs,
          ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
          resources: r.resources,
          ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
        }));
      const nonResourceRules = rules
        .filter((r) => (r.nonResourceURLs ?? []).length > 0)
        .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
      return answer(kind, AUTHORIZATION_GROUP, spec, {
        resourceRules,
        nonResourceRules,
        incomplete: errors.length > 0,
        ...(errors.length ? { evaluationError: aggregate(errors) } : {}),
      });
    }
    case 'TokenReview': {
      const o = requireBody(body, kind, AUTHENTICATION_GROUP);
      const spec = asObj(o.spec) ?? {};
      const token = str(spec.token);
      if (!token) throw badRequest('token is required for TokenReview in authentication');
      const audiences = strings(spec.audiences, 'spec.audiences', kind);
      const r = await ctx.authenticator.authenticateToken(token, audiences);
      return answer(kind, AUTHENTICATION_GROUP, spec, {
        ...(r.authenticated ? { authenticated: true } : {}),
        user: r.user ? userInfoJson(r.user) : {},
        ...(r.authenticated && r.audiences?.length ? { audiences: r.audiences } : {}),
        ...(r.error ? { error: r.error } : {}),
      });
    }
    case 'SelfSubjectReview': {
      requireBody(body, kind, AUTHENTICATION_GROUP);
      return {
        kind,
        apiVersion: `${AUTHENTICATION_GROUP}/v1`,
        metadata: { creationTimestamp: null },
        status: { userInfo: userInfoJson(ctx.user) },
      };
    }
    default:
      throw badRequest(`${kind} is not a review kind`);
  }
}
