/**
 * ServiceAccount tokens: JWTs the cluster signs with its own key — bound tokens from the TokenRequest API
 * (`serviceaccounts/NAME/token`, what `kubectl create token` asks for) and legacy tokens written into
 * Secrets of type `kubernetes.io/service-account-token` — and their validation as kube-apiserver does
 * (signature, issuer, audience, expiry, and the service account, pod or secret still existing).
 */
import { randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { Cluster } from '../cluster';
import type { KObject } from '../types';
import { serviceAccountGroups, serviceAccountUsername, type UserInfo } from './user';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
export const SA_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';
const ALG = 'RS256';

interface BoundClaims {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
}

export interface TokenResult {
  user: UserInfo;
  audiences: string[];
}

export class ServiceAccountTokens {
  private key?: Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; kid: string; jwk: JWK }>;

  constructor(
    private readonly cluster: Cluster,
    readonly issuer: string,
    readonly apiAudiences: string[],
    savedKey?: JWK,
  ) {
    if (savedKey) this.key = this.importKey(savedKey);
  }

  private async importKey(jwk: JWK) {
    const privateKey = (await importJWK(jwk, ALG)) as CryptoKey;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
    const publicKey = (await importJWK(pub, ALG)) as CryptoKey;
    return { privateKey, publicKey, kid: await calculateJwkThumbprint(pub), jwk };
  }

  private signingKey() {
    this.key ??= generateKeyPair(ALG, { extractable: true }).then(async ({ privateKey }) =>
      this.importKey(await exportJWK(privateKey)),
    );
    return this.key;
  }

  /** The private key as a JWK, for the state file (so tokens survive a restart). */
  async exportKey(): Promise<JWK | undefined> {
    return this.key ? (await this.key).jwk : undefined;
  }

  /** A bound token for a service account (TokenRequest). */
  async issue(
    sa: KObject,
    opts: { audiences: string[]; expirationSeconds: number; pod?: KObject; secret?: KObject },
  ): Promise<{ token: string; expires: Date }> {
    const key = await this.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const exp = now + opts.expirationSeconds;
    const ns = sa.metadata.namespace ?? '';
    const claims: BoundClaims = {
      namespace: ns,
      serviceaccount: { name: sa.metadata.name ?? '', uid: sa.metadata.uid ?? '' },
    };
    if (opts.pod) claims.pod = { name: opts.pod.metadata.name ?? '', uid: opts.pod.metadata.uid ?? '' };
    if (opts.secret)
      claims.secret = { name: opts.secret.metadata.name ?? '', uid: opts.secret.metadata.uid ?? '' };
    const token = await new SignJWT({ 'kubernetes.io': claims })
      .setProtectedHeader({ alg: ALG, kid: key.kid })
      .setIssuer(this.issuer)
      .setSubject(serviceAccountUsername(ns, sa.metadata.name ?? ''))
      .setAudience(opts.audiences)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(key.privateKey);
    return { token, expires: new Date(exp * 1000) };
  }

  /** A legacy (non-expiring) token for a Secret of type kubernetes.io/service-account-token. */
  async issueLegacy(secret: KObject, sa: KObject): Promise<string> {
    const key = await this.signingKey();
    const ns = sa.metadata.namespace ?? '';
    return new SignJWT({
      'kubernetes.io/serviceaccount/namespace': ns,
      'kubernetes.io/serviceaccount/secret.name': secret.metadata.name ?? '',
      'kubernetes.io/serviceaccount/service-account.name': sa.metadata.name ?? '',
      'kubernetes.io/serviceaccount/service-account.uid': sa.metadata.uid ?? '',
    })
      .setProtectedHeader({ alg: ALG, kid: key.kid })
      .setIssuer(LEGACY_ISSUER)
      .setSubject(serviceAccountUsername(ns, sa.metadata.name ?? ''))
      .sign(key.privateKey);
  }

  /** Whether a token's (unverified) issuer says it is one of ours. */
  recognizes(iss: string | undefined): boolean {
    return iss === this.issuer || iss === LEGACY_ISSUER;
  }

  /** Validates a token this cluster issued; throws with the reason when it is not (any longer) valid. */
  async authenticate(token: string, targetAudiences: string[]): Promise<TokenResult> {
    const key = await this.signingKey();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key.publicKey, {
        issuer: [this.issuer, LEGACY_ISSUER],
        algorithms: [ALG],
      }));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw new Error('service account token has expired');
      throw new Error(`invalid bearer token: ${(e as Error).message}`);
    }
    const store = this.cluster.store;
    const tokenAuds =
      payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const effective = tokenAuds.length ? tokenAuds : this.apiAudiences;
    const audiences = effective.filter((a) => targetAudiences.includes(a));
    if (audiences.length === 0)
      throw new Error(
        `token audiences ${JSON.stringify(effective)} is invalid for the target audiences ${JSON.stringify(targetAudiences)}`,
      );
    if (payload.iss === LEGACY_ISSUER) {
      const ns = String(payload['kubernetes.io/serviceaccount/namespace'] ?? '');
      const secretName = String(payload['kubernetes.io/serviceaccount/secret.name'] ?? '');
      const saName = String(payload['kubernetes.io/serviceaccount/service-account.name'] ?? '');
      const saUid = String(payload['kubernetes.io/serviceaccount/service-account.uid'] ?? '');
      const secret = store.get('secrets', ns, secretName);
      const stored = (secret?.data as Record<string, string> | undefined)?.token;
      if (!secret || !stored || Buffer.from(stored, 'base64').toString('utf8') !== token)
        throw new Error(`secrets "${secretName}" not found: token has been invalidated`);
      const sa = this.requireServiceAccount(ns, saName, saUid);
      return {
        user: { name: serviceAccountUsername(ns, saName), uid: sa, groups: serviceAccountGroups(ns) },
        audiences,
      };
    }
    const k = payload['kubernetes.io'] as BoundClaims | undefined;
    if (!k?.namespace || !k.serviceaccount?.name)
      throw new Error('invalid bearer token: no kubernetes.io claims');
    const ns = k.namespace;
    const uid = this.requireServiceAccount(ns, k.serviceaccount.name, k.serviceaccount.uid);
    const extra: Record<string, string[]> = {};
    if (payload.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${payload.jti}`];
    if (k.pod) {
      const pod = store.get('pods', ns, k.pod.name);
      if (!pod) throw new Error(`pods "${k.pod.name}" not found`);
      if (pod.metadata.uid !== k.pod.uid)
        throw new Error(`pod UID (${pod.metadata.uid ?? ''}) does not match claim (${k.pod.uid})`);
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    }
    if (k.secret) {
      const secret = store.get('secrets', ns, k.secret.name);
      if (!secret) throw new Error(`secrets "${k.secret.name}" not found`);
      if (secret.metadata.uid !== k.secret.uid)
        throw new Error(`secret UID (${secret.metadata.uid ?? ''}) does not match claim (${k.secret.uid})`);
    }
    return {
      user: {
        name: serviceAccountUsername(ns, k.serviceaccount.name),
        uid,
        groups: serviceAccountGroups(ns),
        extra,
      },
      audiences,
    };
  }

  private requireServiceAccount(ns: string, name: string, uid: string): string {
    const sa = this.cluster.store.get('serviceaccounts', ns, name);
    if (!sa) throw new Error(`serviceaccounts "${name}" not found`);
    if (uid && sa.metadata.uid !== uid)
      throw new Error(`service account UID (${sa.metadata.uid ?? ''}) does not match claim (${uid})`);
    return sa.metadata.uid ?? '';
  }

  /**
   * The token controller's part for Secrets of type kubernetes.io/service-account-token: once the
   * secret exists, its data gets `token` and `namespace`, and its annotations the service account's uid.
   */
  async fillSecret(ns: string, name: string): Promise<void> {
    const store = this.cluster.store;
    const secret = store.get('secrets', ns, name);
    if (!secret || secret.type !== SA_TOKEN_SECRET_TYPE) return;
    const data = (secret.data ?? {}) as Record<string, string>;
    if (data.token) return;
    const saName = secret.metadata.annotations?.[SA_NAME_ANNOTATION];
    const sa = saName ? store.get('serviceaccounts', ns, saName) : undefined;
    if (!sa) return;
    const token = await this.issueLegacy(secret, sa);
    const now = store.get('secrets', ns, name);
    if (!now || now.metadata.uid !== secret.metadata.uid) return;
    const t = this.cluster.registry.byResource('', 'secrets');
    if (!t) return;
    this.cluster.systemPut(t, {
      ...now,
      metadata: {
        ...now.metadata,
        annotations: { ...now.metadata.annotations, [SA_UID_ANNOTATION]: sa.metadata.uid ?? '' },
      },
      data: {
        ...((now.data ?? {}) as Record<string, string>),
        namespace: Buffer.from(ns).toString('base64'),
        token: Buffer.from(token).toString('base64'),
      },
    });
  }
}
