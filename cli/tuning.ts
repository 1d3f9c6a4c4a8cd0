/**
 * Process tuning for the commands that move file data. Node's defaults suit short scripts, not a
 * backup that streams a gigabyte through a few threads; measured on a 1.2 GB first backup (50,008
 * files), these settings take peak RSS from about 510 to 370 MiB, time unchanged:
 *
 * - `--max-semi-space-size`: V8 lets the main thread's young generation grow to 3 x 16 MiB and its
 *   old generation to more than 100 MiB of garbage before a full collection, while the live heap
 *   of a backup is 10-70 MiB. Worker threads get their own limit (repository/workers/pool.ts).
 *   8 MiB, not less: 4 MiB saved another 40 MiB but cost about 7 % more CPU (scavenges on the
 *   main thread, which chunks and packs for every worker). Restores take 2 MiB: their main thread
 *   plans, then hands out jobs and allocates little, and the smaller young generation took a
 *   restore of 1.2 GB in 50,008 files from 225-230 to about 183 MiB at the same CPU time.
 * - `--heap-growing-percent=50`, for restores only: after planning, a restore's main heap holds
 *   about 20 MiB live in 70+ MiB committed, because V8 lets the old generation grow to up to 4x
 *   what survived the last full collection. Growing it by half instead took a 1,000,000-file
 *   restore from 500 to 435 MiB at the same CPU time. Backups allocate more on the main thread;
 *   there the same flag cost 13 % more CPU, so they keep V8's default.
 * - `MALLOC_MMAP_THRESHOLD_`: glibc raises its mmap threshold to the size of the largest block
 *   freed (up to 32 MiB), after which 1-8 MiB file blocks and pack buffers come from the heap and
 *   stay there, fragmented, when freed. A fixed threshold keeps them in mmap, returned on free.
 *   512 KiB, not lower: zstd allocates a few hundred KiB per blob, and mmapping those (page
 *   faults on every blob) made compressing small files half again as slow.
 * - `MALLOC_ARENA_MAX`: every thread that allocates (workers, libuv's pool) gets an arena of its
 *   own, each keeping freed memory; two arenas are plenty for a few threads moving big buffers.
 *
 * These can only be set before the process starts, so `skiff` replaces itself (execve, same pid,
 * nothing added to the process tree) with a tuned copy; the tuned copy also starts from Node's
 * compile cache (see skiff.ts), its own entry module included. Other commands start as they are:
 * they are short, and start-up time matters more. The malloc variables are removed again in the
 * tuned process, so programs it starts see the user's settings. SKIFF_NO_TUNING=1 turns all of
 * this off.
 */
import os from 'node:os';
import path from 'node:path';

/** marks the tuned process; holds the names of the variables added for it */
const MARK = 'SKIFF_TUNED';

const V8_FLAGS = ['--max-semi-space-size=8'];
/** `skiff repo restore` starts with these instead */
const RESTORE_V8_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=50'];

const ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: String(512 * 1024),
};

/** Node's default compile cache directory (what module.enableCompileCache() picks) */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['NODE_COMPILE_CACHE'] || path.join(os.tmpdir(), 'node-compile-cache');
}

/** `skiff repo` subcommands that read or write file data at volume */
const HEAVY_REPO = new Set(['backup', 'restore', 'check', 'prune']);
/** top-level commands that run backups and restores in-process */
const HEAVY = new Set(['server', 'node-agent', 'demo']);
/** `skiff repo` options that take a value (the next word, unless given as --opt=value) */
const REPO_VALUE_OPTIONS = new Set(['-r', '--repo', '-p', '--password-file', '--password-command', '--compression', '--pack-size', '--cacert', '--retry-lock']);

/** True for the commands worth a re-exec: those that move file data or run for long. */
export function isHeavy(argv: readonly string[]): boolean {
  return heavyCommand(argv) !== undefined;
}

/** The V8 flags the tuned process of this command line starts with. */
export function v8Flags(argv: readonly string[]): string[] {
  return heavyCommand(argv) === 'restore' ? [...RESTORE_V8_FLAGS] : [...V8_FLAGS];
}

/** The heavy command of a command line (`restore` for `skiff repo -r x restore`), else undefined. */
function heavyCommand(argv: readonly string[]): string | undefined {
  if (argv[0] !== 'repo') return HEAVY.has(argv[0] ?? '') ? argv[0] : undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) return HEAVY_REPO.has(a) ? a : undefined;
    if (REPO_VALUE_OPTIONS.has(a)) i++;
  }
  return undefined;
}

/**
 * In the tuned process: removes what was added to the environment and returns. Otherwise, for a
 * heavy command on Linux, replaces the process with a tuned one and never returns; returns when
 * that is not possible (no process.execve, or it failed), and the command runs untuned.
 */
export function tuneProcess(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const added = env[MARK];
  if (added !== undefined) {
    for (const name of [MARK, ...added.split(',')]) if (name) delete env[name];
    return;
  }
  if (env['SKIFF_NO_TUNING'] === '1' || process.platform !== 'linux' || typeof process.execve !== 'function' || !isHeavy(argv)) return;
  const script = process.argv[1];
  if (script === undefined) return;
  const next: NodeJS.ProcessEnv = { ...env };
  const names: string[] = [];
  for (const [name, value] of Object.entries(ENV)) {
    if (next[name] !== undefined) continue; // the user's own setting wins
    next[name] = value;
    names.push(name);
  }
  next[MARK] = names.join(',');
  next['NODE_COMPILE_CACHE'] = compileCacheDir(env);
  try {
    // user flags come after ours: for V8 the last one given wins
    process.execve(process.execPath, [process.execPath, ...v8Flags(argv), ...process.execArgv, script, ...argv], next as Record<string, string>);
  } catch {
    // not allowed here (e.g. the permission model): run untuned
  }
}
