import { z } from 'zod';

/** Error names the server emits; each maps to one HTTP status in the server's error middleware. */
export const ERROR_NAMES = [
  'InputError', // 400
  'UnauthorizedError', // 401 (no or expired sign-in: the web app goes to its sign-in page)
  'NotAllowedError', // 403
  'NotFoundError', // 404
  'MethodNotAllowedError', // 405 (a known path, a method it does not serve; the answer has Allow)
  'ConflictError', // 409
  'TooLargeError', // 413 (a body over the limit)
  'UnsupportedMediaError', // 415 (a Content-Type or Content-Encoding the route does not take)
  'MisdirectedError', // 421 (a Host that is not a name of this console)
  'ValidationError', // 422 (an object or intent refused: details.causes with paths)
  'TooManyRequestsError', // 429 (a per-client limit; the answer has Retry-After)
  'UpstreamError', // 502 (Kubernetes or Prometheus answered badly)
  'UnavailableError', // 503 (a dependency did not answer)
  'InternalError', // 500
] as const;
export type ErrorName = (typeof ERROR_NAMES)[number];

/** The one error body of every API route: `{ error: { name, message, details? } }`. */
export const ErrorBodySchema = z.object({
  error: z.object({
    /** One of ERROR_NAMES (kept a string so older clients accept newer names). */
    name: z.string(),
    /** Human-readable; for input errors it names the parameter, e.g. `graphType: expected one of …`. */
    message: z.string(),
    /** Optional structured detail, e.g. the list of invalid parameters or the current object on a 409. */
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** `details` of an InputError: one entry per invalid parameter. */
export const InputErrorDetailsSchema = z.object({
  issues: z.array(z.object({ param: z.string(), message: z.string() })),
});
export type InputErrorDetails = z.infer<typeof InputErrorDetailsSchema>;

export function isErrorBody(value: unknown): value is ErrorBody {
  return ErrorBodySchema.safeParse(value).success;
}
