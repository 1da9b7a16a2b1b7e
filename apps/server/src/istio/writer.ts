/**
 * Ordered writes of several objects: a dry run of every step first (the cluster validates each), then the
 * writes in order; if one fails, the earlier ones are undone (created → deleted, updated → restored,
 * deleted → re-created) so nothing is left half written, and the error says so. When an undo fails too
 * (someone changed the object meanwhile, the API server went away), the error says exactly what is left
 * changed and how to undo it by hand (`details.leftChanged`: the object to write back and the command).
 */
import type { Logger } from 'pino';
import { HttpError } from '../errors';
import { kubeToHttp, objectName } from './checks';
import { KubeApiError, type IstioKubeClient, type KubeObject, type ObjectKey } from './kubeClient';

export type Step =
  | { action: 'create'; object: KubeObject }
  /** `previous`: the object as read, restored if a later step fails. */
  | { action: 'update'; object: KubeObject; previous: KubeObject }
  /** `object`: the object as read (re-created if a later step fails). */
  | { action: 'delete'; object: KubeObject };

export interface StepResult {
  step: Step;
  /** The object as the API answered (for a delete: the object deleted). */
  result: KubeObject;
}

/**
 * A write the console made (not a dry run), for the change history: the intent or what was done, and
 * each step with the object before (`step.previous`, or the object deleted) and after (`result`).
 */
export interface ConsoleWrite {
  /** The routing intent as sent; absent for raw object writes. */
  intent?: unknown;
  /** `traffic shifting for reviews`, `edit VirtualService bookinfo/reviews`. */
  summary: string;
  namespace: string;
  results: StepResult[];
}

export const keyOf = (o: KubeObject): ObjectKey => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata.namespace ?? 'default',
  name: o.metadata.name,
});
const idOf = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** For re-creating a deleted object: server-set metadata removed. */
export function forCreate(o: KubeObject): KubeObject {
  const {
    resourceVersion: _rv,
    uid: _u,
    creationTimestamp: _c,
    generation: _g,
    managedFields: _m,
    ...meta
  } = o.metadata;
  const { status: _s, ...rest } = o;
  return { ...rest, metadata: meta } as KubeObject;
}

/** The object without managedFields and status, for answers and YAML. */
export function tidy(o: KubeObject): KubeObject {
  const { managedFields: _m, ...meta } = o.metadata;
  const { status: _s, ...rest } = o;
  return { ...rest, metadata: meta } as KubeObject;
}

async function runOne(
  client: IstioKubeClient,
  step: Step,
  rv: string | undefined,
  dryRun: boolean,
): Promise<KubeObject> {
  const withRv = (o: KubeObject): KubeObject =>
    rv ? { ...o, metadata: { ...o.metadata, resourceVersion: rv } } : o;
  if (step.action === 'create') return client.create(step.object, { dryRun });
  if (step.action === 'update') return client.replace(withRv(step.object), { dryRun });
  await client.delete(keyOf(step.object), {
    dryRun,
    resourceVersion: rv ?? step.object.metadata.resourceVersion,
  });
  return step.object;
}

/** A failed step as the console's error; a 409 carries the object as it is now. */
async function stepError(client: IstioKubeClient, step: Step, err: unknown): Promise<unknown> {
  const current =
    err instanceof KubeApiError && err.status === 409
      ? await client.get(keyOf(step.object)).catch(() => undefined)
      : undefined;
  return kubeToHttp(err, `${step.action} ${objectName(step.object)}`, current ? tidy(current) : null);
}

/**
 * Runs the steps. With `dryRun`, only the dry run (dryRun=All). Objects changed twice in one run (a
 * DestinationRule widened, then narrowed) carry the resourceVersion of their previous write.
 */
export async function runSteps(
  client: IstioKubeClient,
  steps: Step[],
  { dryRun, logger }: { dryRun: boolean; logger: Logger },
): Promise<StepResult[]> {
  const preflight: StepResult[] = [];
  for (const step of steps) {
    try {
      preflight.push({ step, result: await runOne(client, step, undefined, true) });
    } catch (err) {
      throw await stepError(client, step, err);
    }
  }
  if (dryRun) return preflight;

  const done: StepResult[] = [];
  const latest = new Map<string, { rv?: string; before?: KubeObject }>();
  const befores: (KubeObject | undefined)[] = [];
  for (const step of steps) {
    const id = idOf(step.object);
    const seen = latest.get(id);
    try {
      const result = await runOne(client, step, seen?.rv, false);
      befores.push(seen?.before);
      latest.set(id, { rv: result.metadata.resourceVersion, before: result });
      done.push({ step, result });
    } catch (err) {
      const failure = await stepError(client, step, err);
      const undone = await rollback(client, done, befores, logger);
      throw withRollback(failure, step, done.length, undone);
    }
  }
  return done;
}

/** What a failed rollback left changed, and how to undo it by hand. */
export interface LeftChanged {
  /** `DestinationRule bookinfo/reviews`. */
  object: string;
  /** What this change did to it and could not undo. */
  state: 'created' | 'updated' | 'deleted';
  /** Why the undo failed. */
  reason: string;
  /** The object to write back (updated: as it was before; deleted: as it was), or null (created: delete it). */
  undo: KubeObject | null;
  /** The kubectl command that undoes it (`-f` the `undo` object saved as a file). */
  command: string;
}

