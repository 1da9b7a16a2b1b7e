import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, serverSideApply, strategicMergePatch } from './patch';

const deployment = {
  metadata: { labels: { app: 'a' }, finalizers: ['x'] },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'app:1',
            ports: [{ containerPort: 80 }, { containerPort: 81 }],
            env: [{ name: 'A', value: '1' }],
          },
          { name: 'side', image: 'side:1' },
        ],
        tolerations: [{ key: 'k' }],
      },
    },
  },
};

describe('strategic merge patch', () => {
  it('merges containers by name and their ports by containerPort', () => {
    const out = strategicMergePatch(deployment, {
      spec: {
        template: { spec: { containers: [{ name: 'app', image: 'app:2', ports: [{ containerPort: 82 }] }] } },
      },
    }) as typeof deployment;
    const [app, side] = out.spec.template.spec.containers;
    expect(app?.image).toBe('app:2');
    expect(app?.ports?.map((p) => p.containerPort)).toEqual([80, 81, 82]);
    expect(app?.env).toEqual([{ name: 'A', value: '1' }]);
    expect(side).toEqual({ name: 'side', image: 'side:1' });
  });

  it('replaces lists without a merge key and deletes keys set to null', () => {
    const out = strategicMergePatch(deployment, {
      metadata: { labels: null },
      spec: { template: { spec: { tolerations: [{ key: 'j' }] } } },
    }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(out.metadata.labels).toBeUndefined();
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'j' }]);
  });

  it('honours $patch delete/replace, $setElementOrder, $deleteFromPrimitiveList and $retainKeys', () => {
    const out = strategicMergePatch(deployment, {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }],
            containers: [{ name: 'app', env: [{ name: 'A', $patch: 'delete' }] }],
          },
        },
        strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 1 } },
      },
    }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(out.metadata.finalizers).toEqual([]);
    expect(out.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['side', 'app']);
    expect(out.spec.template.spec.containers[1].env).toEqual([]);
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    const replaced = strategicMergePatch(deployment, {
      spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o' }] } } },
    }) as typeof deployment;
    expect(replaced.spec.template.spec.containers).toEqual([{ name: 'only', image: 'o' }]);
  });

  it('merges service ports by port', () => {
    const svc = { spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } };
    const out = strategicMergePatch(svc, {
      spec: {
        ports: [
          { port: 80, targetPort: 9090 },
          { name: 'grpc', port: 90 },
        ],
      },
    });
    expect(out).toEqual({
      spec: {
        ports: [
          { name: 'http', port: 80, targetPort: 9090 },
          { name: 'grpc', port: 90 },
        ],
      },
    });
  });
});

describe('merge and JSON patch', () => {
  it('applies RFC 7386 merge patch: lists replaced, null deletes', () => {
    expect(mergePatch({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null })).toEqual({
      a: { b: 1, c: [3] },
    });
  });

  it('applies RFC 6902 JSON patch and reports a failing op as 400', () => {
    expect(jsonPatch({ a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }])).toEqual({ a: [1, 2] });
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow();
  });
});

describe('server-side apply', () => {
  it('removes fields this manager set before and no longer sets, keeping the rest', () => {
    const live = { metadata: { labels: { a: '1', b: '2' } }, spec: { hosts: ['x'], gateways: ['g'] } };
    const prev = { metadata: { labels: { a: '1' } }, spec: { hosts: ['x'], gateways: ['g'] } };
    const next = { metadata: { labels: { a: '1' } }, spec: { hosts: ['y'] } };
    expect(serverSideApply(live, next, prev)).toEqual({
      metadata: { labels: { a: '1', b: '2' } },
      spec: { hosts: ['y'] },
    });
  });
});

describe('server-side apply of custom resources', () => {
  it('replaces lists atomically instead of merging them by a built-in key', () => {
    const live = {
      spec: {
        hosts: ['a'],
        ports: [
          { number: 80, name: 'http' },
          { number: 443, name: 'https' },
        ],
      },
    };
    const applied = { spec: { hosts: ['a'], ports: [{ number: 8080, name: 'alt' }] } };
    expect(serverSideApply(live, applied, undefined, false)).toEqual(applied);
  });

  it('appends list items that lack the merge key rather than merging them into the first', () => {
    const out = strategicMergePatch(
      { spec: { ports: [{ number: 80 }] } },
      { spec: { ports: [{ number: 81 }] } },
    );
    expect(out).toEqual({ spec: { ports: [{ number: 80 }, { number: 81 }] } });
  });
});
