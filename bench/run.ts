/**
 * `npm run bench`: Skiff against restic on the same data, same machine, same run (see README.md).
 * Generates the data sets, runs every tool on every backend with alternating order and several
 * repetitions, and prints Markdown tables (or JSON with --json). Progress goes to stderr.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from './args.ts';
import { localBackend, s3Backend, type Backend } from './backends.ts';
import { generate, specFor } from './datasets.ts';
import { imageTable, runImage, type ImageRow } from './image.ts';
import { indexCost, type IndexCost } from './index-cost.ts';
import { summarise as summariseProfile } from './profile-summary.ts';
import { backendTables, summarise, table, type Cell } from './report.ts';
import { runCell } from './suite.ts';
import { findRestics, skiffEngineTool, skiffTool, type Tool } from './tools.ts';

const args = parseArgs(process.argv.slice(2));
const log = (s: string) => process.stderr.write(`${s}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const spec = specFor(args);
const need = spec.largeFiles * spec.largeSize * 3.5 + spec.smallFiles * 8192 * 4 + (args.image ? spec.imageSize * 3 : 0);
mkdirSync(args.dir, { recursive: true });
const fs = statfsSync(args.dir);
if (fs.bavail * fs.bsize < need) throw new Error(`${args.dir} has ${(fs.bavail * fs.bsize / 2 ** 30).toFixed(1)} GiB free, the benchmark needs about ${(need / 2 ** 30).toFixed(1)} GiB`);

const restics = findRestics();
if (restics.length === 0) log('WARNING: no restic found (set RESTIC=/path/to/restic 0.18): Skiff runs alone, no ratios');
const cpus = os.availableParallelism();
const skiff = skiffTool({ compileCache: args.compileCache });
const tools: Tool[] = [skiff, ...(args.engine ? [skiffEngineTool({ compileCache: args.compileCache })] : []), ...restics];
const loadBefore = load();
log(`load average before: ${loadBefore}; data sets in ${args.dir}`);

const data = await generate(path.join(args.dir, 'data'), spec, log);
// read every source file once, so that each tool starts from the same warm page cache
if (!args.dropCaches) execFileSync('sh', ['-c', `find "${data.v1}" "${data.image}" -type f -exec cat {} + > /dev/null`]);

const cells: (Cell & { restoredBytes: number })[] = [];
const indexCosts: IndexCost[] = [];
let imageRows: ImageRow[] = [];
const backends: Backend[] = [];
try {
  for (const b of args.backends) backends.push(b === 'local' ? localBackend(args.dir) : await s3Backend(args.dir));
  if (args.compileCache) await skiff.init(path.join(args.dir, 'repos', 'warm-compile-cache'), process.env); // fills the cache once
  rmSync(path.join(args.dir, 'repos', 'warm-compile-cache'), { recursive: true, force: true });
  for (const backend of backends) {
    log(`(a)+(b) and (d) on ${backend.name}`);
    for (let rep = 0; rep < args.reps; rep++) {
      const order = rep % 2 === 0 ? tools : [...tools].reverse();
      for (const tool of order) {
        const onSkiffRepo = backend.name === 'local' && rep === 0 ? async (url: string, env: NodeJS.ProcessEnv) => void indexCosts.push(await indexCost(url, env)) : undefined;
        cells.push(await runCell({ dir: args.dir, data, dropCaches: args.dropCaches, log, ...(onSkiffRepo ? { onSkiffRepo } : {}) }, tool, backend, rep));
      }
    }
  }
  const local = backends.find((b) => b.name === 'local') ?? localBackend(args.dir);
  if (args.image) {
    log('(c) disk image');
    const variants = args.workers.map((w) => skiffTool({ workers: w, compileCache: args.compileCache, name: `skiff ${w} worker${w === 1 ? '' : 's'}` }));
    imageRows = await runImage({ dir: args.dir, data, dropCaches: args.dropCaches, log }, [...variants, ...restics], local, args.reps);
  }
} finally {
  for (const b of backends) await b.stop();
  rmSync(path.join(args.dir, 's3rver'), { recursive: true, force: true });
}

let profileText = '';
if (args.profile) profileText = await profileFirstBackup();
const loadAfter = load();
if (!args.keep) rmSync(path.join(args.dir, 'data'), { recursive: true, force: true });
rmSync(path.join(args.dir, 'work'), { recursive: true, force: true });
rmSync(path.join(args.dir, 'trash'), { recursive: true, force: true });

const summaries = summarise(cells);
const v2Bytes = cells[0]?.restoredBytes ?? data.v1Bytes;
if (args.json) {
  console.log(JSON.stringify({ machine: machine(), spec, v1Bytes: data.v1Bytes, v2Bytes, load: { before: loadBefore, after: loadAfter }, cells, summaries, image: imageRows, indexCosts }, null, 2));
} else {
  printMarkdown();
}

function machine(): Record<string, string | number> {
  return { cpus, cpu: os.cpus()[0]?.model ?? '', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, kernel: os.release() };
}

function printMarkdown(): void {
  const m = machine();
  console.log(`# Skiff vs restic\n`);
  console.log(`${m['cpus']} CPUs (${m['cpu']}), ${m['memGiB']} GiB RAM, Node ${m['node']}, Linux ${m['kernel']}; load average before ${loadBefore}, after ${loadAfter}.`);
  console.log(`Tools: ${tools.map((t) => t.name).join(', ')}. ${args.reps} repetition(s), tools alternating; times are medians, RSS the maximum, of the whole process tree.`);
  console.log(`Data: (a) ${spec.largeFiles} x ${spec.largeSize / 2 ** 20} MiB random + (b) ${spec.smallFiles} text files in ${spec.smallDirs} dirs = ${(data.v1Bytes / 1e6).toFixed(0)} MB, ${data.v1Files} files; (d) = 5 % of them changed/appended/renamed, 2 large files touched.`);
  console.log(`Both: compression auto, 16 MiB packs, no local cache (restic --no-cache; Skiff has none), page cache ${args.dropCaches ? 'dropped before every step' : 'warm (sources read once beforehand, never dropped)'}, dirty pages written back (sync) before every step, trees deleted only at the end. Skiff: ${cpus} worker threads${args.compileCache ? ', NODE_COMPILE_CACHE on' : ''}; every step is a fresh CLI process (startup, key derivation and index load included, for restic too).\n`);
  for (const b of args.backends) {
    console.log(`## (a)+(b), ${b === 'local' ? 'local directory' : 'embedded S3 (s3rver)'}\n`);
    console.log(backendTables(summaries.filter((s) => s.backend === b), data.v1Bytes));
    console.log('');
  }
  if (imageRows.length > 0) {
    console.log(`## (c) ${spec.imageSize / 2 ** 20} MiB disk image, local\n`);
    console.log(imageTable(imageRows, statImage()));
    const one = imageRows.find((r) => r.tool === 'skiff 1 worker');
    const many = imageRows.filter((r) => r.tool.startsWith('skiff ') && r !== one);
    for (const r of many) {
      if (!one) break;
      const med = (rs: readonly { seconds: number }[]) => rs.map((x) => x.seconds).sort((a, b) => a - b)[Math.floor(rs.length / 2)]!;
      console.log(`\nSpeed-up 1 → ${r.tool.split(' ')[1]} workers: backup ${(med(one.backup) / med(r.backup)).toFixed(2)}x, restore ${(med(one.restore) / med(r.restore)).toFixed(2)}x.`);
    }
    console.log('');
  }
  if (indexCosts.length > 0) {
    console.log(`## In-memory index\n`);
    console.log(table(['repository', 'blobs', 'packs', 'index bytes', 'bytes per blob'], indexCosts.map((c, i) => [`skiff local #${i + 1}`, String(c.blobs), String(c.packs), String(c.bytes), c.bytesPerBlob.toFixed(1)])));
    console.log('');
  }
  if (profileText) console.log(profileText);
}

function statImage(): number {
  return spec.imageSize;
}

/** One Skiff first backup of (a)+(b) to a local repository under --cpu-prof, summarised per thread. */
async function profileFirstBackup(): Promise<string> {
  const dir = path.join(args.dir, 'profile');
  rmSync(dir, { recursive: true, force: true });
  const tool = skiffTool({ compileCache: args.compileCache, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const repo = path.join(args.dir, 'repos', 'profile');
  rmSync(repo, { recursive: true, force: true });
  await skiff.init(repo, process.env);
  const r = await tool.backup(repo, data.v1, process.env);
  rmSync(repo, { recursive: true, force: true });
  const out: string[] = [`## CPU profile of one Skiff first backup of (a)+(b), local (${r.seconds.toFixed(2)} s wall, ${r.cpuSeconds.toFixed(2)} s CPU)\n`];
  const totals = new Map<string, number>();
  let all = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
    const s = summariseProfile(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
    for (const [c, ms] of s.byCategory) totals.set(c, (totals.get(c) ?? 0) + ms);
    all += s.totalMs;
  }
  const busy = [...totals].filter(([c]) => c !== 'idle').reduce((a, [, ms]) => a + ms, 0);
  out.push(table(['category (all threads)', 'ms', '% of busy'], [...totals].sort((a, b) => b[1] - a[1]).map(([c, ms]) => [c, ms.toFixed(0), c === 'idle' ? '-' : ((100 * ms) / busy).toFixed(1)])));
  out.push(`\nSampled ${(all / 1000).toFixed(1)} s over all threads; profiles kept in ${dir} (\`node bench/profile-summary.ts ${dir}/*.cpuprofile\` for functions).`);
  return out.join('\n');
}
