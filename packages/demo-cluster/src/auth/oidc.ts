/**
 * OpenID Connect ID tokens as bearer tokens, checked the way kube-apiserver's `--oidc-*` flags do: the
 * issuer must match exactly, the audience must include the client id, the signature must verify against
 * the issuer's keys (JWKS, from the discovery document or a configured URL), and the username and groups
 * come from the configured claims with their prefixes.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { UserInfo } from './user';

export interface OidcOptions {
  /** `--oidc-issuer-url`: must equal the token's `iss`. */
  issuerUrl: string;
  /** `--oidc-client-id`: must be in the token's `aud`. */
  clientId: string;
  /** Where the signing keys are; default: `jwks_uri` of `{issuerUrl}/.well-known/openid-configuration`. */
  jwksUrl?: string;
  /** `--oidc-username-claim` (default `sub`). */
  usernameClaim?: string;
  /**
   * `--oidc-username-prefix`: default `{issuerUrl}#` unless the claim is `email`; `-` for no prefix.
   */
  usernamePrefix?: string;
  /** `--oidc-groups-claim`: a string or an array of strings. */
  groupsClaim?: string;
  /** `--oidc-groups-prefix`. */
  groupsPrefix?: string;
  /** `--oidc-signing-algs` (default RS256). */
  signingAlgs?: string[];
  /** `--oidc-required-claim`: each claim must be present with this value. */
  requiredClaims?: Record<string, string>;
}

export class OidcAuthenticator {
  private jwks?: Promise<ReturnType<typeof createRemoteJWKSet>>;

  constructor(readonly opts: OidcOptions) {
    if (!opts.issuerUrl) throw new Error('OIDC: an issuer URL is required');
    if (!opts.clientId) throw new Error('OIDC: a client id is required');
  }

  recognizes(iss: string | undefined): boolean {
    return iss === this.opts.issuerUrl;
  }

  private keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.jwks ??= (async () => {
      if (this.opts.jwksUrl) return createRemoteJWKSet(new URL(this.opts.jwksUrl));
      const url = `${this.opts.issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`oidc: fetching ${url}: ${res.status}`);
      const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
      if (doc.issuer !== this.opts.issuerUrl)
        throw new Error(
          `oidc: issuer did not match the issuer returned by provider, expected "${this.opts.issuerUrl}" got "${doc.issuer ?? ''}"`,
        );
      if (!doc.jwks_uri) throw new Error('oidc: the discovery document has no jwks_uri');
      return createRemoteJWKSet(new URL(doc.jwks_uri));
    })();
    // A provider that was down is asked again on the next token.
    this.jwks.catch(() => (this.jwks = undefined));
    return this.jwks;
  }

  async authenticate(token: string): Promise<UserInfo> {
    const o = this.opts;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keys(), {
        issuer: o.issuerUrl,
        audience: o.clientId,
        algorithms: o.signingAlgs?.length ? o.signingAlgs : ['RS256'],
      }));
    } catch (e) {
      throw new Error(`oidc: verify token: ${(e as Error).message}`);
    }
    for (const [claim, want] of Object.entries(o.requiredClaims ?? {})) {
      if (!(claim in payload)) throw new Error(`oidc: required claim ${claim} not present in ID token`);
      if (payload[claim] !== want)
        throw new Error(
          `oidc: required claim ${claim} value does not match. Got = ${String(payload[claim])}, want = ${want}`,
        );
    }
    const usernameClaim = o.usernameClaim ?? 'sub';
    const username = payload[usernameClaim];
    if (typeof username !== 'string' || !username)
      throw new Error(`oidc: parse username claims "${usernameClaim}": claim not present or not a string`);
    if (usernameClaim === 'email' && 'email_verified' in payload && payload.email_verified !== true)
      throw new Error('oidc: email not verified');
    const prefix =
      o.usernamePrefix === '-'
        ? ''
        : (o.usernamePrefix ?? (usernameClaim === 'email' ? '' : `${o.issuerUrl}#`));
    const groups: string[] = [];
    if (o.groupsClaim && o.groupsClaim in payload) {
      const g = payload[o.groupsClaim];
      const list =
        typeof g === 'string'
          ? [g]
          : Array.isArray(g) && g.every((x) => typeof x === 'string')
            ? g
            : undefined;
      if (!list)
        throw new Error(`oidc: parse groups claim "${o.groupsClaim}": not a string or an array of strings`);
      for (const group of list as string[]) groups.push(`${o.groupsPrefix ?? ''}${group}`);
    }
    return { name: `${prefix}${username}`, groups };
  }
}
