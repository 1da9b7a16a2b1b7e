/**
 * `demo-oidc`: the demo's OpenID Connect provider as a process of the stack. Prints `READY <issuer>` once
 * it answers; stops on SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { startDemoProvider, type DemoAccount } from './provider';

const opts = new Command('demo-oidc')
  .description("the demo's OpenID Connect provider (oidc-provider) on loopback")
  .requiredOption('--accounts <file>', 'JSON: [{"name", "password", "email"?, "groups"?}]')
  .requiredOption('--client-id <id>', "the console's client id")
  .option('--client-secret-file <file>', 'file holding the client secret (default: a public client)')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--port <port>', 'port (0 = a free one)', '0')
  .option('--id-token-ttl <seconds>', 'lifetime of ID tokens', '3600')
  .option('--verbose', 'log sign-ins')
  .parse()
  .opts<{
    accounts: string;
    clientId: string;
    clientSecretFile?: string;
    host: string;
    port: string;
    idTokenTtl: string;
    verbose?: boolean;
  }>();

try {
  const accounts = JSON.parse(await readFile(opts.accounts, 'utf8')) as DemoAccount[];
  if (
    !Array.isArray(accounts) ||
    !accounts.every((a) => typeof a.name === 'string' && typeof a.password === 'string')
  )
    throw new Error(`--accounts ${opts.accounts}: expected [{"name": "…", "password": "…"}]`);
  const secret = opts.clientSecretFile ? (await readFile(opts.clientSecretFile, 'utf8')).trim() : undefined;
  const provider = await startDemoProvider({
    accounts,
    clientId: opts.clientId,
    ...(secret ? { clientSecret: secret } : {}),
    host: opts.host,
    port: Number(opts.port),
    idTokenTtlSeconds: Number(opts.idTokenTtl),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`READY ${provider.issuer}\n`);
  const stop = () => void provider.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  process.stderr.write(`demo-oidc: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
