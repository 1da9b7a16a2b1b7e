/** What a benchmark module exports: an async function returning its figures and a Markdown section. */
export interface BenchResult {
  /** Report name: bench/reports/<name>.md and .json */
  name: string;
  /** Flat figures, printed and stored in the JSON report (numbers in the unit their key names, e.g. p95Ms). */
  figures: Record<string, unknown>;
  /** The report body (Markdown, without the machine header the runner adds). */
  markdown: string;
}

export interface BenchContext {
  /** Progress output (stderr). */
  log(line: string): void;
  /** Where reports go; a bench may write extra files here (e.g. <name>.trace.json). */
  reportsDir: string;
}

export type BenchFunction = (context: BenchContext) => Promise<BenchResult>;
