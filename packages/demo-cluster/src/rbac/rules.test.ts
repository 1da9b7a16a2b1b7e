import { describe, expect, it } from 'vitest';
import { compactRules, compactString, covers, ruleAllows, type Attributes, type PolicyRule } from './rules';

const user = { name: 'u', groups: [] };
const res = (verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes => ({
  user,
  verb,
  resourceRequest: true,
  apiGroup: '',
  resource,
  ...extra,
});
const path = (verb: string, p: string): Attributes => ({ user, verb, resourceRequest: false, path: p });

describe('ruleAllows (rbac.RuleAllows)', () => {
  it('matches verbs, groups and resources, with * for any', () => {
    const rule: PolicyRule = { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'] };
    expect(ruleAllows(res('list', 'deployments', { apiGroup: 'apps' }), rule)).toBe(true);
    expect(ruleAllows(res('delete', 'deployments', { apiGroup: 'apps' }), rule)).toBe(false);
    expect(ruleAllows(res('list', 'deployments', { apiGroup: 'extensions' }), rule)).toBe(false);
    expect(ruleAllows(res('list', 'replicasets', { apiGroup: 'apps' }), rule)).toBe(false);
    expect(
      ruleAllows(res('patch', 'anything', { apiGroup: 'x.io' }), {
        verbs: ['*'],
        apiGroups: ['*'],
        resources: ['*'],
      }),
    ).toBe(true);
  });

  it('names a subresource as resource/subresource, or */subresource for any resource (not resource/*)', () => {
    const scale = res('patch', 'deployments', { apiGroup: 'apps', subresource: 'scale' });
    expect(ruleAllows(scale, { verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments'] })).toBe(
      false,
    );
    expect(
      ruleAllows(scale, { verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments/scale'] }),
    ).toBe(true);
    expect(ruleAllows(scale, { verbs: ['patch'], apiGroups: ['apps'], resources: ['*/scale'] })).toBe(true);
    expect(ruleAllows(scale, { verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments/*'] })).toBe(
      false,
    );
    expect(ruleAllows(res('get', 'pods'), { verbs: ['get'], apiGroups: [''], resources: ['*/log'] })).toBe(
      false,
    );
  });

  it('restricts by resourceNames, which a create (no name yet) never matches', () => {
    const rule: PolicyRule = {
      verbs: ['get', 'create'],
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: ['a'],
    };
    expect(ruleAllows(res('get', 'configmaps', { name: 'a' }), rule)).toBe(true);
    expect(ruleAllows(res('get', 'configmaps', { name: 'b' }), rule)).toBe(false);
    expect(ruleAllows(res('create', 'configmaps'), rule)).toBe(false);
  });

  it('matches non-resource URLs exactly or by a trailing * prefix', () => {
    const rule: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/apis/*', '/healthz'] };
    expect(ruleAllows(path('get', '/apis/apps/v1'), rule)).toBe(true);
    expect(ruleAllows(path('get', '/apis/'), rule)).toBe(true);
    expect(ruleAllows(path('get', '/apis'), rule)).toBe(false);
    expect(ruleAllows(path('get', '/healthz/etcd'), rule)).toBe(false);
    expect(ruleAllows(path('post', '/healthz'), rule)).toBe(false);
    expect(ruleAllows(res('get', 'pods'), rule)).toBe(false);
  });
});

describe('covers (escalation check)', () => {
  it('reports each permission of the servant that the owner lacks, broken down per verb and resource', () => {
    const owner: PolicyRule[] = [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/status'] },
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
    ];
    expect(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods', 'pods/status'] }]).ok).toBe(
      true,
    );
    expect(covers(owner, [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }]).ok).toBe(true);
    const { ok, missing } = covers(owner, [
      { verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] },
    ]);
    expect(ok).toBe(false);
    expect(missing).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['delete'] },
    ]);
    expect(compactRules(missing).map(compactString)).toEqual([
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}',
    ]);
  });

  it('lets a rule without resourceNames cover named ones, not the reverse', () => {
    const named: PolicyRule = {
      verbs: ['get'],
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: ['a'],
    };
    const any: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] };
    expect(covers([any], [named]).ok).toBe(true);
    expect(covers([named], [any]).ok).toBe(false);
  });
});
