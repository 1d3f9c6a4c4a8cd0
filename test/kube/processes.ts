import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A long-running child in its own process group, with stdout and stderr going to `<dir>/<name>.log`. */
export interface Daemon {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited; never rejects. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitedEarly(): boolean;
}

const live = new Set<Daemon>();
let exitHookInstalled = false;

function killGroup(d: Daemon, signal: NodeJS.Signals): void {
  const pid = d.child.pid;
  if (pid === undefined || d.exitedEarly()) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // If a test process dies without calling stop(), do not leave servers behind.
  process.on('exit', () => {
    for (const d of live) killGroup(d, 'SIGKILL');
  });
}

export function startDaemon(dir: string, name: string, bin: string, args: readonly string[]): Daemon {
  installExitHook();
  const logFile = path.join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, args, { cwd: dir, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => {
      done = true;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const d: Daemon = { name, logFile, child, exited, exitedEarly: () => done };
  live.add(d);
  void exited.then(() => live.delete(d));
  return d;
}

/** SIGTERM the process group, then SIGKILL it if it has not exited after `graceMs`. */
export async function stopDaemon(d: Daemon, graceMs = 5000): Promise<void> {
  killGroup(d, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const first = await Promise.race([d.exited, timedOut]);
  clearTimeout(timer);
  if (first === 'timeout') {
    killGroup(d, 'SIGKILL');
    await d.exited;
  }
}

/** For error reports: a Go crash (from its `panic:`/`fatal error:` line) or else the last `maxChars` of a log. */
export function logTail(d: Daemon, maxChars = 4000): string {
  let text: string;
  try {
    text = readFileSync(d.logFile, 'utf8');
  } catch {
    return `(no log at ${d.logFile})`;
  }
  const crash = /^(panic|fatal error): /m.exec(text);
  if (crash !== null) return text.slice(crash.index, crash.index + maxChars);
  return text.length > maxChars ? `...${text.slice(-maxChars)}` : text;
}
