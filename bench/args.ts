/** Command-line flags of `npm run bench`. */
import os from 'node:os';
import path from 'node:path';

export interface BenchArgs {
  readonly quick: boolean;
  readonly scale: number;
  readonly reps: number;
  readonly json: boolean;
  readonly dir: string;
  readonly backends: readonly ('local' | 's3')[];
  /** data set (c) and the 1 → N worker comparison */
  readonly image: boolean;
  readonly dropCaches: boolean;
  /** Skiff's module compile cache directory ('' = off) */
  readonly compileCache: string;
  readonly keep: boolean;
  readonly profile: boolean;
  readonly workers: readonly number[];
  /** also run Skiff's engine without the CLI (bench/skiff-engine.ts) */
  readonly engine: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --quick            small data sets (smoke run; one repetition)
  --scale <x>        multiply file counts and image size (e.g. 20: 1,000,000 small files)
  --reps <n>         repetitions per tool and backend (default 3, quick 1)
  --backends <list>  local,s3 (default both)
  --no-image         skip data set (c) and the worker comparison
  --workers <list>   Skiff worker counts compared on (c) (default 1,<cpus>)
  --drop-caches      drop the page cache before every timed step (root; default: warm cache)
  --no-compile-cache run Skiff without NODE_COMPILE_CACHE
  --profile          also write CPU profiles of one Skiff first backup and summarise them
  --engine           also run Skiff's engine without the CLI (shows the CLI's start-up cost)
  --dir <path>       work directory (default $TMPDIR/skiff-bench)
  --keep             keep the generated data sets afterwards
  --json             print JSON instead of Markdown`;

export function parseArgs(argv: readonly string[]): BenchArgs {
  const has = (f: string) => argv.includes(f);
  const val = (f: string): string | undefined => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const known = new Set(['--quick', '--scale', '--reps', '--json', '--dir', '--backends', '--no-image', '--drop-caches', '--no-compile-cache', '--keep', '--profile', '--workers', '--engine', '--help']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!known.has(a)) throw new Error(`unknown option ${a}\n${USAGE}`);
    if (['--scale', '--reps', '--dir', '--backends', '--workers'].includes(a)) i++;
  }
  if (has('--help')) throw new Error(USAGE);
  const quick = has('--quick');
  const scale = Number(val('--scale') ?? 1);
  const reps = Number(val('--reps') ?? (quick ? 1 : 3));
  if (!(scale > 0) || !Number.isInteger(reps) || reps < 1) throw new Error(`bad --scale or --reps\n${USAGE}`);
  const backends = (val('--backends') ?? 'local,s3').split(',').filter(Boolean);
  for (const b of backends) if (b !== 'local' && b !== 's3') throw new Error(`unknown backend ${b}`);
  const dir = path.resolve(val('--dir') ?? path.join(os.tmpdir(), 'skiff-bench'));
  const workers = (val('--workers') ?? `1,${os.availableParallelism()}`).split(',').map(Number);
  return {
    quick,
    scale,
    reps,
    json: has('--json'),
    dir,
    backends: backends as ('local' | 's3')[],
    image: !has('--no-image'),
    dropCaches: has('--drop-caches'),
    compileCache: has('--no-compile-cache') ? '' : path.join(dir, 'node-compile-cache'),
    keep: has('--keep'),
    profile: has('--profile'),
    workers: [...new Set(workers)].filter((n) => Number.isInteger(n) && n >= 0),
    engine: has('--engine'),
  };
}
