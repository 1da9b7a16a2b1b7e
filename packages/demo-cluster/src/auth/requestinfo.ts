/**
 * What a request asks for, as kube-apiserver's RequestInfoFactory resolves it: resource or non-resource,
 * verb (get/list/watch/create/update/patch/delete/deletecollection), API group, namespace, resource,
 * subresource and name. Paths are split exactly as the emulator's router splits them (http.ts), so that
 * what is authorized is what is served.
 */
import { badRequest } from '../errors';
import type { UserInfo } from './user';
import type { Attributes } from '../rbac/rules';

/** Subresources of a namespace that stay on the namespace (not a resource of that name inside it). */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const SPECIAL_VERBS = new Set(['proxy', 'watch']);

/** The router's path: trailing slashes dropped, empty segments skipped, each segment percent-decoded. */
export function splitRequestPath(pathname: string): { path: string; parts: string[] } {
  const path = pathname.replace(/\/+$/, '') || '/';
  try {
    return { path, parts: path.split('/').filter(Boolean).map(decodeURIComponent) };
  } catch {
    throw badRequest(`malformed path: ${path}`);
  }
}

function watchRequested(q: URLSearchParams): boolean {
  const w = q.get('watch');
  if (w === null) return false;
  return !['false', '0', ''].includes(w.toLowerCase());
}

/** The metadata.name a field selector pins exactly (`metadata.name=x` or `metadata.name==x`). */
function nameFromFieldSelector(q: URLSearchParams): string | undefined {
  const fs = q.get('fieldSelector');
  if (!fs) return undefined;
  for (const term of fs.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (m && !term.includes('!=')) {
      const name = m[1] ?? '';
      // path.IsValidPathSegmentName
      if (name && name !== '.' && name !== '..' && !/[/%]/.test(name)) return name;
    }
  }
  return undefined;
}

export function requestAttributes(user: UserInfo, method: string, url: URL): Attributes {
  const { path, parts } = splitRequestPath(url.pathname);
  const nonResource: Attributes = {
    user,
    verb: method.toLowerCase(),
    resourceRequest: false,
    path: url.pathname,
  };
  if (parts.length < 3) return nonResource;
  let rest: string[];
  let apiGroup = '';
  if (parts[0] === 'api') rest = parts.slice(1);
  else if (parts[0] === 'apis') {
    if (parts.length < 4) return nonResource;
    apiGroup = parts[1] ?? '';
    rest = parts.slice(2);
  } else return nonResource;
  const apiVersion = rest[0] ?? '';
  let current = rest.slice(1);
  let verb: string;
  if (current[0] !== undefined && SPECIAL_VERBS.has(current[0])) {
    if (current.length < 2) throw badRequest(`unable to determine kind and namespace from url ${path}`);
    verb = current[0];
    current = current.slice(1);
  } else {
    verb =
      { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ??
      '';
  }
  let namespace = '';
  if (current[0] === 'namespaces') {
    if (current.length > 1) {
      namespace = current[1] ?? '';
      if (current.length > 2 && !NAMESPACE_SUBRESOURCES.has(current[2] ?? '')) current = current.slice(2);
    }
  }
  const a: Attributes = {
    user,
    verb,
    resourceRequest: true,
    path: url.pathname,
    apiGroup,
    apiVersion,
    namespace,
    resource: current[0] ?? '',
  };
  if (current.length >= 2) a.name = current[1];
  if (current.length >= 3 && verb !== 'proxy') a.subresource = current[2];
  if (!a.name && verb === 'get') {
    a.verb = watchRequested(url.searchParams) ? 'watch' : 'list';
    const pinned = nameFromFieldSelector(url.searchParams);
    if (pinned) a.name = pinned;
  }
  if (!a.name && a.verb === 'delete') a.verb = 'deletecollection';
  return a;
}
