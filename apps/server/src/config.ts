import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { GRAPH_TYPES, parseDuration } from '@meshlens/contract';
import { PROMETHEUS_COMPRESSIONS } from './prometheus/compression';

export const VERSION = '0.1.0';

const ToleranceSchema = z.object({
  code: z.string(),
  degraded: z.number().min(0),
  failure: z.number().min(0),
  protocol: z.string().default('http|grpc'),
  direction: z.string().default('.*'),
});

/** A duration in config: milliseconds as a number, or text like `15s`, `5m`. */
const durationMs = z.union([z.number().int().min(0), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const s = parseDuration(v);
  if (s === null) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)} (e.g. 15s, 5m)` });
    return z.NEVER;
  }
  return s * 1000;
});

/** How the console reaches Prometheus or the tracing backend: credentials, TLS, headers, a deadline. */
const UPSTREAM_ACCESS = {
  bearerToken: z.string().optional(),
  bearerTokenFile: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  /** File holding the basic-auth password (a mounted Secret); read on start. */
  passwordFile: z.string().optional(),
  /** Extra headers on every request, e.g. a tenant `X-Scope-OrgID` for Thanos, Mimir, Cortex or Tempo. */
  headers: z.record(z.string(), z.string()).default({}),
  /** PEM file of the CA(s) that sign the server's certificate (https URLs), added to the system ones. */
  caFile: z.string().optional(),
  /** Accept any certificate (https URLs): for tests only, it defeats TLS. */
  insecureSkipVerify: z.boolean().default(false),
  timeoutMs: durationMs.default(10_000),
};

export const ServerConfigSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(20001),
  /** Serve /metrics on this port (same host) instead of the main one; absent = on the main port. */
  metricsPort: z.number().int().min(0).max(65535).optional(),
  /** /readyz answers within this bound, whatever Kubernetes and Prometheus do. */
  readyTimeoutMs: durationMs.default(1000),
  /** Default 127.0.0.1, or 0.0.0.0 when running in a cluster. */
  host: z.string().optional(),
  /** Prefix to serve under, e.g. `/meshlens` ('' = root). */
  basePath: z
    .string()
    .default('')
    .transform((p) => (p === '/' ? '' : p.replace(/\/+$/, '')))
    .refine(
      (p) => p === '' || /^\/[A-Za-z0-9._~\-/]*$/.test(p),
      'basePath must start with / and be a plain path',
    ),
  /** Refuse every write (403) and show no write control, whoever signs in. */
  viewOnly: z.boolean().default(false),
  /** How people sign in and whose Kubernetes rights their requests use (see auth/README in the server's README). */
  auth: z
    .strictObject({
      /**
       * `anonymous`: everyone acts as the console's own identity (default with a kubeconfig); `token`: users
       * paste a Kubernetes bearer token (default in a cluster); `header`: an authenticating proxy passes the
       * user's bearer token, or names the user for impersonation; `openid`: users sign in at an OpenID
       * Connect provider (authorization code flow with PKCE) and their ID token is their bearer token.
       */
      strategy: z.enum(['anonymous', 'token', 'openid', 'header']).optional(),
      /** Secret (32+ characters) the session cookies are encrypted with; or sessionKeyFile. */
      sessionKey: z.string().min(32, 'at least 32 characters').optional(),
      /**
       * File holding the secret (a mounted Secret), one key per line: the first seals new sessions, every
       * line opens them (key rotation). Without a key a random one is made at start (sessions end on restart
       * and do not work across replicas).
       */
      sessionKeyFile: z.string().optional(),
      /** How long a session lasts at most (also bounded by the token's own expiry when it is a JWT). */
      sessionTtlMs: durationMs.default(8 * 3_600_000),
      /**
       * Addresses or CIDRs of the proxies in front of the console: only requests from them have their
       * X-Forwarded-Proto / X-Forwarded-For honoured (Secure cookies behind https) and, with the header
       * strategy, their user headers believed.
       */
      trustedProxies: z.array(z.string().min(1)).default([]),
      /** How long an identity and access reviews are reused per user. */
      accessCacheTtlMs: durationMs.default(10_000),
      header: z
        .strictObject({
          /**
           * Impersonate the user and groups the proxy names in userHeader / groupsHeader (requests from
           * trustedProxies only), with the console's own credentials; else the proxy must pass the user's
           * bearer token in Authorization.
           */
          impersonate: z.boolean().default(false),
          userHeader: z.string().min(1).default('X-Forwarded-User'),
          /** Comma-separated group names (the header may also repeat). */
          groupsHeader: z.string().min(1).default('X-Forwarded-Groups'),
          /** Where the sign-out link goes (the proxy's sign-out URL, e.g. /oauth2/sign_out). */
          logoutUrl: z.string().optional(),
        })
        .prefault({}),
      /** Strategy `openid`: the OpenID Connect provider, which the API server must trust too. */
      openid: z
        .strictObject({
          /** The issuer (`iss` of its tokens; its discovery document is under it): kube-apiserver's --oidc-issuer-url. */
          issuerUrl: z.url().optional(),
          /** The console's client id at the provider: kube-apiserver's --oidc-client-id (the ID token's audience). */
          clientId: z.string().min(1).optional(),
          /** The client secret; or clientSecretFile; neither for a public client (PKCE alone). */
          clientSecret: z.string().min(1).optional(),
          /** File holding the client secret (a mounted Secret); read on start. */
          clientSecretFile: z.string().min(1).optional(),
          /** Scopes asked for (`openid` must be one); add e.g. `groups` where the provider has it. */
          scopes: z
            .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'not a scope'))
            .default(['openid', 'email', 'profile']),
          /**
           * The redirect URI registered at the provider; default: this console's own URL as the browser
           * reached it (an allowed Host, behind auth.trustedProxies their X-Forwarded-Proto) + basePath +
           * /api/auth/openid/callback.
           */
          redirectUrl: z.url().optional(),
          /**
           * Where the provider sends the browser after signing out there (register it at the provider as a
           * post-logout redirect URI); default: this console's own URL (as for redirectUrl) + /signin.
           */
          postLogoutRedirectUrl: z.url().optional(),
          /** Shown as "Sign in with <providerName>"; default: the issuer's host name. */
          providerName: z.string().min(1).max(60).optional(),
          /** Accept an http:// issuer on a loopback address (the demo's provider); https is required otherwise. */
          allowInsecureIssuer: z.boolean().default(false),
          /** Deadline of each request to the provider (discovery, token exchange). */
          timeoutMs: durationMs.default(10_000),
        })
        .prefault({}),
    })
    .superRefine((a, ctx) => {
      const o = a.openid;
      if (o.clientSecret && o.clientSecretFile)
        ctx.addIssue({
          code: 'custom',
          path: ['openid', 'clientSecretFile'],
          message: 'give clientSecret or clientSecretFile, not both',
        });
      if (a.strategy !== 'openid') return;
      if (!o.issuerUrl)
        ctx.addIssue({
          code: 'custom',
          path: ['openid', 'issuerUrl'],
          message: 'required with strategy openid',
        });
      if (!o.clientId)
        ctx.addIssue({
          code: 'custom',
          path: ['openid', 'clientId'],
          message: 'required with strategy openid',
        });
      if (!o.scopes.includes('openid'))
        ctx.addIssue({ code: 'custom', path: ['openid', 'scopes'], message: 'must include openid' });
      if (o.issuerUrl) {
        const u = new URL(o.issuerUrl);
        if (
          u.protocol !== 'https:' &&
          !(o.allowInsecureIssuer && u.protocol === 'http:' && isLoopback(u.hostname))
        )
          ctx.addIssue({
            code: 'custom',
            path: ['openid', 'issuerUrl'],
            message: `must be https (${o.issuerUrl}); an http issuer is accepted only on a loopback address with allowInsecureIssuer`,
          });
      }
    })
    .prefault({}),
  server: z
    .strictObject({
      /**
       * Host names (and `name:port`, `.example.com` for a domain and its subdomains, `*` for any) the
       * console answers besides the loopback names and, in a cluster, its Service's names; any other
       * `Host` is refused with 421 (against DNS rebinding). See http/hosts.ts.
       */
      allowedHosts: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The built SPA (apps/web/dist by default). */
  webDir: z.string().optional(),
  kubernetes: z
    .strictObject({
      /** Kubeconfig file; absent = $KUBECONFIG, else in-cluster service account, else ~/.kube/config. */
      kubeconfig: z.string().optional(),
      context: z.string().optional(),
      /**
       * In a cluster (KUBERNETES_SERVICE_HOST set, no kubeconfig): the folder holding the ServiceAccount's
       * `token`, `ca.crt` and `namespace` instead of /var/run/secrets/kubernetes.io/serviceaccount (a pod's
       * files run elsewhere, as the demo's --in-cluster does). Not used with a kubeconfig.
       */
      serviceAccountDir: z.string().optional(),
      clusterName: z.string().default('Kubernetes'),
      /**
       * Further clusters of the mesh, by kubeconfig context: each is read with its own watches and named
       * after its context (its Istio cluster id). The home cluster (context / current context, named
       * clusterName) is always read; listing it here too is allowed.
       */
      clusters: z.array(z.string().min(1)).default([]),
      /**
       * Read further clusters from Istio's remote secrets, as Kiali and istiod do: Secrets labelled
       * `istio/multiCluster=true` in istioNamespace (`istioctl create-remote-secret`), each data key a
       * cluster name and its value a kubeconfig. Read once at start with the console's credentials.
       */
      remoteSecrets: z.boolean().default(true),
      istioNamespace: z.string().default('istio-system'),
      /** Deadline of each Kubernetes request (and of opening each watch). */
      timeoutMs: durationMs.default(10_000),
      /** `timeoutSeconds` of each watch; a watch silent for longer (plus timeoutMs) is restarted. */
      watchTimeoutMs: durationMs.default(300_000),
    })
    .prefault({}),
  prometheus: z
    .strictObject({
      url: z.url().default('http://127.0.0.1:9090'),
      ...UPSTREAM_ACCESS,
      /**
       * Whether Prometheus's answers come gzipped. `auto`: not from a Prometheus on this host or in the
       * cluster (a loopback address, a Service's name: `prometheus`, `….svc`, `….cluster.local`, and in a
       * cluster `prometheus.istio-system`), gzipped from anywhere else (see prometheus/compression.ts).
       */
      compression: z.enum(PROMETHEUS_COMPRESSIONS).default('auto'),
    })
    .prefault({}),
  /**
   * The change history (history/): ConfigMaps `meshlens-changes-NNNNNN` in `namespace` (default: the
   * console's own namespace in a cluster, else kubernetes.istioNamespace), at most `perConfigMap` changes each and `maxConfigMaps` of them.
   */
  history: z
    .strictObject({
      namespace: z.string().min(1).optional(),
      perConfigMap: z.number().int().min(1).max(500).default(50),
      maxConfigMaps: z.number().int().min(1).max(1000).default(20),
    })
    .prefault({}),
  /**
   * Distributed tracing: a Jaeger query API (Jaeger, or Grafana Tempo's Jaeger-compatible endpoint), the
   * part of the URL before `/api/`; the Traces tabs say how to enable it when unset. Same auth options as
   * Prometheus. `externalUrl`: the backend's own UI, for "open in Jaeger/Tempo" links. `maxResponseMb`: the
   * largest answer read from it (a search of many large traces); past it the request fails with a 502.
   */
  tracing: z
    .strictObject({
      url: z.url().optional(),
      externalUrl: z.url().optional(),
      ...UPSTREAM_ACCESS,
      /** Most bytes read of one answer of the backend (MiB); a larger answer is refused, not buffered. */
      maxResponseMb: z.number().positive().default(32),
    })
    .prefault({}),
  /** Grafana with Istio's standard dashboards: the detail pages link to them when a URL is set. */
  grafana: z
    .strictObject({
      url: z.url().optional(),
      /** Dashboard paths (Istio's addon: `/d/<uid>/<slug>`). */
      serviceDashboard: z.string().default('/d/LJ_uJAvmk/istio-service-dashboard'),
      workloadDashboard: z.string().default('/d/UbsSZTDik/istio-workload-dashboard'),
    })
    .prefault({}),
  ui: z
    .strictObject({
      refreshIntervalMs: durationMs.default(15_000),
      durationSeconds: z.number().int().min(10).default(300),
      /** The graph type the UI opens with (a URL's graphType wins). */
      defaultGraphType: z.enum(GRAPH_TYPES).default('versionedApp'),
      defaultNamespaces: z.array(z.string()).default([]),
    })
    .prefault({}),
  graph: z
    .strictObject({
      /** How long an answer is reused; default: the refresh interval. */
      cacheTtlMs: durationMs.optional(),
      /**
       * Soft limit on the V8 heap (MB): after an answer, one full garbage collection when the heap is
       * above it (see heap.ts); 0 never. Default 96: a 1,000-service mesh then peaks at ~255 MB RSS.
       */
      heapSoftLimitMb: z.number().int().min(0).default(96),
      /** Longest `duration` a graph request may ask for, seconds (default 30 days). */
      maxDurationSeconds: z
        .number()
        .int()
        .min(10)
        .default(30 * 86_400),
      /** Most namespaces one graph request may name. */
      maxNamespaces: z.number().int().min(1).default(200),
      /**
       * Graph computations (answers not already cached or in flight) one client may start per minute;
       * past it 429 with Retry-After. 0 = no limit. A client is the signed-in user (with anonymous, the remote address).
       */
      maxComputationsPerClientPerMinute: z.number().int().min(0).default(120),
    })
    .prefault({}),
  /** Container logs (logs/). */
  logs: z
    .strictObject({
      /**
       * Log follows (`follow=true`, each holding a stream from the cluster) one client may have open at
       * once; past it 429 with Retry-After. 0 = no limit. A client is the signed-in user, by user name
       * whatever credential they use (with anonymous, the remote address).
       */
      maxFollowsPerClient: z.number().int().min(0).default(10),
    })
    .prefault({}),
  /**
   * Guarded rollouts (rollouts/): their state is kept in ConfigMaps, and the driving console elected by a
   * Lease, in `namespace` (default: the pod's namespace, else kubernetes.istioNamespace).
   */
  rollouts: z
    .strictObject({
      namespace: z.string().optional(),
      /** How often the driving console looks at each rollout (and renews its Lease). */
      tickMs: durationMs.default(2000),
      /** A standby console takes over when the Lease has not been renewed for this long. */
      leaseDurationMs: durationMs.default(15_000),
    })
    .prefault({}),
  health: z
    .strictObject({
      rate: z
        .array(
          z.strictObject({
            namespace: z.string().optional(),
            kind: z.string().optional(),
            name: z.string().optional(),
            tolerance: z.array(ToleranceSchema),
          }),
        )
        .default([]),
    })
    .prefault({}),
});
/** 127.0.0.0/8, ::1 and localhost. */
function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export type ServerConfig = z.output<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;

export function parseConfig(input: unknown, where = 'config'): ServerConfig {
  const result = ServerConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid ${where}:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** The CLI: every flag also reads an environment variable (shown in --help). */
export function buildCommand(): Command {
  const opt = (flags: string, description: string, env: string) => new Option(flags, description).env(env);
  return new Command('meshlens')
    .description('meshlens: a web console for Istio service meshes')
    .version(VERSION)
    .addOption(opt('-c, --config <file>', 'YAML config file (flags and env override it)', 'MESHLENS_CONFIG'))
    .addOption(opt('-p, --port <port>', 'port to listen on (0 = any free port) [20001]', 'MESHLENS_PORT'))
    .addOption(
      opt(
        '--metrics-port <port>',
        'serve /metrics on this port instead of the main one',
        'MESHLENS_METRICS_PORT',
      ),
    )
    .addOption(
      opt('--ready-timeout <duration>', '/readyz answers within this bound [1s]', 'MESHLENS_READY_TIMEOUT'),
    )
    .addOption(opt('--host <host>', 'address to bind [127.0.0.1, 0.0.0.0 in a cluster]', 'MESHLENS_HOST'))
    .addOption(
      opt(
        '--allowed-hosts <list>',
        'other Host names the console answers (comma list; name, name:port, .domain or *) [loopback names; in a cluster also the Service names]',
        'MESHLENS_ALLOWED_HOSTS',
      ),
    )
    .addOption(
      opt(
        '--base-path <path>',
        'serve the console under this path prefix, e.g. /meshlens',
        'MESHLENS_BASE_PATH',
      ),
    )
    .addOption(
      opt('--kubeconfig <file>', 'kubeconfig file (default: in-cluster, else ~/.kube/config)', 'KUBECONFIG'),
    )
    .addOption(opt('--context <name>', 'kubeconfig context to use', 'MESHLENS_KUBE_CONTEXT'))
    .addOption(
      opt(
        '--service-account-dir <dir>',
        'in a cluster: folder of the ServiceAccount token, ca.crt, namespace [/var/run/secrets/kubernetes.io/serviceaccount]',
        'MESHLENS_SERVICEACCOUNT_DIR',
      ),
    )
    .addOption(
      opt('--kube-timeout <duration>', 'timeout per Kubernetes request [10s]', 'MESHLENS_KUBE_TIMEOUT'),
    )
    .addOption(
      opt(
        '--kube-watch-timeout <duration>',
        'timeoutSeconds of each watch; a watch silent longer is restarted [5m]',
        'MESHLENS_KUBE_WATCH_TIMEOUT',
      ),
    )
    .addOption(
      opt('--cluster-name <name>', 'cluster name shown in the graph [Kubernetes]', 'MESHLENS_CLUSTER_NAME'),
    )
    .addOption(
      opt(
        '--clusters <contexts>',
        'further clusters of the mesh: kubeconfig contexts, comma-separated, each named after its context (its Istio cluster id)',
        'MESHLENS_CLUSTERS',
      ),
    )
    .addOption(
      opt(
        '--remote-cluster-secrets [bool]',
        "read further clusters from Istio's remote secrets (istio/multiCluster=true) [true]",
        'MESHLENS_REMOTE_CLUSTER_SECRETS',
      ),
    )
    .addOption(
      opt(
        '--istio-namespace <ns>',
        'Istio control-plane namespace [istio-system]',
        'MESHLENS_ISTIO_NAMESPACE',
      ),
    )
    .addOption(
      opt(
        '--history-namespace <ns>',
        "where the change history's ConfigMaps live [the console's namespace in a cluster, else the Istio namespace]",
        'MESHLENS_HISTORY_NAMESPACE',
      ),
    )
    .addOption(opt('--prometheus-url <url>', 'Prometheus base URL [http://127.0.0.1:9090]', 'PROMETHEUS_URL'))
    .addOption(
      opt(
        '--grafana-url <url>',
        "Grafana with Istio's dashboards (detail pages link to them)",
        'GRAFANA_URL',
      ),
    )
    .addOption(
      opt('--tracing-url <url>', "Jaeger query API (or Tempo's Jaeger endpoint) base URL", 'TRACING_URL'),
    )
    .addOption(
      opt('--tracing-external-url <url>', 'the tracing UI, for links to a trace', 'TRACING_EXTERNAL_URL'),
    )
    .addOption(opt('--tracing-token <token>', 'bearer token for the tracing backend', 'TRACING_TOKEN'))
    .addOption(opt('--tracing-token-file <file>', 'file holding that bearer token', 'TRACING_TOKEN_FILE'))
    .addOption(
      opt('--tracing-username <user>', 'basic-auth user for the tracing backend', 'TRACING_USERNAME'),
    )
    .addOption(opt('--tracing-password <password>', 'its basic-auth password', 'TRACING_PASSWORD'))
    .addOption(opt('--tracing-password-file <file>', 'file holding that password', 'TRACING_PASSWORD_FILE'))
    .addOption(opt('--tracing-ca-file <file>', 'PEM CA(s) for an https tracing backend', 'TRACING_CA_FILE'))
    .addOption(
      opt(
        '--tracing-insecure-skip-verify [bool]',
        'accept any tracing backend certificate (tests only) [false]',
        'TRACING_INSECURE_SKIP_VERIFY',
      ),
    )
    .addOption(
      opt(
        '--tracing-header <header...>',
        'extra header(s) "Name: value" for the tracing backend',
        'TRACING_HEADERS',
      ),
    )
    .addOption(
      opt('--tracing-timeout <duration>', 'timeout per tracing request, e.g. 10s [10s]', 'TRACING_TIMEOUT'),
    )
    .addOption(
      opt(
        '--tracing-max-response <MiB>',
        'largest answer read from the tracing backend, MiB [32]',
        'TRACING_MAX_RESPONSE_MB',
      ),
    )
    .addOption(opt('--prometheus-token <token>', 'bearer token for Prometheus', 'PROMETHEUS_TOKEN'))
    .addOption(
      opt(
        '--prometheus-token-file <file>',
        'file holding the bearer token (re-read on start)',
        'PROMETHEUS_TOKEN_FILE',
      ),
    )
    .addOption(opt('--prometheus-username <user>', 'basic-auth user for Prometheus', 'PROMETHEUS_USERNAME'))
    .addOption(
      opt('--prometheus-password <password>', 'basic-auth password for Prometheus', 'PROMETHEUS_PASSWORD'),
    )
    .addOption(
      opt(
        '--prometheus-password-file <file>',
        'file holding the basic-auth password',
        'PROMETHEUS_PASSWORD_FILE',
      ),
    )
    .addOption(
      opt(
        '--prometheus-ca-file <file>',
        'PEM CA(s) for an https Prometheus, added to the system ones',
        'PROMETHEUS_CA_FILE',
      ),
    )
    .addOption(
      opt(
        '--prometheus-insecure-skip-verify [bool]',
        'accept any Prometheus certificate (tests only) [false]',
        'PROMETHEUS_INSECURE_SKIP_VERIFY',
      ),
    )
    .addOption(
      opt(
        '--prometheus-header <header...>',
        'extra header(s) "Name: value" (env: separated by newlines or ;)',
        'PROMETHEUS_HEADERS',
      ),
    )
    .addOption(
      opt(
        '--prometheus-compression <mode>',
        'auto|gzip|none: gzipped answers; auto: none from this host or the cluster [auto]',
        'PROMETHEUS_COMPRESSION',
      ),
    )
    .addOption(
      opt(
        '--prometheus-timeout <duration>',
        'timeout per PromQL query, e.g. 10s [10s]',
        'PROMETHEUS_TIMEOUT',
      ),
    )
    .addOption(
      opt(
        '--refresh-interval <duration>',
        'default graph refresh interval, e.g. 15s [15s]',
        'MESHLENS_REFRESH_INTERVAL',
      ),
    )
    .addOption(opt('--duration <duration>', 'default graph duration, e.g. 5m [5m]', 'MESHLENS_DURATION'))
    .addOption(
      opt(
        '--graph-type <type>',
        'graph type the UI opens with: app, versionedApp, workload or service [versionedApp]',
        'MESHLENS_GRAPH_TYPE',
      ),
    )
    .addOption(
      opt(
        '--graph-cache-ttl <duration>',
        'how long a graph answer is reused [refresh interval]',
        'MESHLENS_GRAPH_CACHE_TTL',
      ),
    )
    .addOption(
      opt(
        '--graph-max-duration <duration>',
        'longest graph duration a request may ask for [30d]',
        'MESHLENS_GRAPH_MAX_DURATION',
      ),
    )
    .addOption(
      opt(
        '--graph-max-namespaces <n>',
        'most namespaces in one graph request [200]',
        'MESHLENS_GRAPH_MAX_NAMESPACES',
      ),
    )
    .addOption(
      opt(
        '--graph-max-computations <n>',
        'graph computations one client may start per minute, 0 = no limit [120]',
        'MESHLENS_GRAPH_MAX_COMPUTATIONS',
      ),
    )
    .addOption(
      opt(
        '--logs-max-follows <n>',
        'log follows one user may have open at once, 0 = no limit [10]',
        'MESHLENS_LOGS_MAX_FOLLOWS',
      ),
    )
    .addOption(
      opt(
        '--default-namespaces <list>',
        'namespaces shown when none is chosen (comma list)',
        'MESHLENS_DEFAULT_NAMESPACES',
      ),
    )
    .addOption(
      opt(
        '--view-only [bool]',
        'refuse every write; the UI shows no write control [false]',
        'MESHLENS_VIEW_ONLY',
      ),
    )
    .addOption(
      opt(
        '--auth-strategy <strategy>',
        'anonymous|token|openid|header [anonymous; token in a cluster]',
        'MESHLENS_AUTH_STRATEGY',
      ),
    )
    .addOption(
      opt('--session-key <secret>', 'secret (32+ chars) encrypting session cookies', 'MESHLENS_SESSION_KEY'),
    )
    .addOption(
      opt(
        '--session-key-file <file>',
        'file with the session secret(s), one per line, first one seals [random at start]',
        'MESHLENS_SESSION_KEY_FILE',
      ),
    )
    .addOption(opt('--session-ttl <duration>', 'longest session, e.g. 8h [8h]', 'MESHLENS_SESSION_TTL'))
    .addOption(
      opt(
        '--trusted-proxies <list>',
        'addresses/CIDRs of proxies whose X-Forwarded-* (and user headers) are believed',
        'MESHLENS_TRUSTED_PROXIES',
      ),
    )
    .addOption(
      opt(
        '--access-cache-ttl <duration>',
        'how long identities and access reviews are reused per user [10s]',
        'MESHLENS_ACCESS_CACHE_TTL',
      ),
    )
    .addOption(
      opt(
        '--auth-header-impersonate [bool]',
        'header strategy: impersonate the user named by the proxy [false]',
        'MESHLENS_AUTH_HEADER_IMPERSONATE',
      ),
    )
    .addOption(
      opt(
        '--auth-header-user <name>',
        'header strategy: header naming the user [X-Forwarded-User]',
        'MESHLENS_AUTH_HEADER_USER',
      ),
    )
    .addOption(
      opt(
        '--auth-header-groups <name>',
        'header strategy: header naming the groups [X-Forwarded-Groups]',
        'MESHLENS_AUTH_HEADER_GROUPS',
      ),
    )
    .addOption(
      opt(
        '--auth-header-logout-url <url>',
        "header strategy: the proxy's sign-out URL",
        'MESHLENS_AUTH_HEADER_LOGOUT_URL',
      ),
    )
    .addOption(
      opt(
        '--openid-issuer-url <url>',
        'openid strategy: the OpenID Connect issuer (as kube-apiserver --oidc-issuer-url)',
        'MESHLENS_OPENID_ISSUER_URL',
      ),
    )
    .addOption(
      opt(
        '--openid-client-id <id>',
        "openid strategy: the console's client id (as kube-apiserver --oidc-client-id)",
        'MESHLENS_OPENID_CLIENT_ID',
      ),
    )
    .addOption(
      opt(
        '--openid-client-secret <secret>',
        'openid strategy: the client secret',
        'MESHLENS_OPENID_CLIENT_SECRET',
      ),
    )
    .addOption(
      opt(
        '--openid-client-secret-file <file>',
        'openid strategy: file holding the client secret [none: a public client]',
        'MESHLENS_OPENID_CLIENT_SECRET_FILE',
      ),
    )
    .addOption(
      opt(
        '--openid-scopes <list>',
        'openid strategy: scopes to ask for (comma or space list) [openid,email,profile]',
        'MESHLENS_OPENID_SCOPES',
      ),
    )
    .addOption(
      opt(
        '--openid-redirect-url <url>',
        "openid strategy: the redirect URI registered at the provider [this console's URL + /api/auth/openid/callback]",
        'MESHLENS_OPENID_REDIRECT_URL',
      ),
    )
    .addOption(
      opt(
        '--openid-post-logout-redirect-url <url>',
        "openid strategy: where the provider sends the browser after signing out [this console's URL + /signin]",
        'MESHLENS_OPENID_POST_LOGOUT_REDIRECT_URL',
      ),
    )
    .addOption(
      opt(
        '--openid-provider-name <name>',
        'openid strategy: shown as "Sign in with <name>" [the issuer\'s host]',
        'MESHLENS_OPENID_PROVIDER_NAME',
      ),
    )
    .addOption(
      opt(
        '--openid-allow-insecure-issuer [bool]',
        'openid strategy: accept an http issuer on a loopback address (demos) [false]',
        'MESHLENS_OPENID_ALLOW_INSECURE_ISSUER',
      ),
    )
    .addOption(
      opt(
        '--openid-timeout <duration>',
        'openid strategy: timeout per request to the provider [10s]',
        'MESHLENS_OPENID_TIMEOUT',
      ),
    )
    .addOption(opt('--web-dir <dir>', 'built web app to serve [apps/web/dist]', 'MESHLENS_WEB_DIR'))
    .addOption(
      opt('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent [info]', 'MESHLENS_LOG_LEVEL'),
    );
}

type Flags = Record<string, string | string[] | boolean | undefined>;

function headersOf(
  value: string | string[] | undefined,
  flag = '--prometheus-header',
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/[;\n]/));
  const out: Record<string, string> = {};
  for (const part of parts) {
    const i = part.indexOf(':');
    if (i <= 0) {
      if (part.trim()) throw new Error(`${flag}: expected "Name: value", got ${JSON.stringify(part)}`);
      continue;
    }
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function bool(flag: string, v: string | boolean | undefined): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  if (/^(true|1|yes|on)$/i.test(v)) return true;
  if (/^(false|0|no|off)$/i.test(v)) return false;
  throw new Error(`${flag}: expected true or false, got ${JSON.stringify(v)}`);
}

const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${flag}: expected a whole number, got ${JSON.stringify(v)}`);
  return n;
}

