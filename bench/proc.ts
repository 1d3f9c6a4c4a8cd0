/**
 * Runs one command and measures it from the outside: wall time, CPU time (user + system, from
 * /usr/bin/time when installed) and peak RSS of the whole process tree. RSS comes from polling
 * /proc every 25 ms (sum of VmRSS over the child and its descendants) and, for the largest single
 * process, from the kernel's own maximum (`/usr/bin/time`'s %M); the larger is reported.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunResult {
  readonly seconds: number;
  /** user + system CPU seconds of the tree (NaN without /usr/bin/time) */
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly stdout: string;
}

const TIME = '/usr/bin/time';

/** Children of each pid, from one scan of /proc. */
function childrenMap(): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = m.get(ppid) ?? [];
      list.push(Number(name));
      m.set(ppid, list);
    } catch {
      // the process exited meanwhile
    }
  }
  return m;
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function treeRss(root: number): number {
  const kids = childrenMap();
  let sum = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    sum += rssOf(pid);
    stack.push(...(kids.get(pid) ?? []));
  }
  return sum;
}

export async function run(cmd: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<RunResult> {
  const useTime = existsSync(TIME);
  const timeFile = path.join(os.tmpdir(), `skiff-bench-time-${process.pid}-${Date.now()}`);
  const argv = useTime ? ['-f', '%U %S %M', '-o', timeFile, cmd, ...args] : [...args];
  const started = performance.now();
  const child = spawn(useTime ? TIME : cmd, argv, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
  let peak = 0;
  const poll = setInterval(() => {
    if (child.pid !== undefined) peak = Math.max(peak, treeRss(child.pid));
  }, 25);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  let cpuSeconds = NaN;
  if (useTime && existsSync(timeFile)) {
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
    const [user, sys, maxKb] = last.split(' ').map(Number);
    if (user !== undefined && sys !== undefined) cpuSeconds = user + sys;
    if (maxKb !== undefined && Number.isFinite(maxKb)) peak = Math.max(peak, maxKb * 1024);
    rmSync(timeFile, { force: true });
  }
  if (code !== 0) {
    throw new Error(`${path.basename(cmd)} ${args.slice(0, 6).join(' ')} exited with ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
  return { seconds, cpuSeconds, peakRssBytes: peak, stdout };
}
