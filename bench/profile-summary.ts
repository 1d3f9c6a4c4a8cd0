/**
 * Summarises V8 `.cpuprofile` files (from `node --cpu-prof`): self time per function and per
 * category (chunking, hashing, compression, encryption, Poly1305, I/O, JSON, GC, idle, other).
 * `node bench/profile-summary.ts <file.cpuprofile>... [--top N]`. Worker threads write their own
 * profile files; pass them all to see the whole process.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Ordered rules: the first whose test matches a function (name + file) names its category. */
const CATEGORIES: readonly [string, RegExp][] = [
  ['idle', /^\(idle\)/],
  ['gc', /^\(garbage collector\)/],
  ['poly1305', /poly1305|wasm-function/i],
  ['chunking', /findCut|scan .*find-cut|chunk-file|chunkFile/],
  ['hashing', /\b(digest|update|createHash|Hash)\b.*(hash|crypto)|sha256/i],
  ['compression', /zstd|compress/i],
  ['encryption', /Cipher|cipher|seal|open .*seal\.ts/],
  ['json', /JSON|encodeTree|decodeTree|go-json|stringify|parse /],
  ['I/O', /\b(read|write|open|close|lstat|stat|readdir|fsync|save|load)\b|fs-storage|node:fs|internal\/fs|s3|http|net|stream/i],
];

export function categoryOf(fn: string, url: string): string {
  const key = `${fn} ${path.basename(url)}`;
  for (const [name, re] of CATEGORIES) if (re.test(key)) return name;
  return 'other';
}

export function summarise(profile: Profile): { byFunction: Map<string, number>; byCategory: Map<string, number>; totalMs: number } {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map<string, number>();
  const byCategory = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = `${functionName || '(anonymous)'} ${path.basename(url)}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us / 1000);
    const cat = categoryOf(functionName || '(anonymous)', url);
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + us / 1000);
    total += us / 1000;
  }
  return { byFunction, byCategory, totalMs: total };
}

function main(argv: string[]): void {
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 25;
  const files = argv.filter((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1));
  for (const f of files) {
    const s = summarise(JSON.parse(readFileSync(f, 'utf8')) as Profile);
    console.log(`\n## ${path.basename(f)}: ${(s.totalMs / 1000).toFixed(2)} s sampled\n`);
    console.log('| category | ms | % |\n|---|---:|---:|');
    for (const [c, ms] of [...s.byCategory].sort((a, b) => b[1] - a[1])) {
      console.log(`| ${c} | ${ms.toFixed(0)} | ${((100 * ms) / s.totalMs).toFixed(1)} |`);
    }
    console.log('\n| function (self time) | ms | % |\n|---|---:|---:|');
    for (const [fn, ms] of [...s.byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`| ${fn} | ${ms.toFixed(0)} | ${((100 * ms) / s.totalMs).toFixed(1)} |`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
