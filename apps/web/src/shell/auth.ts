/**
 * Who am I, sign-in and sign-out, and "may I": the web app's side of the server's /api/auth routes. The
 * CSRF token of a cookie session goes to the request helper, which sends it on every write.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import {
  AUTH_ROUTES,
  AuthInfoResponseSchema,
  CanIResponseSchema,
  LogoutResponseSchema,
  type AccessCheck,
  type AccessResult,
  type AuthInfoResponse,
  type LogoutResponse,
} from '@meshlens/contract';
import { ApiError, request, setCsrfToken } from '../api/client';
import { queryKeys } from '../api/queries';

export const authKeys = {
  all: () => [...queryKeys.all, 'auth'] as const,
  info: () => [...authKeys.all(), 'info'] as const,
  canI: (checks: AccessCheck[]) => [...authKeys.all(), 'can-i', checks] as const,
};

function parsed(info: unknown): AuthInfoResponse {
  const r = AuthInfoResponseSchema.safeParse(info);
  if (!r.success) throw new ApiError(200, 'ContractError', `Unexpected auth info: ${r.error.message}`);
  setCsrfToken(r.data.csrfToken);
  return r.data;
}

export async function fetchAuthInfo(signal?: AbortSignal): Promise<AuthInfoResponse> {
  return parsed(await request<unknown>('GET', AUTH_ROUTES.info, { signal }));
}

/** Who this browser acts as: asked at boot (main.tsx), before the shell's first render decides. */
export const authInfoQuery = queryOptions({
  queryKey: authKeys.info(),
  queryFn: ({ signal }) => fetchAuthInfo(signal),
  staleTime: 30_000,
});

/** Who this browser acts as (refreshed every minute: a session can end). */
export function useAuthInfo() {
  return useQuery({ ...authInfoQuery, refetchInterval: 60_000 });
}

/** Signs in with a bearer token (strategy token); throws the server's refusal as an ApiError. */
export async function signIn(token: string): Promise<AuthInfoResponse> {
  return parsed(await request<unknown>('POST', AUTH_ROUTES.login, { body: { token } }));
}

export async function signOut(): Promise<LogoutResponse> {
  const answer = LogoutResponseSchema.parse(await request<unknown>('POST', AUTH_ROUTES.logout));
  setCsrfToken(undefined);
  return answer;
}

/** SelfSubjectAccessReviews with the user's own credentials, one per check (reused for 30 s). */
export function useCanI(checks: AccessCheck[], enabled = true) {
  return useQuery({
    queryKey: authKeys.canI(checks),
    enabled: enabled && checks.length > 0,
    staleTime: 30_000,
    queryFn: async ({ signal }): Promise<AccessResult[]> =>
      CanIResponseSchema.parse(await request<unknown>('POST', AUTH_ROUTES.canI, { body: { checks }, signal }))
        .results,
  });
}

export interface WriteAccess {
  /** The console is view-only: show no write control at all. */
  hidden: boolean;
  /** Every check said yes. */
  allowed: boolean;
  /** Still asking. */
  checking: boolean;
  /** What is missing, said plainly (the first refused check), or why it could not be asked. */
  reason?: string;
}

/** May the user make every one of these writes? For enabling a write control (or hiding it when view-only). */
export function useWriteAccess(checks: AccessCheck[], enabled = true): WriteAccess {
  const info = useAuthInfo();
  const viewOnly = info.data?.viewOnly === true;
  const can = useCanI(checks, enabled && !viewOnly && info.data?.authenticated === true);
  if (viewOnly) return { hidden: true, allowed: false, checking: false, reason: 'The console is view-only.' };
  if (!enabled || checks.length === 0) return { hidden: false, allowed: true, checking: false };
  if (info.isPending || can.isPending)
    return { hidden: false, allowed: false, checking: true, reason: 'Checking your permissions…' };
  if (can.error)
    return {
      hidden: false,
      allowed: false,
      checking: false,
      reason: `Could not check your permissions: ${can.error.message}`,
    };
  const refused = (can.data ?? []).find((r) => !r.allowed);
  return refused
    ? { hidden: false, allowed: false, checking: false, reason: refused.message }
    : { hidden: false, allowed: true, checking: false };
}
