/** Turns measurements into Markdown tables (medians over repetitions, peaks as maxima). */
import type { RunResult } from './proc.ts';

export type Step = 'first' | 'incremental' | 'nochange' | 'restore';
export const STEPS: readonly Step[] = ['first', 'incremental', 'nochange', 'restore'];

export interface Cell {
  readonly tool: string;
  readonly backend: string;
  readonly rep: number;
  readonly steps: Record<Step, RunResult>;
  readonly repoBytes: number;
}

export interface Summary {
  readonly tool: string;
  readonly backend: string;
  readonly reps: number;
  /** median wall seconds per step */
  readonly seconds: Record<Step, number>;
  readonly cpuSeconds: Record<Step, number>;
  /** maximum over repetitions */
  readonly peakRssBytes: Record<Step, number>;
  readonly repoBytes: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function perStep(f: (s: Step) => number): Record<Step, number> {
  return { first: f('first'), incremental: f('incremental'), nochange: f('nochange'), restore: f('restore') };
}

export function summarise(cells: readonly Cell[]): Summary[] {
  const groups = new Map<string, Cell[]>();
  for (const c of cells) {
    const k = `${c.backend}\u0000${c.tool}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  return [...groups.values()].map((g) => ({
    tool: g[0]!.tool,
    backend: g[0]!.backend,
    reps: g.length,
    seconds: perStep((s) => median(g.map((c) => c.steps[s].seconds))),
    cpuSeconds: perStep((s) => median(g.map((c) => c.steps[s].cpuSeconds))),
    peakRssBytes: perStep((s) => Math.max(...g.map((c) => c.steps[s].peakRssBytes))),
    repoBytes: median(g.map((c) => c.repoBytes)),
  }));
}

const MiB = 1024 * 1024;
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : '-');
const mb = (bytes: number) => (bytes / MiB).toFixed(0);
const rate = (bytes: number, s: number) => (s > 0 ? (bytes / 1e6 / s).toFixed(0) : '-');
const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '-');

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Timing, memory and size tables for one backend, with a Skiff-vs-restic line per restic. */
export function backendTables(sums: readonly Summary[], dataBytes: number): string {
  const out: string[] = [];
  const rows = sums.map((s) => [
    s.tool,
    `${f1(s.seconds.first)} s (${rate(dataBytes, s.seconds.first)} MB/s)`,
    `${f1(s.seconds.incremental)} s`,
    `${f1(s.seconds.nochange)} s`,
    `${f1(s.seconds.restore)} s (${rate(dataBytes, s.seconds.restore)} MB/s)`,
    `${mb(s.repoBytes)} MiB`,
  ]);
  const skiff = sums.find((s) => s.tool === 'skiff');
  const ours = sums.filter((s) => s.tool.startsWith('skiff'));
  for (const r of sums.filter((s) => s.tool.startsWith('restic'))) {
    for (const o of ours) {
      if (o !== skiff && r.tool !== 'restic 0.18') continue;
      const speed = (st: Step) => x(r.seconds[st] / o.seconds[st]);
      rows.push([`**${o.tool} vs ${r.tool}** (speed)`, speed('first'), speed('incremental'), speed('nochange'), speed('restore'), x(o.repoBytes / r.repoBytes) + ' size']);
    }
  }
  out.push(table(['tool', 'first backup', 'incremental (d)', 'no-change', 'full restore', 'repository'], rows));
  out.push('');
  const mem = sums.map((s) => [s.tool, ...STEPS.map((st) => `${mb(s.peakRssBytes[st])}`), ...STEPS.map((st) => f1(s.cpuSeconds[st]))]);
  if (skiff) {
    for (const r of sums.filter((s) => s.tool.startsWith('restic'))) {
      mem.push([`**skiff / ${r.tool}**`, ...STEPS.map((st) => x(skiff.peakRssBytes[st] / r.peakRssBytes[st])), ...STEPS.map((st) => x(skiff.cpuSeconds[st] / r.cpuSeconds[st]))]);
    }
  }
  out.push(
    table(
      ['tool', 'RSS first (MiB)', 'RSS incr.', 'RSS no-change', 'RSS restore', 'CPU s first', 'CPU incr.', 'CPU no-change', 'CPU restore'],
      mem,
    ),
  );
  return out.join('\n');
}
