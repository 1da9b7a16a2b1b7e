/**
 * The page's performance marks (`meshlens:…`, read by the benches and by anyone profiling the page).
 * Each new mark or measure replaces the earlier ones of its name: a page open for hours keeps one entry
 * per name on its performance timeline, not one per refresh, and the latest (what the benches read) is
 * always there.
 */
export function mark(name: string): void {
  performance.clearMarks(name);
  performance.mark(name);
}

/** A measure of `name` (see mark): replaces the earlier ones of that name. */
export function measure(name: string, options: PerformanceMeasureOptions): void {
  performance.clearMeasures(name);
  performance.measure(name, options);
}
