/**
 * Impersonation headers (`Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid`, `Impersonate-Extra-*`),
 * each checked with the `impersonate` verb as kube-apiserver's impersonation filter does: users, groups and
 * service accounts in the core group, uids and user extras in authentication.k8s.io.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest } from '../errors';
import { forbidden, type RbacAuthorizer } from '../rbac/authorizer';
import type { Attributes } from '../rbac/rules';
import {
  ALL_AUTHENTICATED,
  ALL_UNAUTHENTICATED,
  ANONYMOUS,
  parseServiceAccountUsername,
  serviceAccountGroups,
  type UserInfo,
} from './user';

const EXTRA_PREFIX = 'impersonate-extra-';

function values(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === name && raw[i + 1]) out.push(raw[i + 1] ?? '');
  return out;
}

/** The impersonated user, or undefined when the request impersonates no one. Throws 403 when not allowed. */
export function impersonate(
  req: IncomingMessage,
  requester: UserInfo,
  authorizer: RbacAuthorizer,
): UserInfo | undefined {
  const userHeader = req.headers['impersonate-user'];
  const username = (Array.isArray(userHeader) ? userHeader[0] : userHeader)?.trim() ?? '';
  // One group per header, as sent (Node would join repeated headers with ", ").
  const groups = values(req, 'impersonate-group');
  const uidHeader = req.headers['impersonate-uid'];
  const uid = (Array.isArray(uidHeader) ? uidHeader[0] : uidHeader)?.trim() ?? '';
  const extra: Record<string, string[]> = {};
  for (const h of Object.keys(req.headers)) {
    if (!h.startsWith(EXTRA_PREFIX)) continue;
    let key: string;
    try {
      key = decodeURIComponent(h.slice(EXTRA_PREFIX.length).toLowerCase());
    } catch {
      throw badRequest(`malformed impersonation header ${h}`);
    }
    extra[key] = values(req, h);
  }
  const hasExtra = Object.keys(extra).length > 0;
  if (!username) {
    if (groups.length || uid || hasExtra) {
      const what = [
        ...groups.map((g) => `group ${g}`),
        ...(uid ? [`uid ${uid}`] : []),
        ...(hasExtra ? ['user extra'] : []),
      ];
      throw badRequest(`requested ${what.join(', ')} without impersonating a user`);
    }
    return undefined;
  }
  const check = (a: Omit<Attributes, 'user' | 'verb' | 'resourceRequest'>): void => {
    const attrs: Attributes = { user: requester, verb: 'impersonate', resourceRequest: true, ...a };
    const d = authorizer.authorize(attrs);
    if (!d.allowed) throw forbidden(attrs, d.reason);
  };
  const sa = parseServiceAccountUsername(username);
  let finalGroups = [...groups];
  if (sa) {
    check({ apiGroup: '', resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name });
    if (groups.length === 0) finalGroups = serviceAccountGroups(sa.namespace);
  } else check({ apiGroup: '', resource: 'users', name: username });
  for (const g of groups) check({ apiGroup: '', resource: 'groups', name: g });
  for (const [key, vs] of Object.entries(extra))
    for (const v of vs)
      check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v });
  if (uid) check({ apiGroup: 'authentication.k8s.io', resource: 'uids', name: uid });

  if (username !== ANONYMOUS) {
    if (!finalGroups.includes(ALL_AUTHENTICATED) && !finalGroups.includes(ALL_UNAUTHENTICATED))
      finalGroups.push(ALL_AUTHENTICATED);
  } else if (!finalGroups.includes(ALL_UNAUTHENTICATED)) finalGroups.push(ALL_UNAUTHENTICATED);
  return {
    name: username,
    ...(uid ? { uid } : {}),
    groups: finalGroups,
    ...(hasExtra ? { extra } : {}),
  };
}
