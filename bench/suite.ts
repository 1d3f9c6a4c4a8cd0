/**
 * One run of one tool against one backend on data sets (a)+(b) and (d): first backup, no-change
 * re-backup, the version-2 mutation, incremental backup, full restore (checked byte for byte
 * in total size and file count), repository size. The source is a hard-link copy of v1, so it
 * costs no space and both tools read the same page-cached inodes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Backend } from './backends.ts';
import type { DataSets } from './datasets.ts';
import { mutate } from './mutate.ts';
import type { RunResult } from './proc.ts';
import type { Cell, Step } from './report.ts';
import type { Tool } from './tools.ts';

export interface SuiteEnv {
  readonly dir: string;
  readonly data: DataSets;
  readonly dropCaches: boolean;
  readonly log: (s: string) => void;
  /** called with a Skiff repository before it is removed (index cost) */
  readonly onSkiffRepo?: (url: string, env: NodeJS.ProcessEnv) => Promise<void>;
}

/** Bytes and regular files under `dir`. */
export function walkTotals(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const t = walkTotals(p);
      bytes += t.bytes;
      files += t.files;
    } else if (e.isFile()) {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

/**
 * Before every timed step: write back dirty pages (so no step pays for the previous one's
 * writes) and, when asked, drop the page cache.
 */
export function settle(dropCaches: boolean): void {
  execFileSync('sync');
  if (dropCaches) writeFileSync('/proc/sys/vm/drop_caches', '3');
}

/**
 * Removes a tree later: renamed into the trash now, deleted at the end of the run. Creating many
 * files right after deleting many is slow on ext4 (it skips recently freed inodes), so deleting
 * between steps would make the next tool's restore pay for the previous one's cleanup.
 */
export function discard(trash: string, p: string): void {
  if (!existsSync(p)) return;
  mkdirSync(trash, { recursive: true });
  renameSync(p, path.join(trash, `${path.basename(p)}-${Date.now()}-${Math.random().toString(36).slice(2)}`));
}

export async function runCell(env: SuiteEnv, tool: Tool, backend: Backend, rep: number): Promise<Cell & { restoredBytes: number }> {
  const run = `${tool.name.replace(/\W+/g, '-')}-${backend.name}-${rep}`;
  const src = path.join(env.dir, 'work', `src-${run}`);
  const target = path.join(env.dir, 'work', `restore-${run}`);
  const repo = backend.url(run);
  const penv = { ...process.env, ...backend.env };
  const trash = path.join(env.dir, 'trash');
  discard(trash, src);
  discard(trash, target);
  backend.remove(run);
  execFileSync('mkdir', ['-p', path.dirname(src)]);
  execFileSync('cp', ['-al', env.data.v1, src]);
  const timed = async (what: string, f: () => Promise<RunResult>): Promise<RunResult> => {
    settle(env.dropCaches);
    const r = await f();
    env.log(`  ${tool.name} ${backend.name} #${rep + 1} ${what}: ${r.seconds.toFixed(2)} s, ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
    return r;
  };
  try {
    await tool.init(repo, penv, backend.args);
    const steps: Partial<Record<Step, RunResult>> = {};
    steps.first = await timed('first backup', () => tool.backup(repo, src, penv, backend.args));
    steps.nochange = await timed('no-change backup', () => tool.backup(repo, src, penv, backend.args));
    await mutate(src, env.data.spec);
    const expected = walkTotals(src);
    steps.incremental = await timed('incremental backup', () => tool.backup(repo, src, penv, backend.args));
    steps.restore = await timed('restore', () => tool.restore(repo, target, penv, backend.args));
    const got = walkTotals(target);
    if (got.bytes !== expected.bytes || got.files !== expected.files) {
      throw new Error(`${tool.name} restored ${got.files} files / ${got.bytes} bytes, expected ${expected.files} / ${expected.bytes}`);
    }
    if (tool.isSkiff && env.onSkiffRepo) await env.onSkiffRepo(repo, penv);
    return { tool: tool.name, backend: backend.name, rep, steps: steps as Record<Step, RunResult>, repoBytes: backend.size(run), restoredBytes: got.bytes };
  } finally {
    discard(trash, src);
    discard(trash, target);
    backend.remove(run);
  }
}
