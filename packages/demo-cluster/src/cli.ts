/** CLI: npx demo-cluster --port P --host H --kubeconfig-out FILE [--load FILE...] [--state FILE] */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { OidcOptions } from './auth';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

const program = new Command()
  .name('demo-cluster')
  .description(
    'A Kubernetes API emulator over HTTP (meshlens demo): discovery, CRUD, watch, Istio CRDs, controllers.',
  )
  .option(
    '-p, --port <port>',
    'port to listen on (0 picks a free one)',
    (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new InvalidArgumentError('must be an integer 0-65535');
      return n;
    },
    0,
  )
  .option('-H, --host <host>', 'address to bind', '127.0.0.1')
  .option('-k, --kubeconfig-out <file>', 'write a kubeconfig pointing at the emulator to this file')
  .option('-l, --load <files...>', 'manifests (multi-document YAML) to apply at start')
  .option('-s, --state <file>', 'JSON state file: loaded at start if present, saved on shutdown')
  .option('--no-istio-crds', 'do not install the Istio CRDs at start')
  .option('-v, --verbose', 'log every request to stderr', false)
  .option(
    '--token-auth-file <file>',
    'static bearer tokens, one user a line as kube-apiserver reads them: token,user,uid,"group1,group2"',
  )
  .option(
    '--no-anonymous-auth',
    'answer 401 to requests without a token (default: they are system:anonymous)',
  )
  .addOption(
    new Option('--authorization-mode <mode>', 'RBAC, or AlwaysAllow to let every request do anything')
      .choices(['RBAC', 'AlwaysAllow'])
      .default('RBAC'),
  )
  .option('--oidc-issuer-url <url>', 'trust ID tokens of this OpenID Connect issuer (exact `iss`)')
  .option('--oidc-client-id <id>', 'the audience ID tokens must carry (required with --oidc-issuer-url)')
  .option('--oidc-jwks-url <url>', "the issuer's signing keys (default: jwks_uri of its discovery document)")
  .option('--oidc-username-claim <claim>', 'the claim that names the user', 'sub')
  .option(
    '--oidc-username-prefix <prefix>',
    'prepended to usernames ("-" for none; default: the issuer URL and "#", unless the claim is email)',
  )
  .option('--oidc-groups-claim <claim>', 'the claim that lists the groups (a string or an array)')
  .option('--oidc-groups-prefix <prefix>', 'prepended to group names')
  .option('--oidc-signing-algs <algs>', 'accepted signature algorithms, comma separated', 'RS256')
  .option('--oidc-required-claim <key=value>', 'a claim every ID token must carry (repeatable)', collect)
  .parse();

const opts = program.opts<{
  port: number;
  host: string;
  kubeconfigOut?: string;
  load?: string[];
  state?: string;
  istioCrds: boolean;
  verbose: boolean;
  tokenAuthFile?: string;
  anonymousAuth: boolean;
  authorizationMode: 'RBAC' | 'AlwaysAllow';
  oidcIssuerUrl?: string;
  oidcClientId?: string;
  oidcJwksUrl?: string;
  oidcUsernameClaim: string;
  oidcUsernamePrefix?: string;
  oidcGroupsClaim?: string;
  oidcGroupsPrefix?: string;
  oidcSigningAlgs: string;
  oidcRequiredClaim?: string[];
}>();

function oidcOptions(): OidcOptions | undefined {
  if (!opts.oidcIssuerUrl) return undefined;
  if (!opts.oidcClientId) throw new Error('--oidc-client-id is required with --oidc-issuer-url');
  const required: Record<string, string> = {};
  for (const kv of opts.oidcRequiredClaim ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--oidc-required-claim ${kv}: expected key=value`);
    required[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return {
    issuerUrl: opts.oidcIssuerUrl,
    clientId: opts.oidcClientId,
    usernameClaim: opts.oidcUsernameClaim,
    signingAlgs: opts.oidcSigningAlgs
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    requiredClaims: required,
    ...(opts.oidcJwksUrl ? { jwksUrl: opts.oidcJwksUrl } : {}),
    ...(opts.oidcUsernamePrefix !== undefined ? { usernamePrefix: opts.oidcUsernamePrefix } : {}),
    ...(opts.oidcGroupsClaim ? { groupsClaim: opts.oidcGroupsClaim } : {}),
    ...(opts.oidcGroupsPrefix !== undefined ? { groupsPrefix: opts.oidcGroupsPrefix } : {}),
  };
}

try {
  const oidc = oidcOptions();
  // Loaded after the arguments are checked, so that a bad option fails at once.
  const { startDemoCluster } = await import('./server');
  const dc = await startDemoCluster({
    port: opts.port,
    host: opts.host,
    istioCrds: opts.istioCrds,
    auth: {
      anonymous: opts.anonymousAuth,
      authorizationMode: opts.authorizationMode,
      ...(opts.tokenAuthFile ? { tokenAuthFile: opts.tokenAuthFile } : {}),
      ...(oidc ? { oidc } : {}),
    },
    ...(opts.load ? { load: opts.load } : {}),
    ...(opts.state ? { stateFile: opts.state } : {}),
    ...(opts.verbose ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
  });
  if (opts.kubeconfigOut) {
    await dc.writeKubeconfig(opts.kubeconfigOut);
    process.stderr.write(`demo-cluster: kubeconfig written to ${opts.kubeconfigOut}\n`);
  }
  process.stdout.write(`READY ${dc.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`demo-cluster: ${signal}, shutting down\n`);
    dc.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`demo-cluster: error on shutdown: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (e) {
  process.stderr.write(`demo-cluster: ${(e as Error).message}\n`);
  process.exit(1);
}
