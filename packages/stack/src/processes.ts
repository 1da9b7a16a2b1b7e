import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Child processes started by this package, each the leader of its own process group, so that
 * stopping one also stops whatever it spawned (npx → npm → node, sh -c …). On the parent's exit
 * every group still alive gets SIGKILL synchronously, so nothing outlives the process that started it.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
}

/** Sends `signal` to the process group led by `pid` (falls back to the process). Returns false if gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** Whether a process with this pid exists (and is not a zombie we could still signal). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A bounded tail of a stream's lines, for error messages. */
export class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly max = 40) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export interface ManagedProcess {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Last lines of stderr (and of stdout when it is not parsed for READY). */
  stderrTail(): string;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the leader has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Short name used in error messages (default: the command's base name). */
  name?: string;
  /** Append the child's stderr (and non-READY stdout) to this file. */
  logFile?: string;
  /** Also copy the child's output to the parent's stderr, prefixed with the name. */
  echo?: boolean;
  /** Milliseconds between SIGTERM and SIGKILL in stop() (default 5000). */
  graceMs?: number;
  /** Called with every stdout line. */
  onStdoutLine?: (line: string) => void;
}

/** Spawns a managed child process in its own process group, with output collected and never left unread. */
export function spawnManaged(cmd: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  installExitHook();
  const name = options.name ?? cmd.split('/').pop() ?? cmd;
  const child = spawn(cmd, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const tail = new LineTail();
  let log: WriteStream | undefined;
  if (options.logFile) log = createWriteStream(options.logFile, { flags: 'a' });

  const emit = (line: string): void => {
    tail.push(line);
    log?.write(`${line}\n`);
    if (options.echo) process.stderr.write(`[${name}] ${line}\n`);
  };
  createInterface({ input: child.stderr! }).on('line', emit);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (options.onStdoutLine) options.onStdoutLine(line);
    else emit(line);
  });

  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      if (child.pid !== undefined) {
        liveGroups.delete(child.pid);
        // Whatever the leader left behind in its group goes too.
        killGroup(child.pid, 'SIGKILL');
      }
      log?.end();
      resolve(code ?? signal ?? 'unknown');
    });
    void spawnError.then((err) => {
      tail.push(`spawn failed: ${err.message}`);
      log?.end();
      resolve(`spawn error: ${err.message}`);
    });
  });
  const pid = child.pid ?? -1;
  if (child.pid !== undefined) liveGroups.add(child.pid);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = options.graceMs ?? 5000): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      killGroup(child.pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([exited, killed]);
      clearTimeout(timer);
      await exited;
    })();
    return stopping;
  };

  return { process: child, pid, exited, stderrTail: () => tail.text(), stop };
}

export interface SpawnReadyOptions extends SpawnOptions {
  /** How long to wait for the READY line (default 60 s). */
  timeoutMs?: number;
}

export interface ReadyProcess extends ManagedProcess {
  /** The URL the process printed on its `READY <url>` line. */
  readonly url: string;
}

const READY_LINE = /^READY (\S+)\s*$/;

/**
 * Spawns a component CLI and waits for its `READY <url>` line on stdout (the shared process contract).
 * Throws, after stopping the process, when it exits or stays silent past the timeout; the error carries
 * the tail of its stderr.
 */
export async function spawnReady(
  cmd: string,
  args: string[],
  options: SpawnReadyOptions = {},
): Promise<ReadyProcess> {
  const name = options.name ?? cmd.split('/').pop() ?? cmd;
  const timeoutMs = options.timeoutMs ?? 60_000;
  let onReady: (url: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => (onReady = resolve));
  let seen = false;
  const managed = spawnManaged(cmd, args, {
    ...options,
    name,
    onStdoutLine: (line) => {
      const match = seen ? null : READY_LINE.exec(line.trim());
      if (match?.[1]) {
        seen = true;
        onReady(match[1]);
      }
      options.onStdoutLine?.(line);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then((url) => ({ kind: 'ready' as const, url })),
    managed.exited.then((code) => ({ kind: 'exited' as const, code })),
    new Promise<{ kind: 'timeout' }>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome.kind === 'ready') return { ...managed, url: outcome.url };
  await managed.stop(1000);
  const why =
    outcome.kind === 'exited'
      ? `exited (${outcome.code}) before printing READY`
      : `printed no READY line within ${timeoutMs} ms`;
  const tail = managed.stderrTail();
  throw new Error(
    `${name} ${why}: ${[cmd, ...args].join(' ')}${tail ? `\n--- ${name} output (tail) ---\n${tail}` : ''}`,
  );
}
