/** Static bearer tokens, read from a file in kube-apiserver's `--token-auth-file` CSV format. */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { UserInfo } from './user';

export interface StaticToken {
  token: string;
  user: string;
  uid?: string;
  groups?: string[];
}

/** `token,user,uid[,"group1,group2"]` per line (at least three columns; an empty token is skipped). */
export function parseTokenFile(text: string, source = 'token file'): StaticToken[] {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  const out: StaticToken[] = [];
  records.forEach((r, i) => {
    if (r.length < 3)
      throw new Error(
        `${source} must have at least 3 columns (token, user name, user uid), found ${r.length} on line ${i + 1}`,
      );
    const [token = '', user = '', uid = '', groups] = r;
    if (!token) return;
    out.push({ token, user, ...(uid ? { uid } : {}), ...(groups ? { groups: groups.split(',') } : {}) });
  });
  return out;
}

export function readTokenFile(path: string): StaticToken[] {
  return parseTokenFile(readFileSync(path, 'utf8'), `token file '${path}'`);
}

export class StaticTokens {
  private readonly byToken = new Map<string, UserInfo>();

  constructor(tokens: StaticToken[] = []) {
    for (const t of tokens) this.add(t);
  }

  add(t: StaticToken): void {
    this.byToken.set(t.token, {
      name: t.user,
      ...(t.uid ? { uid: t.uid } : {}),
      groups: [...(t.groups ?? [])],
    });
  }

  lookup(token: string): UserInfo | undefined {
    const u = this.byToken.get(token);
    return u && { ...u, groups: [...u.groups] };
  }
}
