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

/** The one error middleware: typed errors → status + `{ error: { name, message, details? } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let status = 500;
    let body: ErrorBody;
    if (err instanceof HttpError) {
      status = err.status;
      body = {
        error: {
          name: err.name,
          message: err.message,
          ...(err.details !== undefined ? { details: err.details } : {}),
        },
      };
    } else if (
      typeof err === 'object' &&
      err !== null &&
      (err as { type?: string }).type === 'entity.parse.failed'
    ) {
      status = 400;
      body = { error: { name: 'InputError', message: `body: not valid JSON (${(err as Error).message})` } };
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