function seconds(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = parseDuration(v);
  if (s === null) throw new Error(`${flag}: expected a duration like 15s or 5m, got ${JSON.stringify(v)}`);
  return s;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** Flags/env (already merged by commander) over the YAML file over the defaults. */
export async function configFromFlags(flags: Flags): Promise<ServerConfig> {
  const s = (k: string) => {
    const v = flags[k];
    return Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? String(v) : v;
  };
  let file: Record<string, unknown> = {};
  const configPath = s('config');
  if (configPath) {
    const text = await readFile(configPath, 'utf8');
    const parsed: unknown = parseYaml(text);
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed)))
      throw new Error(`invalid config file ${configPath}: expected a mapping at the top`);
    file = (parsed ?? {}) as Record<string, unknown>;
  }
  const refresh = seconds('--refresh-interval', s('refreshInterval'));
  const timeout = seconds('--prometheus-timeout', s('prometheusTimeout'));
  const ttl = seconds('--graph-cache-ttl', s('graphCacheTtl'));
  const fromFlags = {
    port: num('--port', s('port')),
    metricsPort: num('--metrics-port', s('metricsPort')),
    readyTimeoutMs: ms(seconds('--ready-timeout', s('readyTimeout'))),
    host: s('host'),
    basePath: s('basePath'),
    server: {
      allowedHosts: s('allowedHosts')
        ?.split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    },
    logLevel: s('logLevel'),
    webDir: s('webDir'),
    viewOnly: bool('--view-only', flags.viewOnly as string | boolean | undefined),
    auth: {
      strategy: s('authStrategy'),
      sessionKey: s('sessionKey'),
      sessionKeyFile: s('sessionKeyFile'),
      sessionTtlMs: ms(seconds('--session-ttl', s('sessionTtl'))),
      trustedProxies: s('trustedProxies')
        ?.split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      accessCacheTtlMs: ms(seconds('--access-cache-ttl', s('accessCacheTtl'))),
      header: {
        impersonate: bool(
          '--auth-header-impersonate',
          flags.authHeaderImpersonate as string | boolean | undefined,
        ),
        userHeader: s('authHeaderUser'),
        groupsHeader: s('authHeaderGroups'),
        logoutUrl: s('authHeaderLogoutUrl'),
      },
      openid: {
        issuerUrl: s('openidIssuerUrl'),
        clientId: s('openidClientId'),
        clientSecret: s('openidClientSecret'),
        clientSecretFile: s('openidClientSecretFile'),
        scopes: s('openidScopes')
          ?.split(/[\s,]+/)
          .filter(Boolean),
        redirectUrl: s('openidRedirectUrl'),
        postLogoutRedirectUrl: s('openidPostLogoutRedirectUrl'),
        providerName: s('openidProviderName'),
        allowInsecureIssuer: bool(
          '--openid-allow-insecure-issuer',
          flags.openidAllowInsecureIssuer as string | boolean | undefined,
        ),
        timeoutMs: ms(seconds('--openid-timeout', s('openidTimeout'))),
      },
    },
    kubernetes: {
      kubeconfig: s('kubeconfig'),
      context: s('context'),
      serviceAccountDir: s('serviceAccountDir'),
      clusterName: s('clusterName'),
      clusters: s('clusters')
        ?.split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      remoteSecrets: bool(
        '--remote-cluster-secrets',
        flags.remoteClusterSecrets as string | boolean | undefined,
      ),
      istioNamespace: s('istioNamespace'),
      timeoutMs: ms(seconds('--kube-timeout', s('kubeTimeout'))),
      watchTimeoutMs: ms(seconds('--kube-watch-timeout', s('kubeWatchTimeout'))),
    },
    prometheus: {
      url: s('prometheusUrl'),
      bearerToken: s('prometheusToken'),
      bearerTokenFile: s('prometheusTokenFile'),
      username: s('prometheusUsername'),
      password: s('prometheusPassword'),
      passwordFile: s('prometheusPasswordFile'),
      caFile: s('prometheusCaFile'),
      insecureSkipVerify: bool(
        '--prometheus-insecure-skip-verify',
        flags.prometheusInsecureSkipVerify as string | boolean | undefined,
      ),
      headers: headersOf(flags.prometheusHeader as string | string[] | undefined),
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      compression: s('prometheusCompression'),
    },
    tracing: {
      url: s('tracingUrl'),
      externalUrl: s('tracingExternalUrl'),
      bearerToken: s('tracingToken'),
      bearerTokenFile: s('tracingTokenFile'),
      username: s('tracingUsername'),
      password: s('tracingPassword'),
      passwordFile: s('tracingPasswordFile'),
      caFile: s('tracingCaFile'),
      insecureSkipVerify: bool(
        '--tracing-insecure-skip-verify',
        flags.tracingInsecureSkipVerify as string | boolean | undefined,
      ),
      headers: headersOf(flags.tracingHeader as string | string[] | undefined, '--tracing-header'),
      timeoutMs: ms(seconds('--tracing-timeout', s('tracingTimeout'))),
      maxResponseMb: num('--tracing-max-response', s('tracingMaxResponse')),
    },
    grafana: { url: s('grafanaUrl') },
    history: { namespace: s('historyNamespace') },
    ui: {
      refreshIntervalMs: refresh === undefined ? undefined : refresh * 1000,
      durationSeconds: seconds('--duration', s('duration')),
      defaultGraphType: s('graphType'),
      defaultNamespaces: s('defaultNamespaces')
        ?.split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    },
    graph: {
      cacheTtlMs: ttl === undefined ? undefined : ttl * 1000,
      maxDurationSeconds: seconds('--graph-max-duration', s('graphMaxDuration')),
      maxNamespaces: num('--graph-max-namespaces', s('graphMaxNamespaces')),
      maxComputationsPerClientPerMinute: num('--graph-max-computations', s('graphMaxComputations')),
    },
    logs: { maxFollowsPerClient: num('--logs-max-follows', s('logsMaxFollows')) },
  };
  return parseConfig(deepMerge(file, fromFlags), configPath ? `config (${configPath} and flags)` : 'flags');
}
