/**
 * The Istio CRDs the console knows (data/istio/crd-all.gen.yaml, read once): their kinds, plurals and
 * served versions for the raw object routes, and their compiled openAPIV3Schemas for schema checks.
 */
import { readFileSync } from 'node:fs';
import { crdSchemas, type CrdSchemas } from '@meshlens/istio';
import { parseAllDocuments } from 'yaml';
import { crdFile } from '../paths';

export interface IstioKind {
  group: string;
  kind: string;
  plural: string;
  /** Served versions, the preferred (storage, else first) one first. */
  versions: string[];
  /** `group/preferredVersion`. */
  apiVersion: string;
}

export interface IstioCrds {
  kinds: IstioKind[];
  schemas: CrdSchemas;
  /** By plural, kind or singular, case-insensitive: `virtualservices`, `VirtualService`, `virtualservice`. */
  find(name: string): IstioKind | undefined;
}

interface CrdDoc {
  kind?: string;
  spec?: {
    group?: string;
    names?: { kind?: string; plural?: string; singular?: string };
    versions?: { name?: string; served?: boolean; storage?: boolean }[];
  };
}

export function istioCrdsFrom(documents: unknown[]): IstioCrds {
  const kinds: IstioKind[] = [];
  const index = new Map<string, IstioKind>();
  for (const d of documents as CrdDoc[]) {
    const s = d?.spec;
    if (d?.kind !== 'CustomResourceDefinition' || !s?.group || !s.names?.kind || !s.names.plural) continue;
    const served = (s.versions ?? []).filter((v) => v.served !== false && v.name);
    const preferred = served.find((v) => v.name === 'v1') ?? served.find((v) => v.storage) ?? served[0];
    if (!preferred?.name) continue;
    const versions = [
      preferred.name,
      ...served.map((v) => v.name as string).filter((n) => n !== preferred.name),
    ];
    const k: IstioKind = {
      group: s.group,
      kind: s.names.kind,
      plural: s.names.plural,
      versions,
      apiVersion: `${s.group}/${preferred.name}`,
    };
    kinds.push(k);
    for (const key of [s.names.plural, s.names.kind, s.names.singular ?? ''])
      if (key) index.set(key.toLowerCase(), k);
  }
  return { kinds, schemas: crdSchemas(documents), find: (name) => index.get(name.toLowerCase()) };
}

let loaded: IstioCrds | undefined;

/** The project's CRD file, parsed and compiled once per process (schemas compile lazily per kind). */
export function loadIstioCrds(): IstioCrds {
  loaded ??= istioCrdsFrom(parseAllDocuments(readFileSync(crdFile(), 'utf8')).map((d) => d.toJS()));
  return loaded;
}
