import { describe, expect, it } from 'vitest';
import { requestAttributes } from './requestinfo';

const user = { name: 'u', groups: [] };
const attrs = (method: string, url: string) => {
  const { user: _u, ...a } = requestAttributes(user, method, new URL(url, 'http://localhost'));
  return a;
};

describe('requestAttributes (RequestInfoFactory)', () => {
  it('turns methods into verbs: list, watch, get, create, update, patch, delete, deletecollection', () => {
    expect(attrs('GET', '/api/v1/namespaces/ns/pods')).toMatchObject({
      verb: 'list',
      resource: 'pods',
      namespace: 'ns',
    });
    expect(attrs('GET', '/api/v1/pods?watch=true').verb).toBe('watch');
    expect(attrs('GET', '/api/v1/pods?watch=0').verb).toBe('list');
    expect(attrs('GET', '/api/v1/namespaces/ns/pods/p')).toMatchObject({ verb: 'get', name: 'p' });
    expect(attrs('POST', '/apis/networking.istio.io/v1/namespaces/ns/virtualservices')).toMatchObject({
      verb: 'create',
      apiGroup: 'networking.istio.io',
      apiVersion: 'v1',
      resource: 'virtualservices',
    });
    expect(attrs('PUT', '/api/v1/namespaces/ns/pods/p').verb).toBe('update');
    expect(attrs('PATCH', '/apis/apps/v1/namespaces/ns/deployments/d/scale')).toMatchObject({
      verb: 'patch',
      resource: 'deployments',
      subresource: 'scale',
      name: 'd',
    });
    expect(attrs('DELETE', '/api/v1/namespaces/ns/pods/p').verb).toBe('delete');
    expect(attrs('DELETE', '/api/v1/namespaces/ns/pods').verb).toBe('deletecollection');
  });

  it('treats a namespace as a resource of itself, and its status and finalize as subresources', () => {
    expect(attrs('GET', '/api/v1/namespaces')).toMatchObject({
      verb: 'list',
      resource: 'namespaces',
      namespace: '',
    });
    expect(attrs('GET', '/api/v1/namespaces/bookinfo')).toMatchObject({
      verb: 'get',
      resource: 'namespaces',
      name: 'bookinfo',
      namespace: 'bookinfo',
    });
    expect(attrs('PUT', '/api/v1/namespaces/bookinfo/status')).toMatchObject({
      verb: 'update',
      resource: 'namespaces',
      subresource: 'status',
      namespace: 'bookinfo',
    });
  });

  it('names the object a list or watch pins with a metadata.name field selector', () => {
    expect(
      attrs('GET', '/api/v1/namespaces/ns/configmaps?watch=1&fieldSelector=metadata.name%3Dcfg'),
    ).toMatchObject({
      verb: 'watch',
      name: 'cfg',
    });
    expect(
      attrs('GET', '/api/v1/namespaces/ns/configmaps?fieldSelector=metadata.name!%3Dcfg').name,
    ).toBeUndefined();
  });

  it('leaves discovery and other paths as non-resource requests, split as the router splits them', () => {
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3'])
      expect(attrs('GET', p)).toEqual({ verb: 'get', resourceRequest: false, path: p });
    // Empty segments are skipped, as the router skips them: this is a get of the namespace "pods".
    expect(attrs('GET', '/api/v1/namespaces//pods')).toMatchObject({
      verb: 'get',
      resource: 'namespaces',
      name: 'pods',
    });
    expect(() => attrs('GET', '/api/v1/namespaces/%E0%A4%A/pods')).toThrow(/malformed path/);
  });
});
