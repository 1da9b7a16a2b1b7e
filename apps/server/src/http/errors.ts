import type { ErrorBody } from '@meshlens/contract';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { HttpError, InputError, NotFoundError } from '../errors';

/** Zod issues of a query/body → an InputError whose message names each parameter. */
export function inputErrorFrom(error: z.ZodError, where = 'query'): InputError {
  const issues = error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      const keys = (i as { keys?: string[] }).keys ?? [];
      return { param: keys.join(','), message: `unknown ${where} parameter${keys.length > 1 ? 's' : ''}` };
    }
    const param = i.path.map(String).join('.') || where;
    const message = i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message;
    return { param, message };
  });
  return new InputError(issues.map((i) => `${i.param}: ${i.message}`).join('; '), { issues });
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`no route ${req.method} ${req.originalUrl.split('?')[0]}`));
};

/**
 * Addresses (URLs, IP:port, host:port after a socket error code) removed from a message shown to a
 * client: the console's answers do not map the cluster's network. The full message stays in the log.
 */
export function withoutAddresses(message: string): string {
  return message
    .replace(/\s+(?:at|to|from)\s+[a-z][a-z0-9+.-]*:\/\/[^\s,;)]+/gi, '')
    .replace(/[a-z][a-z0-9+.-]*:\/\/[^\s,;)]+/gi, '(address hidden)')
    .replace(/\b(E[A-Z]{3,}|EAI_AGAIN)\s+\S+:\d+/g, '$1')
    .replace(/\[[0-9a-f.]*:[0-9a-f:.]+\](?::\d+)?/gi, '(address hidden)')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, '(address hidden)');
}

/** What an error that is not one of ours (body-parser, the router, serve-static) means for a client. */
function fromForeign(err: object): { status: number; body: ErrorBody } | undefined {
  const e = err as {
    status?: unknown;
    statusCode?: unknown;
    type?: string;
    message?: string;
    encoding?: string;
  };
  const status =
    typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 0;
  const type = e.type;
  if (type === 'entity.parse.failed')
    return {
      status: 400,
      body: { error: { name: 'InputError', message: `body: not valid JSON (${e.message})` } },
    };
  if (type === 'entity.too.large')
    return {
      status: 413,
      body: { error: { name: 'TooLargeError', message: 'body: larger than the 1 MB limit' } },
    };
  if (type === 'encoding.unsupported')
    return {
      status: 415,
      body: {
        error: {
          name: 'UnsupportedMediaError',
          message: `Content-Encoding ${JSON.stringify(e.encoding ?? '')} is not supported (gzip, deflate, br or identity)`,
        },
      },
    };
  if (type === 'charset.unsupported')
    return { status: 415, body: { error: { name: 'UnsupportedMediaError', message: `body: ${e.message}` } } };
  if (err instanceof URIError && status === 400)
    return {
      status: 400,
      body: { error: { name: 'InputError', message: `path: not valid percent-encoding (${e.message})` } },
    };
  // Any other client error keeps its status (aborted or mis-sized bodies, a file that is a directory…).
  if (status >= 400 && status < 500) {
    const name =
      status === 404
        ? 'NotFoundError'
        : status === 413
          ? 'TooLargeError'
          : status === 415
            ? 'UnsupportedMediaError'
            : 'InputError';
    return { status, body: { error: { name, message: `request: ${e.message ?? 'refused'}` } } };
  }
  return undefined;
}

/** The one error middleware: typed errors → status + `{ error: { name, message, details? } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let status = 500;
    let body: ErrorBody;
    const foreign =
      typeof err === 'object' && err !== null && !(err instanceof HttpError) ? fromForeign(err) : undefined;
    if (err instanceof HttpError) {
      status = err.status;
      const message = status >= 500 ? withoutAddresses(err.message) : err.message;
      body = {
        error: {
          name: err.name,
          message,
          ...(err.details !== undefined ? { details: err.details } : {}),
        },
      };
    } else if (foreign) {
      ({ status, body } = foreign);
    } else {
      body = { error: { name: 'InternalError', message: 'internal error; see the server log' } };
    }
    if (status >= 500) logger.error({ err, path: req.path }, 'request failed');
    else logger.debug({ status, path: req.path, message: body.error.message }, 'request rejected');
    if (res.headersSent) return;
    if (err instanceof HttpError && err.headers) res.set(err.headers);
    res.status(status).json(body);
  };
}

/** The request's query parsed by `schema`; a mismatch is the 400 of inputErrorFrom, naming the parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, req: { query: unknown }): z.output<T> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) throw inputErrorFrom(parsed.error);
  return parsed.data;
}
