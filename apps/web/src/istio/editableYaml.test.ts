import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { editorStatus, toEditableYaml } from './editableYaml';

describe('toEditableYaml', () => {
  it('drops status and managedFields, keeps the rest of metadata and spec', () => {
    const text = toEditableYaml({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: {
        name: 'reviews',
        namespace: 'bookinfo',
        resourceVersion: '7',
        managedFields: [{ manager: 'x' }],
      },
      spec: { hosts: ['reviews'] },
      status: { observedGeneration: 1 },
    });
    expect(parse(text)).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'bookinfo', resourceVersion: '7' },
      spec: { hosts: ['reviews'] },
    });
  });
});

describe('editorStatus', () => {
  const base = { canWrite: true, checking: false, errors: 0, findings: 0 };
  it('says read-only before anything else when the user may not write', () => {
    expect(editorStatus({ ...base, canWrite: false, checking: true, errors: 2 })).toBe('read-only');
  });
  it('says checking while the dry run runs', () => {
    expect(editorStatus({ ...base, checking: true, errors: 1 })).toBe('checking…');
  });
  it('counts errors, one or many, before findings', () => {
    expect(editorStatus({ ...base, errors: 1, findings: 3 })).toBe('1 error');
    expect(editorStatus({ ...base, errors: 2, findings: 3 })).toBe('2 errors');
  });
  it('counts findings that are not errors, and says valid when there are none', () => {
    expect(editorStatus({ ...base, findings: 2 })).toBe('2 finding(s)');
    expect(editorStatus(base)).toBe('valid');
  });
});
