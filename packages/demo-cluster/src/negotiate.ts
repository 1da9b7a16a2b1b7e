/** Request helpers: the Accept header's `as=Table` / `as=PartialObjectMetadata`, bodies, query options. */
import type { IncomingMessage } from 'node:http';
import YAML from 'yaml';
import type { FieldValidation, WriteOptions } from './cluster';
import { ApiError, badRequest, invalid, unsupportedMediaType } from './errors';
import { decodeProtobufObject } from './protobuf';

export type Rendering = 'object' | 'table' | 'metadata';

/** Picks the first representation from Accept that the emulator can produce. */
export function negotiate(accept: string | undefined): Rendering {
  if (!accept) return 'object';
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((x) => x.split('=').map((s) => s.trim()) as [string, string]));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    if (!p.as) return 'object';
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) return 'table';
    if ((p.as === 'PartialObjectMetadata' || p.as === 'PartialObjectMetadataList') && p.g === 'meta.k8s.io')
      return 'metadata';
  }
  return 'object';
}

export async function readBody(req: IncomingMessage, limit = 8 * 1024 * 1024): Promise<string> {
  return (await readRawBody(req, limit)).toString('utf8');
}

export async function readRawBody(req: IncomingMessage, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new ApiError(413, 'RequestEntityTooLarge', `the request body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a create/update body: JSON, or YAML when the content type says so. */
export function parseObjectBody(body: string | Buffer, contentType: string | undefined): unknown {
  const type = (contentType ?? 'application/json').split(';')[0]?.trim() ?? '';
  if (type === 'application/vnd.kubernetes.protobuf')
    return decodeProtobufObject(Buffer.isBuffer(body) ? body : Buffer.from(body));
  const raw = typeof body === 'string' ? body : body.toString('utf8');
  if (raw.trim() === '') throw badRequest('the request body is empty');
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') {
    try {
      return YAML.parse(raw);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
  }
  if (type !== 'application/json' && type !== '' && type !== '*/*') throw unsupportedMediaType(type);
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

const OPTIONS_KIND: Record<string, string> = {
  POST: 'CreateOptions',
  PUT: 'UpdateOptions',
  PATCH: 'PatchOptions',
  DELETE: 'DeleteOptions',
};

/**
 * The field manager of a write without `fieldManager`, as kube-apiserver names it: the User-Agent up to
 * its first `/` (`kubectl/v1.31.0 (linux/amd64)` → `kubectl`), at most 128 characters.
 */
export function managerFromUserAgent(userAgent: string | undefined): string | undefined {
  const prefix = (userAgent ?? '').split('/')[0]?.trim() ?? '';
  return prefix ? prefix.slice(0, 128) : undefined;
}

/**
 * Write parameters of a request; `method` names the options kind in errors (`CreateOptions` for POST);
 * `userAgent` names the field manager when the request gives none.
 */
export function writeOptions(q: URLSearchParams, method = 'POST', userAgent?: string): WriteOptions {
  const dryRun = q.getAll('dryRun');
  for (const d of dryRun) if (d !== 'All') throw badRequest(`Invalid value: "${d}": supported values: "All"`);
  const fv = q.get('fieldValidation');
  let fieldValidation: FieldValidation | undefined;
  if (fv !== null && fv !== '') {
    // Exact values, as the API server's ValidateFieldValidation checks them.
    if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
      const message = `Unsupported value: ${JSON.stringify(fv)}: supported values: "", "Ignore", "Strict", "Warn"`;
      throw invalid(OPTIONS_KIND[method] ?? 'CreateOptions', 'meta.k8s.io', '', [
        { reason: 'FieldValueNotSupported', message, field: 'fieldValidation' },
      ]);
    }
    fieldValidation = fv;
  }
  const fieldManager = q.get('fieldManager') ?? '';
  if (fieldManager.length > 128)
    throw invalid(OPTIONS_KIND[method] ?? 'CreateOptions', 'meta.k8s.io', '', [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(fieldManager)}: must be no more than 128 characters`,
        field: 'fieldManager',
      },
    ]);
  const manager = fieldManager || managerFromUserAgent(userAgent);
  return {
    dryRun: dryRun.length > 0,
    ...(fieldValidation ? { fieldValidation } : {}),
    ...(fieldManager ? { fieldManager } : {}),
    ...(manager ? { manager } : {}),
    force: q.get('force') === 'true',
  };
}
