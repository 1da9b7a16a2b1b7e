import { describe, expect, it } from 'vitest';
import { freePort, isAlive, sleep, spawnReady, waitForHttp } from '../src/index';

const node = process.execPath;

/** Polls until none of `pids` is alive or `timeoutMs` has passed; returns those still alive. */
async function stillAlive(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(20);
  return pids.filter(isAlive);
}

describe('spawnReady', () => {
  it('returns the URL of the READY line and stop() ends the whole process group', async () => {
    // The child starts a grandchild (as npx does) and announces a URL.
    // It ignores SIGTERM (stop() must escalate to SIGKILL), from before it announces READY.
    const script = `
      process.on('SIGTERM', () => {});
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.error('log line on stderr');
      console.log('some chatter');
      console.log('READY http://127.0.0.1:4321');
      console.log('GRANDCHILD ' + g.pid);
      setInterval(() => {}, 1000);
    `;
    let announced: (pid: number) => void = () => undefined;
    const grandchildPid = new Promise<number>((resolve) => (announced = resolve));
    const proc = await spawnReady(node, ['-e', script], {
      name: 'fake',
      graceMs: 300,
      onStdoutLine: (line) => {
        const m = /^GRANDCHILD (\d+)/.exec(line);
        if (m) announced(Number(m[1]));
      },
    });
    expect(proc.url).toBe('http://127.0.0.1:4321');
    const grandchild = await grandchildPid;
    expect(grandchild).toBeGreaterThan(0);
    expect(isAlive(grandchild)).toBe(true);
    await proc.stop();
    // stop() resolves once the child has exited and been reaped.
    expect(isAlive(proc.pid)).toBe(false);
    expect(proc.process.signalCode).toBe('SIGKILL');
    // The grandchild is not ours to reap: wait (bounded) until its new parent has done so.
    expect(await stillAlive([grandchild], 5000)).toEqual([]);
  });

  it('fails with the stderr tail when the process exits before READY', async () => {
    await expect(
      spawnReady(node, ['-e', 'console.error("cannot open kubeconfig"); process.exit(3)'], {
        name: 'broken',
      }),
    ).rejects.toThrow(/broken exited \(3\) before printing READY[\s\S]*cannot open kubeconfig/);
  });

  it('fails after the timeout and leaves no process behind', async () => {
    let pid = 0;
    const attempt = spawnReady(
      node,
      ['-e', 'console.log("PID " + process.pid); setInterval(() => {}, 1000)'],
      {
        // Long enough for node to start and print its pid on two busy cores.
        timeoutMs: 5000,
        onStdoutLine: (line) => (pid = Number(line.split(' ')[1])),
      },
    );
    await expect(attempt).rejects.toThrow(/printed no READY line within 5000 ms/);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('waitForHttp and freePort', () => {
  it('times out with the URL and last error when nothing listens', async () => {
    const port = await freePort();
    await expect(waitForHttp(`http://127.0.0.1:${port}/`, 400)).rejects.toThrow(
      new RegExp(`127.0.0.1:${port}/ did not become ready within 400 ms`),
    );
  });
});
