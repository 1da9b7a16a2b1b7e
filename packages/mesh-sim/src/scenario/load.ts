/** Reading and validating scenarios: YAML text -> Scenario, with errors that name the path. */
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { generateScenario, type GenerateOptions } from './generated';
import { scenarioSchema, type Scenario } from './schema';

export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(issues.length ? `${message}:\n  ${issues.join('\n  ')}` : message);
    this.name = 'ScenarioError';
  }
}

export const BUILT_IN_SCENARIOS = ['bookinfo', 'travels', 'multicluster', 'generated'] as const;
export type BuiltInScenario = (typeof BUILT_IN_SCENARIOS)[number];

const dataUrl = (file: string) => new URL(`../../../../data/istio/${file}`, import.meta.url);
const scenarioUrl = (name: string) => new URL(`../../scenarios/${name}.yaml`, import.meta.url);

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

function zodIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** Checks that cross references (entry workloads, namespaces) resolve. */
function crossCheck(s: Scenario): string[] {
  const issues: string[] = [];
  const namespaces = new Set(s.namespaces.map((n) => n.name));
  const workloads = new Set<string>();
  s.workloads.forEach((w, i) => {
    const key = `${w.namespace}/${w.name}`;
    if (workloads.has(key)) issues.push(`workloads[${i}].name: duplicate workload ${key}`);
    workloads.add(key);
    if (!namespaces.has(w.namespace))
      issues.push(`workloads[${i}].namespace: namespace "${w.namespace}" is not declared in namespaces`);
  });
  s.services.forEach((svc, i) => {
    if (!namespaces.has(svc.namespace))
      issues.push(`services[${i}].namespace: namespace "${svc.namespace}" is not declared in namespaces`);
  });
  s.externalServices.forEach((e, i) => {
    if (!namespaces.has(e.namespace))
      issues.push(
        `externalServices[${i}].namespace: namespace "${e.namespace}" is not declared in namespaces`,
      );
  });
  s.entry.forEach((e, i) => {
    if (!workloads.has(e.workload))
      issues.push(`entry[${i}].workload: no workload named "${e.workload}" in workloads`);
  });
  s.manifests.forEach((m, i) => {
    if (m.namespace && !namespaces.has(m.namespace))
      issues.push(`manifests[${i}].namespace: namespace "${m.namespace}" is not declared in namespaces`);
  });
  return issues;
}

/** Validates a parsed object as a scenario. Throws ScenarioError listing every problem with its path. */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) throw new ScenarioError(`invalid ${source}`, zodIssues(result.error));
  const issues = crossCheck(result.data);
  if (issues.length) throw new ScenarioError(`invalid ${source}`, issues);
  return result.data;
}

/** Parses YAML text as a scenario. */
export function parseScenarioYaml(text: string, source = 'scenario'): Scenario {
  let doc: unknown;
  try {
    doc = parse(text, { merge: true });
  } catch (err) {
    throw new ScenarioError(`${source} is not valid YAML: ${(err as Error).message}`);
  }
  return parseScenario(doc, source);
}

export type LoadOptions = GenerateOptions;

/** Loads a built-in scenario by name, or a scenario YAML file by path. */
export function loadScenario(nameOrPath: string, options: LoadOptions = {}): Scenario {
  if (nameOrPath === 'generated') return parseScenario(generateScenario(options), 'generated scenario');
  const url = (BUILT_IN_SCENARIOS as readonly string[]).includes(nameOrPath)
    ? scenarioUrl(nameOrPath)
    : nameOrPath;
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (err) {
    throw new ScenarioError(
      `cannot read scenario "${nameOrPath}" (built-ins: ${BUILT_IN_SCENARIOS.join(', ')}): ${(err as Error).message}`,
    );
  }
  return parseScenarioYaml(text, `scenario ${nameOrPath}`);
}

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

/** The objects of a scenario's manifest files (read from data/istio/), namespaced as the scenario says. */
export function loadManifests(s: Scenario): KubeObject[] {
  const out: KubeObject[] = [];
  s.manifests.forEach((m, i) => {
    let text: string;
    try {
      text = readFileSync(dataUrl(m.file), 'utf8');
    } catch (err) {
      throw new ScenarioError(`manifests[${i}].file: cannot read ${m.file}: ${(err as Error).message}`);
    }
    for (const doc of parseAllDocuments(text)) {
      const obj = doc.toJS() as KubeObject | null;
      if (!obj || typeof obj !== 'object') continue;
      if (!obj.metadata?.namespace && m.namespace && obj.kind !== 'Namespace')
        obj.metadata = { ...obj.metadata, namespace: m.namespace };
      out.push(obj);
    }
  });
  return out;
}
