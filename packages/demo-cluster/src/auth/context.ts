/** The user a request acts as, available to code the request runs (writes checked for RBAC escalation). */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Attributes } from '../rbac/rules';
import type { UserInfo } from './user';

export interface RequestContext {
  user: UserInfo;
  attributes: Attributes;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runAs<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** The current request's context; undefined for the emulator's own writes (start-up, controllers). */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs `fn` outside any request (controllers scheduled from a request must not act as its user). */
export function asSystem<T>(fn: () => T): T {
  return storage.exit(fn);
}
