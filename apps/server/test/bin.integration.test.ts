// The `meshlens` bin (bin/meshlens.js) as users, the demo, e2e and the benches start it: it builds the
// esbuild bundle when missing or stale and runs it, runs an up-to-date bundle as it is, and falls back to
// the sources through tsx when it cannot write the bundle. Each run is a real process on the demo cluster;
// the bundle goes to a folder of this test's own under apps/server/dist (MESHLENS_BUNDLE_DIR), and it serves
// a built SPA of this test's own (--web-dir), so serving the SPA is tested whether apps/web is built or not.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoCluster, type DemoCluster } from '@meshlens/demo-cluster';
import { spawnReady } from '@meshlens/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePaths, staleReason } from '../scripts/bundle.mjs';
import { applyYaml } from './stackHelpers';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const bin = join(serverDir, 'bin', 'meshlens.js');
/** The module script of the test's SPA, named as Vite names hashed assets. */
const SPA_SCRIPT = 'assets/index-T3st1ng.js';
const SPA_SCRIPT_TEXT = "document.body.dataset.app = 'meshlens';\n";

let cluster: DemoCluster;
let tmp: string;
let kubeconfig: string;
/** A built SPA as Vite writes one: index.html naming a hashed module script under assets/. */
let webDir: string;
/** A folder with no index.html: the web app is not built. */
let emptyWebDir: string;
/** Inside the install (apps/server/dist), as the server finds its data by walking up from the bundle. */
let work: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'meshlens-bin-'));
  kubeconfig = join(tmp, 'kubeconfig');
  webDir = join(tmp, 'web');
  mkdirSync(join(webDir, 'assets'), { recursive: true });
  writeFileSync(
    join(webDir, 'index.html'),
    // With an inline script like apps/web/index.html's base-path fallback, which the server leaves out.
    `<!doctype html>\n<html lang="en">\n  <head>\n    <meta charset="UTF-8" />\n    <script>\n      document.title = 'inline';\n    </script>\n    <title>meshlens</title>\n    <script type="module" crossorigin src="./${SPA_SCRIPT}"></script>\n  </head>\n  <body><div id="root"></div></body>\n</html>\n`,
  );
  writeFileSync(join(webDir, SPA_SCRIPT), SPA_SCRIPT_TEXT);
  emptyWebDir = join(tmp, 'web-not-built');
  mkdirSync(emptyWebDir);
  cluster = await startDemoCluster({ host: '127.0.0.1', port: 0 });
  await cluster.writeKubeconfig(kubeconfig);
  await applyYaml(kubeconfig, 'apiVersion: v1\nkind: Namespace\nmetadata: { name: bookinfo }\n', '');
  await applyYaml(
    kubeconfig,
    'apiVersion: v1\nkind: Service\nmetadata: { name: details }\nspec: { selector: { app: details }, ports: [{ name: http, port: 9080 }] }\n',
    'bookinfo',
  );
  mkdirSync(join(serverDir, 'dist'), { recursive: true });
  work = mkdtempSync(join(serverDir, 'dist', 'test-bin-'));
});