interface RollbackResult {
  ok: string[];
  left: LeftChanged[];
}

/** The failed step's error, saying what was undone and what is left changed (with how to undo it). */
function withRollback(failure: unknown, step: Step, written: number, undone: RollbackResult): HttpError {
  const base =
    failure instanceof HttpError
      ? failure
      : new HttpError(
          'InternalError',
          500,
          `${step.action} ${objectName(step.object)} failed`,
          undefined,
          undefined,
          {
            cause: failure,
          },
        );
  let note: string;
  if (written === 0) note = ' Nothing was written.';
  else if (undone.left.length === 0) note = ` Nothing was left half written: ${undone.ok.join(', ')} undone.`;
  else {
    const undoneText = undone.ok.length ? ` Undone: ${undone.ok.join(', ')}.` : '';
    const left = undone.left
      .map(
        (l, i) =>
          `${l.object} (${l.state} by this change; undoing it failed: ${l.reason}) — to undo: ${l.command.replace('<file>', `details.leftChanged[${i}].undo saved as a file`)}`,
      )
      .join('; ');
    note = `${undoneText} Left changed: ${left}.`;
  }
  return new HttpError(
    base.name,
    base.status,
    `${base.message}.${note}`,
    {
      ...(base.details as object | undefined),
      failedStep: { action: step.action, kind: step.object.kind, name: step.object.metadata.name },
      rolledBack: undone.ok,
      ...(undone.left.length
        ? { rollbackFailed: undone.left.map((l) => l.object), leftChanged: undone.left }
        : {}),
    },
    base.headers,
    { cause: failure },
  );
}

const kubectl = (o: KubeObject) => `kubectl -n ${o.metadata.namespace ?? 'default'}`;
const resource = (o: KubeObject) => `${o.kind.toLowerCase()}.${o.apiVersion.split('/')[0]}`;

/** Undoes `done` in reverse. `befores[i]` is the object before step i when this run wrote it earlier. */
async function rollback(
  client: IstioKubeClient,
  done: StepResult[],
  befores: (KubeObject | undefined)[],
  logger: Logger,
): Promise<RollbackResult> {
  const ok: string[] = [];
  const left: LeftChanged[] = [];
  // An object written twice (widened, then …) is undone once per write, newest first; once an undo of
  // it fails, the older ones are skipped and the object is reported once, against its first state.
  const failedIds = new Set<string>();
  for (let i = done.length - 1; i >= 0; i--) {
    const { step, result } = done[i] as StepResult;
    const name = objectName(step.object);
    const id = idOf(step.object);
    const before = step.action === 'update' ? (befores[i] ?? step.previous) : undefined;
    if (failedIds.has(id)) {
      const entry = left.find((l) => l.object === name);
      if (entry && step.action === 'update' && before) {
        // Report against the state before this run's first write of it.
        entry.undo = tidy(forCreate(before));
        entry.command = `${kubectl(step.object)} apply -f <file>`;
      } else if (entry && step.action === 'create') {
        entry.state = 'created';
        entry.undo = null;
        entry.command = `${kubectl(step.object)} delete ${resource(step.object)} ${step.object.metadata.name}`;
      }
      continue;
    }
    try {
      if (step.action === 'create') {
        await client.delete(keyOf(result), { resourceVersion: result.metadata.resourceVersion });
        ok.push(`${name} (created) deleted`);
      } else if (step.action === 'update') {
        // The state before this step: an earlier write of this run, else the object as it was read.
        if (!before) throw new Error('no previous version to restore');
        const restored = forCreate(before);
        await client.replace({
          ...restored,
          metadata: { ...restored.metadata, resourceVersion: result.metadata.resourceVersion },
        });
        ok.push(`${name} restored`);
      } else {
        await client.create(forCreate(step.object));
        ok.push(`${name} (deleted) re-created`);
      }
    } catch (err) {
      logger.error({ err, object: name }, 'rollback failed');
      failedIds.add(id);
      const reason =
        err instanceof KubeApiError && err.status === 409
          ? 'it was changed by someone else meanwhile'
          : err instanceof KubeApiError && err.status === 404
            ? 'it was deleted meanwhile'
            : err instanceof KubeApiError && err.status === 0
              ? 'the API server is unreachable'
              : err instanceof KubeApiError
                ? `the API server answered ${err.status}`
                : 'an internal error (see the server log)';
      left.push(
        step.action === 'create'
          ? {
              object: name,
              state: 'created',
              reason,
              undo: null,
              command: `${kubectl(step.object)} delete ${resource(step.object)} ${step.object.metadata.name}`,
            }
          : step.action === 'update'
            ? {
                object: name,
                state: 'updated',
                reason,
                undo: before ? tidy(forCreate(before)) : null,
                command: `${kubectl(step.object)} apply -f <file>`,
              }
            : {
                object: name,
                state: 'deleted',
                reason,
                undo: tidy(forCreate(step.object)),
                command: `${kubectl(step.object)} create -f <file>`,
              },
      );
    }
  }
  return { ok, left };
}
