#!/usr/bin/env node
// The kubeconfig of docker-compose.yml's console, checked and made usable inside the container before the
// server starts (docker-compose.yml runs it first):
//   node deploy/compose/kubeconfig.mjs IN OUT [--loopback-host NAME]
// - With --loopback-host (Docker Desktop: host.docker.internal), clusters whose server is on the host's
//   loopback (127.0.0.1, localhost, ::1 — kind, minikube's docker driver, k3d, a `kubectl proxy`) are
//   reached at NAME instead, with tls-server-name set to the address the server's certificate names, so
//   that TLS still verifies. (On Linux, docker-compose.yml shares the host's network instead: nothing to
//   rewrite.)
// - Files the kubeconfig names (certificate-authority, client-certificate, client-key, tokenFile) are not
//   in the container unless mounted: they are inlined when readable, else the start fails naming them.
// - Exec credential plugins (aws, gke-gcloud-auth-plugin, kubelogin, …) are not in the image: a user whose
//   plugin command is not found here fails the start with what to do instead.
// Writes OUT (mode 0600); exits 1 with a message on stderr when the kubeconfig cannot work here.
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

// The server's own YAML library (deploy/ has no dependencies of its own; in the image it sits beside it).
const { parse, stringify } = createRequire(new URL('../../apps/server/package.json', import.meta.url))(
  'yaml',
);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether `command` runs here: a path that is executable, or a name found on PATH. */
function found(command, env = process.env) {
  const candidates = command.includes('/')
    ? [command]
    : (env.PATH ?? '').split(delimiter).map((d) => join(d, command));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The kubeconfig made for the container, or the reasons it cannot work there. `base` is the folder of the
 * original file (relative paths in a kubeconfig are relative to it).
 */
export function containerKubeconfig(config, { base, loopbackHost, env = process.env } = {}) {
  const problems = [];
  const out = structuredClone(config ?? {});
  // Only what the current context uses (every context when none is set): a broken entry nobody uses is no
  // reason to stop.
  const contexts = (out.contexts ?? []).filter(
    (c) => !out['current-context'] || c.name === out['current-context'],
  );
  const usedClusters = new Set(contexts.map((c) => c.context?.cluster));
  const usedUsers = new Set(contexts.map((c) => c.context?.user));
  const inline = (holder, key, dataKey, what) => {
    const path = holder?.[key];
    if (!path) return;
    const file = isAbsolute(path) || !base ? path : join(base, path);
    try {
      holder[dataKey] = readFileSync(file).toString('base64');
      delete holder[key];
    } catch {
      problems.push(
        `${what} names the file ${file}, which is not in the container: ` +
          'flatten the kubeconfig first (kubectl config view --minify --flatten > kubeconfig.flat) and mount that',
      );
    }
  };
  for (const c of (out.clusters ?? []).filter((x) => usedClusters.has(x.name))) {
    const cluster = c.cluster ?? {};
    inline(cluster, 'certificate-authority', 'certificate-authority-data', `cluster ${c.name}`);
    if (!loopbackHost || !cluster.server) continue;
    let url;
    try {
      url = new URL(cluster.server);
    } catch {
      continue;
    }
    if (!LOOPBACK.has(url.hostname)) continue;
    const original = url.hostname.replace(/^\[|\]$/g, '');
    url.hostname = loopbackHost;
    cluster.server = url.toString().replace(/\/$/, '');
    // The certificate names the loopback address (or localhost), not loopbackHost.
    if (url.protocol === 'https:' && !cluster['tls-server-name']) cluster['tls-server-name'] = original;
  }
  for (const u of (out.users ?? []).filter((x) => usedUsers.has(x.name))) {
    const user = u.user ?? {};
    inline(user, 'client-certificate', 'client-certificate-data', `user ${u.name}`);
    inline(user, 'client-key', 'client-key-data', `user ${u.name}`);
    if (user.tokenFile) {
      const file = isAbsolute(user.tokenFile) || !base ? user.tokenFile : join(base, user.tokenFile);
      try {
        user.token = readFileSync(file, 'utf8').trim();
        delete user.tokenFile;
      } catch {
        problems.push(`user ${u.name} reads its token from ${file}, which is not in the container: mount it`);
      }
    }
    const command = user.exec?.command;
    if (command && !found(command, env))
      problems.push(
        `user ${u.name} gets its credentials from the exec plugin "${command}", which is not in this image. ` +
          'Either mount the plugin and what it needs (e.g. -v /usr/local/bin/aws:/usr/local/bin/aws:ro -v ~/.aws:/home/node/.aws:ro; ' +
          'a plugin that needs a runtime the image lacks, such as gcloud, cannot run here), or give the console a token: ' +
          'kubectl create token <serviceaccount> → a kubeconfig user with `token:`, or run `npx meshlens` on the host.',
      );
  }
  return { config: out, problems };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const [input, output, ...rest] = process.argv.slice(2);
  const at = rest.indexOf('--loopback-host');
  const loopbackHost = at >= 0 ? rest[at + 1] : undefined;
  if (!input || !output || (at >= 0 && !loopbackHost)) {
    process.stderr.write('usage: node deploy/compose/kubeconfig.mjs IN OUT [--loopback-host NAME]\n');
    process.exit(2);
  }
  let config;
  try {
    config = parse(readFileSync(input, 'utf8'));
  } catch (err) {
    process.stderr.write(
      `meshlens: cannot read the kubeconfig ${input} (${err.message}): mount yours there, e.g. KUBECONFIG_FILE=~/.kube/config\n`,
    );
    process.exit(1);
  }
  const { config: out, problems } = containerKubeconfig(config, { base: dirname(input), loopbackHost });
  if (problems.length) {
    process.stderr.write(`meshlens: the kubeconfig ${input} cannot work in this container:\n`);
    for (const p of problems) process.stderr.write(`  - ${p}\n`);
    process.exit(1);
  }
  writeFileSync(output, stringify(out), { mode: 0o600 });
}
