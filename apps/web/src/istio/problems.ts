/** Server findings (validation checks, 422 causes) and YAML parse errors as editor problems at their lines. */
import { parseDocument } from 'yaml';
import type { IstioObjectResponse, ValidationCause } from '@meshlens/contract';
import { locatePath } from './yamlPaths';

export interface Problem {
  severity: 'error' | 'warning' | 'info';
  message: string;
  path: string;
  code: string;
  line: number;
  from: number;
  to: number;
}

export function yamlSyntaxProblems(text: string): Problem[] {
  const doc = parseDocument(text, { prettyErrors: false });
  return doc.errors.map((e) => ({
    severity: 'error' as const,
    message: e.message.split('\n')[0] ?? e.message,
    path: '',
    code: e.code,
    line: text.slice(0, e.pos[0]).split('\n').length,
    from: e.pos[0],
    to: e.pos[1],
  }));
}

function at(text: string, path: string): Pick<Problem, 'line' | 'from' | 'to'> {
  const { line, from, to } = locatePath(text, path);
  return { line, from, to };
}

export function checksToProblems(text: string, validations: IstioObjectResponse['validations']): Problem[] {
  return validations.flatMap((v) => v.checks.map((c) => ({ ...c, ...at(text, c.path) })));
}

export function causesToProblems(text: string, causes: ValidationCause[]): Problem[] {
  return causes.map((c) => ({
    severity: 'error' as const,
    message: c.message,
    path: c.path,
    code: c.code,
    ...at(text, c.path),
  }));
}
