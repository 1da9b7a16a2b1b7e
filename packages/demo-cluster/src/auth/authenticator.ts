/**
 * Bearer-token authentication as kube-apiserver chains it: static tokens, ServiceAccount tokens and OIDC ID
 * tokens; a request without a token is `system:anonymous` (when anonymous requests are enabled) and a
 * request with a token nobody accepts is 401.
 */
import type { IncomingMessage } from 'node:http';
import { decodeJwt } from 'jose';
import { ApiError } from '../errors';
import type { OidcAuthenticator } from './oidc';
import type { ServiceAccountTokens } from './serviceaccounts';
import type { StaticTokens } from './tokens';
import { anonymousUser, withAuthenticatedGroup, type UserInfo } from './user';

export interface TokenReviewResult {
  authenticated: boolean;
  user?: UserInfo;
  audiences?: string[];
  error?: string;
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export class Authenticator {
  constructor(
    private readonly opts: {
      anonymous: boolean;
      apiAudiences: string[];
      staticTokens: StaticTokens;
      serviceAccounts: ServiceAccountTokens;
      oidc?: OidcAuthenticator;
    },
  ) {}

  get apiAudiences(): string[] {
    return this.opts.apiAudiences;
  }

  /**
   * One token against every authenticator (the union). `audiences` are the target audiences (a TokenReview's
   * `spec.audiences`; the API server's own audiences otherwise). Audience-agnostic authenticators (static
   * tokens, OIDC) answer only when the targets include one of the API server's audiences.
   */
  async authenticateToken(token: string, audiences?: string[]): Promise<TokenReviewResult> {
    const targets = audiences?.length ? audiences : this.opts.apiAudiences;
    const implicit = this.opts.apiAudiences.filter((a) => targets.includes(a));
    const errors: string[] = [];
    const accept = (user: UserInfo, auds: string[]): TokenReviewResult => ({
      authenticated: true,
      user: withAuthenticatedGroup(user),
      audiences: auds,
    });
    if (implicit.length) {
      const u = this.opts.staticTokens.lookup(token);
      if (u) return accept(u, implicit);
    }
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      iss = undefined;
    }
    if (iss !== undefined && this.opts.serviceAccounts.recognizes(iss)) {
      try {
        const r = await this.opts.serviceAccounts.authenticate(token, targets);
        return accept(r.user, r.audiences);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    if (iss !== undefined && implicit.length && this.opts.oidc?.recognizes(iss)) {
      try {
        return accept(await this.opts.oidc.authenticate(token), implicit);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    return {
      authenticated: false,
      ...(errors.length ? { error: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` } : {}),
    };
  }

  /** The request's user: from `Authorization: Bearer …`, else anonymous; throws 401 Unauthorized. */
  async authenticateRequest(req: IncomingMessage): Promise<UserInfo> {
    const header = req.headers.authorization ?? '';
    const m = /^bearer\s+(.*)$/i.exec(header.trim());
    const token = m?.[1]?.trim() ?? '';
    if (token) {
      const r = await this.authenticateToken(token);
      if (r.authenticated && r.user) return r.user;
      throw unauthorized();
    }
    if (this.opts.anonymous) return anonymousUser();
    throw unauthorized();
  }
}
