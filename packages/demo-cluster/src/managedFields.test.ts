import { describe, expect, it } from 'vitest';
import { withManagedFields } from './cluster';
import { managerFromUserAgent, writeOptions } from './negotiate';
import type { KObject } from './types';

const vs = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', labels: { app: 'reviews' } },
  spec: { hosts: ['reviews'] },
} as KObject;

describe('managedFields', () => {
  it('names the manager from ?fieldManager, else the User-Agent up to its first slash', () => {
    const q = (s: string) => new URLSearchParams(s);
    expect(writeOptions(q('fieldManager=helm'), 'PUT', 'kubectl/v1.31.0 (linux/amd64)').manager).toBe('helm');
    expect(writeOptions(q(''), 'PUT', 'kubectl/v1.31.0 (linux/amd64)').manager).toBe('kubectl');
    expect(writeOptions(q(''), 'PUT', undefined).manager).toBeUndefined();
    expect(managerFromUserAgent('node')).toBe('node');
    expect(() => writeOptions(q(`fieldManager=${'x'.repeat(129)}`), 'PUT')).toThrow(/128/);
  });

  it("keeps one entry per manager and operation, the writer's re-timed and last", () => {
    const first = withManagedFields(vs, undefined, { manager: 'kubectl-client-side-apply' });
    expect(first).toEqual([
      expect.objectContaining({
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'networking.istio.io/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': {} }, 'f:spec': {} },
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      }),
    ]);
    const second = withManagedFields(vs, first, { manager: 'meshlens' });
    const third = withManagedFields(vs, second, { manager: 'kubectl-client-side-apply' });
    expect(third?.map((e) => (e as { manager: string }).manager)).toEqual([
      'meshlens',
      'kubectl-client-side-apply',
    ]);
    const applied = withManagedFields(vs, third, { manager: 'meshlens', operation: 'Apply' });
    expect(applied).toHaveLength(3);
    expect(withManagedFields(vs, third, {})).toBe(third);
  });
});