afterAll(async () => {
  await cluster?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Run {
  url: string;
  stdout: string[];
  stderr: string;
}

/** The command lines of a process's children (Linux /proc). */
function childrenOf(pid: number): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === pid ? [readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

/** Starts the bin with its bundle in `bundleDir`, serving the SPA in `web`, runs `check` against it, stops it. */
async function runBin(
  bundleDir: string,
  check: (url: string, pid: number) => Promise<void>,
  web = webDir,
): Promise<Run> {
  const stdout: string[] = [];
  const proc = await spawnReady(
    process.execPath,
    [
      bin,
      '--kubeconfig',
      kubeconfig,
      '--prometheus-url',
      'http://127.0.0.1:9',
      '--port',
      '0',
      '--log-level',
      'warn',
      '--web-dir',
      web,
    ],
    {
      name: 'meshlens',
      env: { ...process.env, MESHLENS_BUNDLE_DIR: bundleDir, MESHLENS_FROM_SOURCE: '' },
      timeoutMs: 30_000,
      graceMs: 3000,
      onStdoutLine: (line) => stdout.push(line),
    },
  );
  try {
    await check(proc.url, proc.pid);
  } finally {
    await proc.stop();
  }
  return { url: proc.url, stdout, stderr: proc.stderrTail() };
}

async function expectHealthy(url: string): Promise<void> {
  const res = await fetch(`${url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
}

/** An Istio write the server must check against the CRD schemas of data/istio/crd-all.gen.yaml. */
async function expectCrdSchemaCheck(url: string): Promise<void> {
  const vs = (weight: unknown) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'details' },
    spec: { hosts: ['details'], http: [{ route: [{ destination: { host: 'details' }, weight }] }] },
  });
  const post = (body: unknown) =>
    fetch(`${url}/api/namespaces/bookinfo/istio/virtualservices?dryRun=true`, {
      method: 'POST',
      // The console's own page sends its Origin with a write (see src/http/origin.ts).
      headers: { 'content-type': 'application/json', origin: new URL(url).origin },
      body: JSON.stringify(body),
    });
  const bad = await post(vs('heavy'));
  expect(bad.status).toBe(422);
  const causes = ((await bad.json()) as { error: { details: { causes: { path: string }[] } } }).error.details
    .causes;
  expect(causes.map((c) => c.path)).toContain('spec/http[0]/route[0]/weight');
  const good = await post(vs(100));
  const text = await good.text();
  expect(good.status, text).toBe(200);
  expect(JSON.parse(text)).toMatchObject({ dryRun: true, validations: [{ name: 'details', valid: true }] });
}

/**
 * The test's SPA: index.html for a client-side route, with `<base href>` and the runtime config injected,
 * its module script served as it is and cached for good (hashed name).
 */
async function expectSpaIndex(url: string): Promise<void> {
  const res = await fetch(`${url}/services`, { headers: { accept: 'text/html' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await res.text();
  expect(html).toContain(`<script type="module" crossorigin src="./${SPA_SCRIPT}"></script>`);
  expect(html).toContain('<base href="/">');
  // The runtime config is a JSON data block, and the page has no inline script (the CSP forbids it).
  expect(html).toMatch(
    /<script type="application\/json" id="meshlens-config">\{"basePath":"","version":"[^"]+"\}<\/script>/,
  );
  for (const tag of html.match(/<script\b[^>]*>/g) ?? [])
    expect(tag).toMatch(/\bsrc=|type="application\/json"/);
  expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
  const script = await fetch(new URL(SPA_SCRIPT, `${url}/`));
  expect(script.status).toBe(200);
  expect(script.headers.get('content-type')).toMatch(/javascript/);
  expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(await script.text()).toBe(SPA_SCRIPT_TEXT);
}

/** The page saying the web app is not built, for a folder without index.html. */
async function expectNotBuiltPage(url: string): Promise<void> {
  const res = await fetch(`${url}/services`, { headers: { accept: 'text/html' } });
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain('The web app is not built');
  expect(html).not.toContain('meshlens-config');
}

/** Each run builds with esbuild and starts a server: tens of seconds on 2 busy cores. */
const RUN_TIMEOUT_MS = 90_000;

describe('bin/meshlens.js', () => {
  it(
    'builds the bundle when it is missing, then runs it: health, the SPA and CRD schema checks',
    async () => {
      const dir = join(work, 'bundle');
      const run = await runBin(dir, async (url, pid) => {
        // esbuild's service process (~400 MB) does not outlive the build.
        expect(childrenOf(pid)).toEqual([]);
        await expectHealthy(url);
        await expectSpaIndex(url);
        await expectCrdSchemaCheck(url);
      });
      expect(run.stdout).toEqual([`READY ${run.url}`]);
      expect(run.stderr).toContain('meshlens: building the server bundle (missing)');
      expect(run.stderr).not.toContain('running from source');
      const paths = bundlePaths(dir);
      for (const f of [paths.file, paths.map, paths.inputs]) expect(existsSync(f), f).toBe(true);
      const inputs = (JSON.parse(readFileSync(paths.inputs, 'utf8')) as { inputs: string[] }).inputs;
      expect(inputs).toEqual(expect.arrayContaining(['apps/server/src/cli.ts', 'apps/server/src/paths.ts']));
      expect(inputs.some((i) => i.startsWith('node_modules/express/'))).toBe(true);
      expect(staleReason(paths)).toBeUndefined();
      // No build leftovers beside the outputs.
      expect(readdirSync(dir).sort()).toEqual(['meshlens.inputs.json', 'meshlens.mjs', 'meshlens.mjs.map']);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'runs an up-to-date bundle as it is, and rebuilds a stale one',
    async () => {
      const paths = bundlePaths(join(work, 'bundle'));
      // A line of our own at the end of the bundle: newer than every input, so still up to date.
      appendFileSync(paths.file, "\nprocess.stderr.write('from the bundle\\n');\n");
      const fresh = await runBin(paths.dir, expectHealthy);
      expect(fresh.stderr).toContain('from the bundle');
      expect(fresh.stderr).not.toContain('building the server bundle');

      // Older than its sources: rebuilt (our line is gone) before it runs.
      utimesSync(paths.file, new Date(0), new Date(0));
      expect(staleReason(paths)).toMatch(/ changed$/);
      const stale = await runBin(paths.dir, expectHealthy);
      expect(stale.stdout).toEqual([`READY ${stale.url}`]);
      expect(stale.stderr).toMatch(/building the server bundle \(\S+ changed\)/);
      expect(stale.stderr).not.toContain('from the bundle');
      expect(statSync(paths.file).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'runs the sources through tsx when it cannot write the bundle',
    async () => {
      // A bundle folder under a plain file cannot be created, whoever runs the test (root included).
      const blocker = join(work, 'read-only');
      writeFileSync(blocker, '');
      const run = await runBin(
        join(blocker, 'bundle'),
        async (url) => {
          await expectHealthy(url);
          await expectCrdSchemaCheck(url);
          await expectNotBuiltPage(url);
        },
        emptyWebDir,
      );
      expect(run.stdout).toEqual([`READY ${run.url}`]);
      expect(run.stderr).toContain('meshlens: running from source through tsx');
    },
    RUN_TIMEOUT_MS,
  );
});

describe('staleReason', () => {
  it('names what makes a bundle stale: missing, unreadable inputs, a gone or newer input', () => {
    const dir = join(work, 'fake');
    mkdirSync(dir, { recursive: true });
    const paths = bundlePaths(dir);
    expect(staleReason(paths)).toBe('missing');
    writeFileSync(paths.file, '');
    expect(staleReason(paths)).toBe('no readable meshlens.inputs.json');
    const withInputs = (inputs: string[]) =>
      writeFileSync(paths.inputs, JSON.stringify({ entry: 'apps/server/src/cli.ts', inputs }));
    withInputs(['apps/server/src/cli.ts', 'node_modules/not-stat-ed/index.js']);
    expect(staleReason(paths)).toBeUndefined();
    withInputs(['apps/server/src/no-such-file.ts']);
    expect(staleReason(paths)).toBe('apps/server/src/no-such-file.ts is gone');
    withInputs(['apps/server/src/cli.ts']);
    utimesSync(paths.file, new Date(0), new Date(0));
    expect(staleReason(paths)).toBe('apps/server/src/cli.ts changed');
  });
});
