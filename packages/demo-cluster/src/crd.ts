/** CustomResourceDefinition checks and the status the API server gives an accepted CRD. */
import { invalid } from './errors';
import type { KObject } from './types';

export function validateCrd(obj: KObject): void {
  const spec = (obj.spec ?? {}) as {
    group?: string;
    names?: { plural?: string; kind?: string };
    versions?: unknown[];
    scope?: string;
  };
  const causes = [];
  if (!spec.group)
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.group' });
  if (!spec.names?.plural)
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.names.plural' });
  if (!spec.names?.kind)
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.names.kind' });
  if (!Array.isArray(spec.versions) || spec.versions.length === 0)
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.versions' });
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"`,
      field: 'spec.scope',
    });
  if (spec.group && spec.names?.plural && obj.metadata.name !== `${spec.names.plural}.${spec.group}`) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(obj.metadata.name)}: must be spec.names.plural+"."+spec.group`,
      field: 'metadata.name',
    });
  }
  if (causes.length > 0)
    throw invalid('CustomResourceDefinition', 'apiextensions.k8s.io', obj.metadata.name ?? '', causes);
}

export function initCrdStatus(obj: KObject): void {
  const spec = obj.spec as { names: unknown; versions: { name: string; storage?: boolean }[] };
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  obj.status = {
    acceptedNames: spec.names,
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: now,
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: now,
      },
    ],
    storedVersions: spec.versions.filter((v) => v.storage).map((v) => v.name),
  };
}
