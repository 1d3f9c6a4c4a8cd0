/**
 * Data set (c): one large disk image, backed up to a local repository and restored, by each
 * restic and by Skiff with each worker count given (1 → N shows how one large file spreads over
 * worker threads: chunking stays on the main thread, hashing, compression, encryption and pack
 * hashing run on the workers).
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Backend } from './backends.ts';
import type { DataSets } from './datasets.ts';
import type { RunResult } from './proc.ts';
import { median, table } from './report.ts';
import { discard, settle } from './suite.ts';
import type { Tool } from './tools.ts';

export interface ImageRow {
  readonly tool: string;
  readonly backup: RunResult[];
  readonly restore: RunResult[];
  readonly repoBytes: number[];
}

export async function runImage(
  env: { dir: string; data: DataSets; dropCaches: boolean; log: (s: string) => void },
  tools: readonly Tool[],
  backend: Backend,
  reps: number,
): Promise<ImageRow[]> {
  const rows = new Map<string, ImageRow>(tools.map((t) => [t.name, { tool: t.name, backup: [], restore: [], repoBytes: [] }]));
  const size = statSync(env.data.image).size;
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
      const run = `img-${tool.name.replace(/\W+/g, '-')}-${rep}`;
      const src = path.join(env.dir, 'work', `src-${run}`);
      const target = path.join(env.dir, 'work', `restore-${run}`);
      const penv = { ...process.env, ...backend.env };
      const trash = path.join(env.dir, 'trash');
      discard(trash, src);
      execFileSync('mkdir', ['-p', src]);
      execFileSync('ln', [env.data.image, path.join(src, 'disk.img')]);
      try {
        await tool.init(backend.url(run), penv, backend.args);
        settle(env.dropCaches);
        const b = await tool.backup(backend.url(run), src, penv, backend.args);
        settle(env.dropCaches);
        const r = await tool.restore(backend.url(run), target, penv, backend.args);
        const restored = statSync(path.join(target, src, 'disk.img')).size;
        if (restored !== size) throw new Error(`${tool.name} restored ${restored} bytes of the image, expected ${size}`);
        const row = rows.get(tool.name)!;
        row.backup.push(b);
        row.restore.push(r);
        row.repoBytes.push(backend.size(run));
        env.log(`  (c) ${tool.name} #${rep + 1}: backup ${b.seconds.toFixed(2)} s, restore ${r.seconds.toFixed(2)} s`);
      } finally {
        discard(trash, src);
        discard(trash, target);
        backend.remove(run);
      }
    }
  }
  return [...rows.values()];
}

export function imageTable(rows: readonly ImageRow[], bytes: number): string {
  const MiB = 2 ** 20;
  const body = rows.map((r) => {
    const b = median(r.backup.map((x) => x.seconds));
    const s = median(r.restore.map((x) => x.seconds));
    return [
      r.tool,
      `${b.toFixed(2)} s (${(bytes / 1e6 / b).toFixed(0)} MB/s)`,
      `${s.toFixed(2)} s (${(bytes / 1e6 / s).toFixed(0)} MB/s)`,
      median(r.backup.map((x) => x.cpuSeconds)).toFixed(1),
      median(r.restore.map((x) => x.cpuSeconds)).toFixed(1),
      (Math.max(...r.backup.map((x) => x.peakRssBytes)) / MiB).toFixed(0),
      (Math.max(...r.restore.map((x) => x.peakRssBytes)) / MiB).toFixed(0),
      `${(median(r.repoBytes) / MiB).toFixed(0)} MiB`,
    ];
  });
  return table(['tool', 'backup', 'restore', 'CPU s backup', 'CPU s restore', 'RSS backup (MiB)', 'RSS restore (MiB)', 'repository'], body);
}
