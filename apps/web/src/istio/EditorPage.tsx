import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'wouter';
import { parse } from 'yaml';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useDryRun } from '../api/dryRun';
import type { ValidationCause } from '@meshlens/contract';
import { ApiError } from '../api/client';
import { useWriteAccess } from '../shell/auth';
import { ErrorBox } from '../wizards/ErrorBox';
import { istioKeys, putObject, useIstioObject } from './api';
import { createEditor, replaceDoc, showDiagnostics } from './codemirror';
import type { EditorView } from '@codemirror/view';
import { editorStatus, toEditableYaml } from './editableYaml';
import { EditorSide, type Phase } from './EditorSide';
import { causesToProblems, checksToProblems, yamlSyntaxProblems } from './problems';
import type { Problem } from './problems';
import '../wizards/wizards.css';
import './istio.css';

/** A failed dry run or save as problems: the server's causes on a 422, else the error itself. */
function requestProblems(text: string, err: unknown): Problem[] {
  if (err instanceof ApiError && err.status === 422)
    return causesToProblems(text, (err.details as { causes?: ValidationCause[] }).causes ?? []);
  return [
    {
      severity: 'error',
      message: err instanceof Error ? err.message : String(err),
      path: '',
      code: 'request',
      line: 1,
      from: 0,
      to: 0,
    },
  ];
}

export function EditorPage({ namespace, kind, name }: { namespace: string; kind: string; name: string }) {
  const query = useIstioObject(namespace, kind, name);
  const queryClient = useQueryClient();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const [original, setOriginal] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [phase, setPhase] = useState<Phase>({ kind: 'editing' });
  // Saving is an update of this very object: offered only when an access review says the user may.
  const group = String(query.data?.object.apiVersion ?? '').split('/')[0] ?? '';
  const update = useMemo(
    () => (group ? [{ verb: 'update' as const, group, resource: kind, namespace, name }] : []),
    [group, kind, namespace, name],
  );
  const access = useWriteAccess(update, update.length > 0);
  const canWrite = access.allowed && update.length > 0;

  // load once per object (a refetch does not overwrite the user's edits); read-only without the right
  useEffect(() => {
    if (!query.data || original !== null || !host.current || access.checking) return;
    const yamlText = toEditableYaml(query.data.object as Record<string, unknown>);
    setOriginal(yamlText);
    setText(yamlText);
    view.current = createEditor(host.current, yamlText, setText, !canWrite);
  }, [query.data, original, access.checking, canWrite]);
  useEffect(() => () => view.current?.destroy(), []);

  // validate on the server as the user types (debounced dry-run PUT)
  const syntax = useMemo(() => yamlSyntaxProblems(text), [text]);
  const dry = useDryRun({
    scope: ['istio-object', namespace, kind, name],
    input: text,
    inputKey: text,
    enabled: original !== null && canWrite && syntax.length === 0,
    run: (yamlText, signal) => putObject(namespace, kind, name, parse(yamlText), true, signal),
    delayMs: 450,
  });
  const checking = dry.pending;
  useEffect(() => {
    if (original === null || !canWrite) return;
    if (syntax.length > 0) setProblems(syntax);
    else if (dry.pending) return;
    else if (dry.data) setProblems(checksToProblems(dry.checked, dry.data.validations));
    else if (dry.error) setProblems(requestProblems(dry.checked, dry.error));
  }, [original, canWrite, syntax, dry.pending, dry.data, dry.error, dry.checked]);

  useEffect(() => {
    if (view.current)
      showDiagnostics(
        view.current,
        problems.map((p) => ({
          from: p.from,
          to: p.to,
          severity: p.severity,
          message: `${p.path ? `${p.path}: ` : ''}${p.message}`,
          source: p.code,
        })),
      );
  }, [problems]);

  const errors = problems.filter((p) => p.severity === 'error').length;
  const dirty = original !== null && text !== original;

  const saving = useMutation({
    mutationFn: (yamlText: string) => putObject(namespace, kind, name, parse(yamlText), false),
    onSuccess: async (r) => {
      const saved = toEditableYaml(r.object as Record<string, unknown>);
      setOriginal(saved);
      if (view.current) replaceDoc(view.current, saved);
      setPhase({ kind: 'saved' });
      await queryClient.invalidateQueries({ queryKey: istioKeys.all() });
    },
    onError: (err, yamlText) => {
      if (err instanceof ApiError && err.status === 409) {
        setPhase({
          kind: 'conflict',
          current: (err.details as { current?: Record<string, unknown> | null }).current ?? null,
        });
        return;
      }
      if (err instanceof ApiError && err.status === 422) setProblems(requestProblems(yamlText, err));
      setPhase({ kind: 'editing' });
    },
  });
  // a conflict is shown as its own phase, not as an error
  const saveError =
    saving.error instanceof ApiError && saving.error.status === 409 ? undefined : (saving.error ?? undefined);
  const save = () => saving.mutate(text);

  const loadTheirs = (current: Record<string, unknown> | null) => {
    if (!current) return;
    const theirs = toEditableYaml(current);
    setOriginal(theirs);
    if (view.current) replaceDoc(view.current, theirs);
    setPhase({ kind: 'editing' });
  };

  return (
    <div className="page cfg-page">
      <div className="page-header">
        <Link href={`/istio${window.location.search}`} className="small">
          ← Istio Config
        </Link>
        <h1>
          {query.data?.object.kind ?? kind} {name} <span className="muted">· {namespace}</span>
        </h1>
        <span className="spacer" />
        <span className="muted small" data-testid="editor-status">
          {editorStatus({ canWrite, checking, errors, findings: problems.length })}
          {phase.kind === 'saved' && !dirty ? ' · saved' : ''}
        </span>
        {!access.hidden && (
          <>
            <button
              type="button"
              className="btn"
              disabled={!dirty || !canWrite}
              onClick={() => original !== null && view.current && replaceDoc(view.current, original)}
            >
              Reset
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={!dirty || errors > 0 || checking || !canWrite}
              title={canWrite ? undefined : access.reason}
              onClick={() => setPhase({ kind: 'review' })}
            >
              Review & save
            </button>
          </>
        )}
      </div>
      {!access.hidden && !access.allowed && access.reason && (
        <p className="ed-denied" role="status" data-testid="save-denied">
          <strong>Read-only.</strong> {access.reason}
        </p>
      )}
      {query.error && <ErrorBox error={query.error} />}
      <ErrorBox error={saveError} />
      <div className="ed-body">
        <div className="ed-editor" ref={host} data-testid="yaml-editor" aria-label="YAML" />
        <EditorSide
          phase={phase}
          original={original}
          text={text}
          problems={problems}
          checking={checking}
          onBack={() => setPhase({ kind: 'editing' })}
          onSave={save}
          onLoadTheirs={loadTheirs}
        />
      </div>
    </div>
  );
}
