/**
 * Ordered writes of several objects: a dry run of every step first (the cluster validates each), then the
 * writes in order; if one fails, the earlier ones are undone (created → deleted, updated → restored,
 * deleted → re-created) so nothing is left half written, and the error says so.
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
      if (failure instanceof HttpError) {
        const note = done.length
          ? ` Nothing was left half written: ${undone.ok.join(', ')} undone.`
          : ' Nothing was written.';
        const broken = undone.failed.length ? ` Could not undo: ${undone.failed.join(', ')}.` : '';
        throw new HttpError(failure.name, failure.status, `${failure.message}.${note}${broken}`, {
          ...(failure.details as object | undefined),
          failedStep: { action: step.action, kind: step.object.kind, name: step.object.metadata.name },
          rolledBack: undone.ok,
          ...(undone.failed.length ? { rollbackFailed: undone.failed } : {}),
        });
      }
      throw failure;
    }
  }
  return done;
}

/** Undoes `done` in reverse. `befores[i]` is the object before step i when this run wrote it earlier. */
async function rollback(
  client: IstioKubeClient,
  done: StepResult[],
  befores: (KubeObject | undefined)[],
  logger: Logger,
): Promise<{ ok: string[]; failed: string[] }> {
  const ok: string[] = [];
  const failed: string[] = [];
  for (let i = done.length - 1; i >= 0; i--) {
    const { step, result } = done[i] as StepResult;
    const name = objectName(step.object);
    try {
      if (step.action === 'create') {
        await client.delete(keyOf(result), { resourceVersion: result.metadata.resourceVersion });
        ok.push(`${name} (created) deleted`);
      } else if (step.action === 'update') {
        // The state before this step: an earlier write of this run, else the object as it was read.
        const before = befores[i] ?? step.previous;
        if (!before) throw new Error('no previous version to restore');
        const base = forCreate(before);
        await client.replace({
          ...base,
          metadata: { ...base.metadata, resourceVersion: result.metadata.resourceVersion },
        });
        ok.push(`${name} restored`);
      } else {
        await client.create(forCreate(step.object));
        ok.push(`${name} (deleted) re-created`);
      }
    } catch (err) {
      logger.error({ err: String(err), object: name }, 'rollback failed');
      failed.push(name);
    }
  }
  return { ok, failed };
}
