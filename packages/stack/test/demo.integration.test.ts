import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, isAlive, killGroup, repoRoot, sleep, type Endpoints } from '../src/index';

interface RunningDemo {
  stateDir: string;
  npm: ChildProcess;
  stdout: string[];
  /** What the launcher says on stderr ("meshlens demo: …"). */
  stderr(): string;
  exited: Promise<number | null>;
  endpoints: Endpoints;
  /** Every pid the demo owns: the launcher and each component. */
  pids: number[];
}

/** Starts `npm run demo` as a user runs it, with a temporary state folder, and waits for its banner. */
async function startDemo(args: string[]): Promise<RunningDemo> {
  const stateDir = await mkdtemp(join(tmpdir(), 'meshlens-demo-test-'));
  // --no-web-build: a build would empty apps/web/dist under tests that serve it at the same time.
  const npm = spawn('npm', ['run', 'demo', '--', '--state-dir', stateDir, '--no-web-build', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  let stderr = '';
  npm.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stdout: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "Press Ctrl-C" within 90 s; stderr:\n${stderr}`)),
      90_000,
    );
    createInterface({ input: npm.stdout! }).on('line', (line) => {
      stdout.push(line);
      if (line.startsWith('Press Ctrl-C')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`npm run demo exited (${code}); stderr:\n${stderr}`)));
  });
  const endpoints = JSON.parse(await readFile(join(stateDir, 'endpoints.json'), 'utf8')) as Endpoints;
  const pids = [endpoints.pid, ...Object.values(endpoints.pids)].filter(
    (p): p is number => typeof p === 'number',
  );
  return { stateDir, npm, stdout, stderr: () => stderr, exited, endpoints, pids };
}

async function cleanUp(demo: RunningDemo | undefined): Promise<void> {
  if (!demo) return;
  if (demo.npm.pid && demo.npm.exitCode === null) killGroup(demo.npm.pid, 'SIGKILL');
  for (const pid of demo.pids.filter(isAlive)) killGroup(pid, 'SIGKILL');
  await rm(demo.stateDir, { recursive: true, force: true });
}

async function allGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(100);
  return pids.filter(isAlive);
}

describe('npm run demo', () => {
  let demo: RunningDemo | undefined;
  let prometheusPort: number;
  // The console port asked for is taken when the console binds it (another demo got there first).
  let held: Server | undefined;
  let heldPort: number;

  beforeAll(async () => {
    held = createServer();
    await new Promise<void>((resolve) =>
      held!.listen({ port: 0, host: '127.0.0.1', exclusive: true }, resolve),
    );
    heldPort = (held.address() as { port: number }).port;
    prometheusPort = await freePort();
    demo = await startDemo(['--port', String(heldPort), '--prometheus-port', String(prometheusPort)]);
  });

  afterAll(async () => {
    held?.close();
    await cleanUp(demo);
  });

  it('starts the console on a free port when the one asked for is taken, as the README promises', async () => {
    const { endpoints } = demo!;
    expect(held!.listening).toBe(true);
    const consolePort = Number(new URL(endpoints.console!).port);
    expect(consolePort).toBeGreaterThan(0);
    expect(consolePort).not.toBe(heldPort);
    expect(demo!.stderr()).toContain(
      `meshlens demo: port ${heldPort} is taken: the console gets a free port`,
    );
    expect((await fetch(`${endpoints.console}/healthz`)).status).toBe(200);
  });

  it('prints the console and Prometheus URLs and the kubectl hint, and writes endpoints.json', async () => {
    const { endpoints, stdout, stateDir } = demo!;
    const text = stdout.join('\n');
    expect(endpoints.prometheus).toBe(`http://127.0.0.1:${prometheusPort}`);
    expect(endpoints.kubeconfig).toBe(join(stateDir, 'kubeconfig'));
    expect(text).toContain(`Console:      ${endpoints.console}`);
    expect(text).toContain(`Prometheus:   ${endpoints.prometheus}`);
    expect(text).toContain(`KUBECONFIG=${stateDir}/kubeconfig kubectl get vs -A`);
    expect((await fetch(`${endpoints.console}/healthz`)).status).toBe(200);
    expect((await fetch(`${endpoints.prometheus}/-/ready`)).status).toBe(200);
  });

  it('on SIGTERM to the launcher stops every component and exits 0', async () => {
    const { pids, endpoints, exited, stateDir } = demo!;
    expect(pids).toHaveLength(5);
    expect(pids.every(isAlive)).toBe(true);
    process.kill(endpoints.pid, 'SIGTERM');
    const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout')]);
    expect(code).toBe(0);
    expect(await allGone(pids, 1000)).toEqual([]);
    expect(existsSync(join(stateDir, 'endpoints.json'))).toBe(false);
  }, 40_000);
});

describe('npm run demo killed through npm', () => {
  let demo: RunningDemo | undefined;

  afterAll(() => cleanUp(demo));

  it('leaves no process behind when npm itself gets SIGTERM', async () => {
    demo = await startDemo(['--port', '0', '--no-console']);
    expect(demo.endpoints.console).toBeNull();
    expect(demo.pids.every(isAlive)).toBe(true);
    process.kill(demo.npm.pid!, 'SIGTERM');
    await demo.exited;
    expect(await allGone(demo.pids, 15_000)).toEqual([]);
  }, 120_000);
});
