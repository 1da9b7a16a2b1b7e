import { describe, expect, it } from 'vitest';
import { locatePath, splitPath } from './yamlPaths';

const VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
      weight: abc
    - destination:
        host: reviews
        subset: v2
      weight: 20
`;

describe('splitPath', () => {
  it('splits keys and indexes', () => {
    expect(splitPath('spec/http[0]/route[1]/weight')).toEqual(['spec', 'http', 0, 'route', 1, 'weight']);
    expect(splitPath('/spec/hosts[0]')).toEqual(['spec', 'hosts', 0]);
    expect(splitPath('')).toEqual([]);
  });
});

describe('locatePath', () => {
  it('finds a scalar at its line, spanning key and value', () => {
    const loc = locatePath(VS, 'spec/http[0]/route[0]/weight');
    expect(loc).toMatchObject({ line: 13, exact: true });
    expect(VS.slice(loc.from, loc.to)).toBe('weight: abc');
    expect(locatePath(VS, 'spec/http[0]/route[1]/weight').line).toBe(17);
    expect(locatePath(VS, 'spec/http[0]/route[1]/destination/subset').line).toBe(16);
  });

  it('finds sequence items and maps', () => {
    expect(locatePath(VS, 'spec/hosts[0]').line).toBe(7);
    expect(locatePath(VS, 'spec/http[0]/route').line).toBe(9);
    expect(locatePath(VS, 'metadata').line).toBe(3);
  });

  it('falls back to the deepest existing parent', () => {
    expect(locatePath(VS, 'spec/http[0]/timeout')).toMatchObject({ line: 9, exact: false });
    expect(locatePath(VS, 'spec/tcp[0]')).toMatchObject({ line: 5, exact: false });
    expect(locatePath(VS, 'nothing/here')).toMatchObject({ line: 1, exact: false });
  });
});
