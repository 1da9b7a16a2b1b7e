import type { ErrorName } from '@meshlens/contract';

/** Typed errors; the error middleware maps each to its status and the one error body. */
export class HttpError extends Error {
  constructor(
    override readonly name: ErrorName,
    readonly status: number,
    message: string,
    readonly details?: unknown,
    /** Headers the answer carries (e.g. Retry-After). */
    readonly headers?: Record<string, string>,
    /** `cause`: what went wrong underneath, for the log only (never in the answer). */
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class InputError extends HttpError {
  constructor(message: string, details?: unknown) {
    super('InputError', 400, message, details);
  }
}
/** 401: no sign-in, or one that ended (the web app goes to its sign-in page). */
export class UnauthorizedError extends HttpError {
  constructor(message: string, details?: unknown) {
    super('UnauthorizedError', 401, message, details);
  }
}
export class NotFoundError extends HttpError {
  constructor(message: string, details?: unknown) {
    super('NotFoundError', 404, message, details);
  }
}
/** 405: the path is served, not with this method; `allowed` (the Allow header) says which methods it takes. */
export class MethodNotAllowedError extends HttpError {
  constructor(
    message: string,
    readonly allowed: readonly string[],
  ) {
    super('MethodNotAllowedError', 405, message, { allowed }, { Allow: allowed.join(', ') });
  }
}
export class ConflictError extends HttpError {
  constructor(message: string, details?: unknown) {
    super('ConflictError', 409, message, details);
  }
}
/**
 * 403: the request is refused (a cross-site write, a missing CSRF token, a view-only console, the API
 * server's RBAC for this user).
 */
export class NotAllowedError extends HttpError {
  constructor(message: string, details?: unknown) {
    super('NotAllowedError', 403, message, details);
  }
}
/** 413: a body over the route's limit. */
export class TooLargeError extends HttpError {
  constructor(message: string) {
    super('TooLargeError', 413, message);
  }
}
/** 415: a Content-Type or Content-Encoding the route does not take. */
export class UnsupportedMediaError extends HttpError {
  constructor(message: string) {
    super('UnsupportedMediaError', 415, message);
  }
}
/** 421: the request's Host is not a name of this console (DNS rebinding, a wrong ingress). */
export class MisdirectedError extends HttpError {
  constructor(message: string) {
    super('MisdirectedError', 421, message);
  }
}
/** A dependency answered badly (502) or not at all (503). */
export class UpstreamError extends HttpError {
  constructor(message: string, unavailable = false, details?: unknown, options?: ErrorOptions) {
    super(
      unavailable ? 'UnavailableError' : 'UpstreamError',
      unavailable ? 503 : 502,
      message,
      details,
      undefined,
      options,
    );
  }
}
/** A limit on what one client may cost was reached (429); `retryAfterSeconds` says when to try again. */
export class TooManyRequestsError extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    details?: unknown,
  ) {
    super('TooManyRequestsError', 429, message, details, { 'Retry-After': String(retryAfterSeconds) });
  }
}
