/** Test helpers: a bookinfo (or travels) simulation on a static inventory, and a tiny exposition parser. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments, parse } from 'yaml';
import { inventoryFromObjects } from '../src/engine/inventory';
import { Engine, type SimRequest } from '../src/engine/simulate';
import { renderText } from '../src/metrics/render';
import { loadScenario, type KubeObject } from '../src/scenario/load';
import { scenarioObjects } from '../src/scenario/manifests';
import type { Scenario, WorkloadSpec } from '../src/scenario/schema';

/** A file of the project's Istio samples (data/istio/bookinfo/...), as objects in `namespace`. */
export function sample(file: string, namespace = 'bookinfo'): KubeObject[] {
  const text = readFileSync(new URL(`../../../data/istio/bookinfo/${file}`, import.meta.url), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean)
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? namespace } }));
}

/** Objects written inline as YAML (one or more documents). */
export function yaml(text: string, namespace = 'bookinfo'): KubeObject[] {
  return parseAllDocuments(text).map((d) => {
    const o = d.toJS() as KubeObject;
    return { ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? namespace } };
  });
}

export interface SimSetup {
  scenario?: 'bookinfo' | 'travels';
  objects?: KubeObject[];
  /** Changes to workloads' behaviour, by workload name. */
  behaviour?: Record<string, Partial<WorkloadSpec>>;
  seed?: number;
}

export function simulation(setup: SimSetup = {}): { engine: Engine; scenario: Scenario } {
  const scenario = loadScenario(setup.scenario ?? 'bookinfo');
  for (const w of scenario.workloads) Object.assign(w, setup.behaviour?.[w.name] ?? {});
  const objects = [...scenarioObjects(scenario), ...(setup.objects ?? [])];
  const engine = new Engine(scenario, inventoryFromObjects(objects), { seed: setup.seed ?? 42 });
  return { engine, scenario };
}

/** Sends `n` requests into the mesh through the scenario's first entry (the ingress gateway). */
export function send(engine: Engine, n: number, request: Partial<SimRequest> = {}): void {
  const entry = engine.scenario.entry[0]!;
  for (let i = 0; i < n; i++)
    engine.entryRequest(entry, { path: '/productpage', method: 'GET', headers: {}, ...request });
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;

/** Parses Prometheus text format; throws on any line it cannot read. */
export function parseExposition(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`bad line: ${line.slice(0, 200)}`);
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    let consumed = 0;
    let lm: RegExpExecArray | null;
    while ((lm = LABEL.exec(m[2]!))) {
      if (lm[1]! in labels) throw new Error(`duplicate label ${lm[1]} in ${line.slice(0, 200)}`);
      labels[lm[1]!] = lm[2]!;
      consumed = LABEL.lastIndex;
      if (lm[3] === '') break;
    }
    if (consumed !== m[2]!.length) throw new Error(`bad labels: ${line.slice(0, 200)}`);
    const value = Number(m[3]);
    if (Number.isNaN(value)) throw new Error(`bad value: ${line}`);
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

export function scrape(engine: Engine): Series[] {
  return parseExposition(renderText(engine.store));
}

/** Sum of a metric over the series whose labels include `match`. */
export function total(series: Series[], name: string, match: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of series) {
    if (s.name !== name) continue;
    let ok = true;
    for (const k in match) if (s.labels[k] !== match[k]) ok = false;
    if (ok) sum += s.value;
  }
  return sum;
}

export const requests = (series: Series[], match: Record<string, string>) =>
  total(series, 'istio_requests_total', match);

export { parse as parseYaml };
