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
}

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

/** The three users with fresh random tokens. */
export function makeDemoUsers(): DemoUser[] {
  return USERS.map((u) => ({
    name: u.name,
    token: randomBytes(24).toString('base64url'),
    description: u.description,
  }));
}

export const usersFile = (stateDir: string): string => join(stateDir, 'users.json');
export const tokenFile = (stateDir: string): string => join(stateDir, 'tokens.csv');

/** Writes STATE/users.json (`{"users": [...]}`) and the cluster's token file, both readable by the owner only. */
export async function writeDemoUsers(stateDir: string, users: DemoUser[]): Promise<void> {
  await writeFile(usersFile(stateDir), `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 });
  // kube-apiserver's --token-auth-file: token,user,uid
  await writeFile(tokenFile(stateDir), users.map((u) => `${u.token},${u.name},demo-${u.name}\n`).join(''), {
    mode: 0o600,
  });
}

export async function removeDemoUsers(stateDir: string): Promise<void> {
  await rm(usersFile(stateDir), { force: true });
  await rm(tokenFile(stateDir), { force: true });
}
