import { describe, expect, it } from 'vitest';
import {
  ISTIO_CONFIG_KINDS,
  IstioConfigQuerySchema,
  IstioConfigResponseSchema,
  istioConfigSearchParams,
} from './config';
import { ISTIO_ROUTES } from './routes';

const issues = (input: unknown) => {
  const r = IstioConfigQuerySchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`);
};

describe('IstioConfigQuerySchema', () => {
  it('splits, sorts and de-duplicates namespaces; all kinds by default', () => {
    expect(ISTIO_ROUTES.config).toBe('/api/istio/config');
    expect(IstioConfigQuerySchema.parse({ namespaces: 'travel, bookinfo,travel' })).toEqual({
      namespaces: ['bookinfo', 'travel'],
      kinds: [...ISTIO_CONFIG_KINDS],
    });
    expect(IstioConfigQuerySchema.parse({ namespaces: ['a', 'b,c'] }).namespaces).toEqual(['a', 'b', 'c']);
  });

  it('keeps the kinds asked for, in the listed order', () => {
    const q = IstioConfigQuerySchema.parse({ namespaces: 'a', kinds: 'gateways,virtualservices,gateways' });
    expect(q.kinds).toEqual(['virtualservices', 'gateways']);
  });

  it('names the parameter that is wrong', () => {
    expect(issues({})).toEqual(['namespaces: required (a comma list of namespaces)']);
    expect(issues({ namespaces: 3 })).toEqual(['namespaces: expected a comma list of namespaces']);
    expect(issues({ namespaces: '' })).toEqual(['namespaces: at least one namespace is required']);
    expect(issues({ namespaces: 'ok,Bad_NS' })).toEqual([
      expect.stringMatching(/^namespaces: not a DNS label .*"Bad_NS"/),
    ]);
    expect(issues({ namespaces: 'a', kinds: 'virtualservices,widgets' })).toEqual([
      expect.stringMatching(/^kinds: expected a comma list of virtualservices\|.*, got "widgets"/),
    ]);
    expect(issues({ namespaces: 'a', kinds: ',' })).toEqual([expect.stringMatching(/^kinds: /)]);
    // Kinds are plural names, as in the per-kind route: `VirtualService` is not one.
    expect(issues({ namespaces: 'a', kinds: 'VirtualService' })).toHaveLength(1);
    expect(issues({ namespaces: 'a', validate: 'true' })).toEqual([expect.stringContaining('validate')]);
  });

  it('round-trips through istioConfigSearchParams', () => {
    const params = istioConfigSearchParams({ namespaces: ['a', 'b'], kinds: ['gateways', 'sidecars'] });
    expect(params.toString()).toBe('namespaces=a%2Cb&kinds=gateways%2Csidecars');
    expect(IstioConfigQuerySchema.parse(Object.fromEntries(params))).toEqual({
      namespaces: ['a', 'b'],
      kinds: ['gateways', 'sidecars'],
    });
    expect(istioConfigSearchParams({ namespaces: ['a'] }).has('kinds')).toBe(false);
  });
});

describe('IstioConfigResponseSchema', () => {
  const answer = {
    namespaces: ['bookinfo'],
    kinds: [{ plural: 'virtualservices', kind: 'VirtualService', apiVersion: 'networking.istio.io/v1' }],
    items: [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'reviews', namespace: 'bookinfo', labels: { a: 'b' } },
        spec: { hosts: ['reviews'] },
      },
    ],
    validations: [
      {
        kind: 'VirtualService',
        namespace: 'bookinfo',
        name: 'reviews',
        valid: false,
        checks: [{ code: 'KIA1107', severity: 'warning', message: 'subset not found', path: 'spec/http[0]' }],
      },
    ],
    errors: [{ plural: 'sidecars', kind: 'Sidecar', message: 'Kubernetes: forbidden' }],
  };

  it('accepts an answer and keeps the objects whole', () => {
    const parsed = IstioConfigResponseSchema.parse(answer);
    expect(parsed.items[0]?.spec).toEqual({ hosts: ['reviews'] });
    expect(parsed.items[0]?.metadata.labels).toEqual({ a: 'b' });
  });

  it('refuses an item without its namespace, and an error without its kind', () => {
    const noNs = structuredClone(answer);
    delete (noNs.items[0]?.metadata as { namespace?: string }).namespace;
    expect(IstioConfigResponseSchema.safeParse(noNs).success).toBe(false);
    const noKind = { ...answer, errors: [{ message: 'x' }] };
    expect(IstioConfigResponseSchema.safeParse(noKind).success).toBe(false);
  });
});
