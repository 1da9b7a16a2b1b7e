/** Server-side printing (meta.k8s.io/v1 Table), so `kubectl get` shows the columns a real cluster shows. */
import { AGE, asArr, asObj, BUILT_IN_COLUMNS, humanDuration, NAME, num, type Column } from './columns';
import type { KObject, ResourceType } from './types';

type Obj = Record<string, unknown>;
/** Simple JSONPath as used by additionalPrinterColumns: `.spec.hosts`, `.status.x[0].y`. */
function evalPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const m of path.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = m[1] !== undefined ? (cur as Obj)[m[1]] : (cur as unknown[])[Number(m[2])];
  }
  return cur;
}

function crdColumns(t: ResourceType, version: string): Column[] {
  const versions = asArr(asObj(t.crd?.spec).versions);
  const v = versions.find((x) => x.name === version) ?? versions[0];
  const cols = asArr(v?.additionalPrinterColumns);
  if (!cols.length) return [NAME, AGE];
  return [
    NAME,
    ...cols.map((c): Column => ({
      name: String(c.name),
      type: String(c.type ?? 'string'),
      priority: num(c.priority),
      description: c.description as string | undefined,
      cell: (o) => {
        const val = evalPath(o, String(c.jsonPath));
        if (c.type === 'date')
          return typeof val === 'string' ? humanDuration(Date.now() - Date.parse(val)) : '<unknown>';
        if (val === undefined || val === null) return null;
        return typeof val === 'object' ? JSON.stringify(val) : val;
      },
    })),
  ];
}

export function toTable(
  t: ResourceType,
  version: string,
  objects: KObject[],
  listMeta: Obj,
  includeObject: string,
): Obj {
  const columns = t.crd
    ? crdColumns(t, version)
    : (BUILT_IN_COLUMNS[t.kind] ?? [NAME, { ...AGE, name: 'Created At' }]);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? c.name,
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => c.cell(o)),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
