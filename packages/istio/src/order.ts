/** istiod orders competing config by creation time, then name, then namespace (`sortConfigByCreationTime`). */
interface Ordered {
  metadata: { name: string; namespace?: string; creationTimestamp?: string | Date };
}

function time(o: Ordered): number {
  const t = o.metadata.creationTimestamp;
  if (t === undefined) return 0;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

export function compareByCreation(a: Ordered, b: Ordered): number {
  return (
    time(a) - time(b) ||
    a.metadata.name.localeCompare(b.metadata.name) ||
    (a.metadata.namespace ?? 'default').localeCompare(b.metadata.namespace ?? 'default')
  );
}

export function sortByCreation<T extends Ordered>(items: readonly T[]): T[] {
  return [...items].sort(compareByCreation);
}
