/**
 * `npm run bench:million`: memory bounded by configuration, not by input. Backs up and restores
 * N small files (default 1,000,000, in 2,000 directories; data set (b) of run.ts at scale 20,
 * without its large files and image) with Skiff and restic 0.18, and prints wall time, CPU and
 * peak RSS of the whole process tree for each step, and Skiff's index cost per blob. The
 * issue's bound: Skiff stays under 512 MiB RSS in both steps.
 *
 *   npm run bench:million -- [--files N] [--dir path] [--keep] [--no-restic] [--json]
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { smallContent, smallPath, type DataSpec } from './datasets.ts';
import { indexCost } from './index-cost.ts';
import { Prng } from './prng.ts';
import type { RunResult } from './proc.ts';
import { findRestics, skiffTool, type Tool } from './tools.ts';

const argv = process.argv.slice(2);
const val = (f: string) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined);
const files = Number(val('--files') ?? 1_000_000);
const dir = path.resolve(val('--dir') ?? path.join(os.tmpdir(), 'skiff-million'));
const LIMIT = 512 * 2 ** 20;
if (!Number.isInteger(files) || files < 1) throw new Error('--files must be a positive integer');
const log = (s: string) => process.stderr.write(s + '\n');

const spec: DataSpec = { largeFiles: 0, largeSize: 0, smallFiles: files, smallDirs: Math.max(1, Math.round(files / 500)), imageSize: 0 };
const src = path.join(dir, 'src');
const manifest = path.join(dir, 'manifest.json');
if (!existsSync(manifest) || readFileSync(manifest, 'utf8') !== JSON.stringify(spec)) {
  rmSync(dir, { recursive: true, force: true });
  log(`generating ${files} small files in ${spec.smallDirs} directories under ${src}`);
  const prng = new Prng('b');
  const made = new Set<string>();
  for (let i = 0; i < files; i++) {
    const file = path.join(src, smallPath(i, spec));
    const d = path.dirname(file);
    if (!made.has(d)) {
      mkdirSync(d, { recursive: true });
      made.add(d);
    }
    writeFileSync(file, smallContent(i, 1, prng));
    if (i % 100_000 === 99_999) log(`  ${i + 1} files`);
  }
  writeFileSync(manifest, JSON.stringify(spec));
}

const tools: Tool[] = [skiffTool({ compileCache: path.join(dir, 'node-compile-cache') })];
if (!argv.includes('--no-restic')) tools.push(...findRestics().filter((t) => t.name.includes('0.18')));
const env = { ...process.env };
const rows: { tool: string; step: string; seconds: number; cpuSeconds: number; peakRssMiB: number }[] = [];
let cost: Awaited<ReturnType<typeof indexCost>> | undefined;
for (const tool of tools) {
  const repo = path.join(dir, `repo-${tool.name.replace(/\W+/g, '-')}`);
  const target = path.join(dir, `restore-${tool.name.replace(/\W+/g, '-')}`);
  rmSync(repo, { recursive: true, force: true });
  rmSync(target, { recursive: true, force: true });
  await tool.init(repo, env);
  const step = async (name: string, f: () => Promise<RunResult>) => {
    const r = await f();
    const row = { tool: tool.name, step: name, seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakRssMiB: r.peakRssBytes / 2 ** 20 };
    rows.push(row);
    log(`  ${tool.name} ${name}: ${r.seconds.toFixed(1)} s, CPU ${r.cpuSeconds.toFixed(1)} s, ${row.peakRssMiB.toFixed(0)} MiB`);
  };
  await step('backup', () => tool.backup(repo, src, env));
  await step('restore', () => tool.restore(repo, target, env));
  if (tool.isSkiff) cost = await indexCost(repo, env);
  if (!argv.includes('--keep')) {
    rmSync(repo, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
  }
}

if (argv.includes('--json')) {
  console.log(JSON.stringify({ files, dirs: spec.smallDirs, rows, index: cost }, null, 2));
} else {
  console.log(`# ${files.toLocaleString('en')} small files in ${spec.smallDirs} directories\n`);
  console.log(`${os.availableParallelism()} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}. Peak RSS is of the whole process tree; the bound for Skiff is 512 MiB.\n`);
  console.log('| tool | step | time | CPU | peak RSS | within 512 MiB |');
  console.log('|---|---|---:|---:|---:|---|');
  for (const r of rows) {
    const within = r.tool.startsWith('skiff') ? (r.peakRssMiB * 2 ** 20 <= LIMIT ? 'yes' : '**no**') : '';
    console.log(`| ${r.tool} | ${r.step} | ${r.seconds.toFixed(1)} s | ${r.cpuSeconds.toFixed(1)} s | ${r.peakRssMiB.toFixed(0)} MiB | ${within} |`);
  }
  if (cost) console.log(`\nSkiff's in-memory index: ${cost.blobs} blobs, ${cost.bytes} bytes, ${cost.bytesPerBlob.toFixed(1)} bytes per blob.`);
}
