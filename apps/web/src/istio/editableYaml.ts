import { stringify } from 'yaml';

/** The object as the editor shows it: without the fields the server owns. */
export function toEditableYaml(object: Record<string, unknown>): string {
  const { status: _status, ...rest } = object;
  const meta = { ...(rest.metadata as Record<string, unknown>) };
  delete meta.managedFields;
  return stringify({ ...rest, metadata: meta }, { lineWidth: 0 });
}

/** The editor's one-line state beside its title. */
export function editorStatus(s: {
  canWrite: boolean;
  checking: boolean;
  errors: number;
  findings: number;
}): string {
  if (!s.canWrite) return 'read-only';
  if (s.checking) return 'checking…';
  if (s.errors > 0) return `${s.errors} error${s.errors > 1 ? 's' : ''}`;
  if (s.findings > 0) return `${s.findings} finding(s)`;
  return 'valid';
}
