/**
 * The demo's users for sign-in (`--auth token|openid`): three users with tokens made anew each run, known to
 * the demo cluster through a kube-apiserver style token file, with their roles and bindings from
 * data/demo/users.yaml. Written to STATE/users.json for people and tests to sign in with.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './components';

export type AuthStrategy = 'anonymous' | 'token' | 'openid';
export const AUTH_STRATEGIES: readonly AuthStrategy[] = ['anonymous', 'token', 'openid'];

export type DemoUserName = 'admin' | 'bookinfo-editor' | 'viewer';

export interface DemoUser {
  name: DemoUserName;
  token: string;
  description: string;
  /** With `openid`: the password of the user's account at the demo's OpenID provider. */
  password?: string;
}

/** The demo provider's client id for the console (the demo cluster's --oidc-client-id). */
export const DEMO_OIDC_CLIENT_ID = 'meshlens';

/** Groups in the demo users' ID tokens (claim `groups`; the demo cluster prefixes them with `oidc:`). */
export const DEMO_GROUPS: Record<DemoUserName, string[]> = {
  admin: ['mesh-admins'],
  'bookinfo-editor': ['bookinfo-editors'],
  viewer: ['mesh-viewers'],
};

/** Roles and bindings of the demo users (applied by the demo cluster at start). */
export const DEMO_USERS_MANIFEST = join(repoRoot, 'data', 'demo', 'users.yaml');

const USERS: { name: DemoUserName; description: string }[] = [
  { name: 'admin', description: 'cluster-admin: reads and changes everything, in every namespace' },
  {
    name: 'bookinfo-editor',
    description: 'edit in namespace bookinfo only, Istio routing included; may list namespaces',
  },
  { name: 'viewer', description: 'view in every namespace: reads the whole mesh, changes nothing' },
];

/** The three users with fresh random tokens (and, with `passwords`, fresh passwords). */
export function makeDemoUsers(options: { passwords?: boolean } = {}): DemoUser[] {
  return USERS.map((u) => ({
    name: u.name,
    token: randomBytes(24).toString('base64url'),
    description: u.description,
    ...(options.passwords ? { password: randomBytes(9).toString('base64url') } : {}),
  }));
}

export const usersFile = (stateDir: string): string => join(stateDir, 'users.json');
export const tokenFile = (stateDir: string): string => join(stateDir, 'tokens.csv');
/** The demo provider's accounts (`--auth openid`). */
export const oidcAccountsFile = (stateDir: string): string => join(stateDir, 'oidc-accounts.json');
/** The console's client secret at the demo provider (`--auth openid`). */
export const oidcClientSecretFile = (stateDir: string): string => join(stateDir, 'oidc-client-secret');

/** The console's session key (`--session-key-file`) when people sign in: sessions survive a console restart. */
export const sessionKeyFile = (stateDir: string): string => join(stateDir, 'session-key');

/** Writes STATE/users.json (`{"users": [...]}`) and the cluster's token file, both readable by the owner only. */
export async function writeDemoUsers(stateDir: string, users: DemoUser[]): Promise<void> {
  await writeFile(usersFile(stateDir), `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 });
  // kube-apiserver's --token-auth-file: token,user,uid
  await writeFile(tokenFile(stateDir), users.map((u) => `${u.token},${u.name},demo-${u.name}\n`).join(''), {
    mode: 0o600,
  });
  if (users.length)
    await writeFile(sessionKeyFile(stateDir), `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  const accounts = users
    .filter((u) => u.password)
    .map((u) => ({
      name: u.name,
      password: u.password,
      email: `${u.name}@meshlens.demo`,
      groups: DEMO_GROUPS[u.name],
    }));
  if (accounts.length) {
    await writeFile(oidcAccountsFile(stateDir), `${JSON.stringify(accounts, null, 2)}\n`, { mode: 0o600 });
    await writeFile(oidcClientSecretFile(stateDir), `${randomBytes(24).toString('base64url')}\n`, {
      mode: 0o600,
    });
  }
}

export async function removeDemoUsers(stateDir: string): Promise<void> {
  await rm(usersFile(stateDir), { force: true });
  await rm(tokenFile(stateDir), { force: true });
  await rm(oidcAccountsFile(stateDir), { force: true });
  await rm(oidcClientSecretFile(stateDir), { force: true });
  await rm(sessionKeyFile(stateDir), { force: true });
}
