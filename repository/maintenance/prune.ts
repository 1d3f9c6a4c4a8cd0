/**
 * `prune`: removes what no snapshot needs. Under an exclusive lock:
 *   1. load every index file and find the blobs used by the snapshots (refusing when a used tree
 *      or blob is missing or damaged, or a needed pack is missing or the wrong size);
 *   2. plan (see prune-plan.ts); a dry run stops here;
 *   3. copy needed blobs out of the packs to repack into new packs (verifying each);
 *   4. write a new index of every pack that stays, superseding all old index files;
 *   5. delete the old index files, then the packs that are no longer needed.
 * A crash at any point leaves a valid repository: until step 4 the old index still covers
 * everything, after it the new one does, and leftover packs are merely unreferenced.
 *
 * After a prune that changed the index, `repo.index` still describes the old packs: open the
 * repository again before reading from it.
 */
import { SkiffError, isCode } from '../errors/errors.ts';
import type { IndexBlob, IndexPack } from '../format/index.ts';
import { acquireLock } from '../lock/lock.ts';
import type { Repository } from '../repo/repository.ts';
import { listSnapshots } from '../snapshot/snapshots.ts';
import { forEachBounded } from './bounded.ts';
import { planPrune, summarize, type PlanOptions, type PrunePlan, type PruneStats } from './prune-plan.ts';
import { repackPacks } from './repack.ts';
import { findUsedBlobs } from './used-blobs.ts';
import { writeIndexFiles } from './write-index.ts';

export type PrunePhase = 'load index' | 'find used blobs' | 'repack' | 'write index' | 'delete index' | 'delete packs';

export interface PruneOptions extends PlanOptions {
  readonly dryRun?: boolean;
  /** the caller already holds an exclusive lock */
  readonly locked?: boolean;
  /** snapshots to treat as gone (forget --prune --dry-run, where they still exist) */
  readonly ignoreSnapshots?: Iterable<string>;
  readonly onProgress?: (p: { phase: PrunePhase; done: number; total: number }) => void;
}

export interface PruneResult {
  readonly dryRun: boolean;
  readonly snapshots: number;
  readonly stats: PruneStats;
  readonly summary: ReturnType<typeof summarize>;
  readonly plan: Omit<PrunePlan, 'stats'>;
  /** packs written by the repack */
  readonly newPacks: string[];
  readonly newIndexFiles: string[];
  readonly removedIndexFiles: string[];
}

export async function prune(repo: Repository, opts: PruneOptions = {}): Promise<PruneResult> {
  const lock = opts.locked ? undefined : await acquireLock(repo, { exclusive: true });
  try {
    return await run(repo, opts);
  } finally {
    await lock?.release();
  }
}

async function run(repo: Repository, opts: PruneOptions): Promise<PruneResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const { packs, indexFiles } = await loadListings(repo, (done, total) => progress({ phase: 'load index', done, total }));
  const ignore = new Set(opts.ignoreSnapshots ?? []);
  const snaps = (await listSnapshots(repo).catch((err: unknown) => refuse(err, 'a snapshot cannot be read'))).filter((s) => !ignore.has(s.id));
  const used = await findUsedBlobs(repo, snaps.map((s) => s.snapshot.tree), (done, total) =>
    progress({ phase: 'find used blobs', done, total }),
  ).catch((err: unknown) => refuse(err, 'a tree used by a snapshot cannot be read'));
  const stored = new Map<string, number>();
  for (const f of await repo.listIds('data')) stored.set(f.name, f.size);
  const { stats, ...plan } = planPrune({ packs, stored, used, version: repo.version, packSize: repo.options.packSize }, opts);
  const result = { dryRun: Boolean(opts.dryRun), snapshots: snaps.length, stats, summary: summarize(stats), plan };
  if (opts.dryRun) return { ...result, newPacks: [], newIndexFiles: [], removedIndexFiles: [] };

  const fresh = plan.repack.length
    ? await repackPacks(repo, plan.repack, packs, used, (done, total) => progress({ phase: 'repack', done, total }))
    : { packs: [], indexFiles: [], blobs: 0 };
  let newIndexFiles: string[] = [];
  let removedIndexFiles: string[] = [];
  if (plan.remove.length + plan.repack.length + plan.forgetMissing.length > 0) {
    const keep: IndexPack[] = plan.keep.map((id) => ({ id, blobs: [...(packs.get(id) ?? [])] }));
    removedIndexFiles = [...indexFiles, ...fresh.indexFiles];
    progress({ phase: 'write index', done: 0, total: 1 });
    newIndexFiles = await writeIndexFiles(repo, [...keep, ...fresh.packs], removedIndexFiles);
    progress({ phase: 'write index', done: 1, total: 1 });
    await removeAll(repo, 'index', removedIndexFiles, (done, total) => progress({ phase: 'delete index', done, total }));
  }
  const obsolete = [...plan.unreferenced, ...plan.remove, ...plan.repack];
  await removeAll(repo, 'data', obsolete, (done, total) => progress({ phase: 'delete packs', done, total }));
  return { ...result, newPacks: fresh.packs.map((p) => p.id), newIndexFiles, removedIndexFiles };
}

/** Missing or damaged objects become one Integrity error saying prune did nothing; others pass through. */
function refuse(err: unknown, what: string): never {
  if (!isCode(err, 'NotFound') && !isCode(err, 'Integrity')) throw err;
  throw new SkiffError('Integrity', `${what} (${(err as Error).message}): prune refuses to run; run \`skiff repo check\``, { cause: err });
}

/** Every index file's packs (a pack listed twice keeps its first listing); also fills `repo.index`. */
async function loadListings(
  repo: Repository,
  onFile: (done: number, total: number) => void,
): Promise<{ packs: Map<string, readonly IndexBlob[]>; indexFiles: string[] }> {
  const indexFiles = (await repo.listIds('index')).map((f) => f.name).sort();
  const loaded = new Map<string, IndexPack[]>();
  let done = 0;
  await forEachBounded(indexFiles, repo.options.connections, async (id) => {
    const idx = await repo.loadIndexFile(id);
    if (!repo.loadedIndexFiles().has(id)) repo.addIndexFile(id, idx);
    loaded.set(id, idx.packs);
    onFile(++done, indexFiles.length);
  });
  const packs = new Map<string, readonly IndexBlob[]>();
  for (const id of indexFiles) for (const p of loaded.get(id) ?? []) if (!packs.has(p.id)) packs.set(p.id, p.blobs);
  return { packs, indexFiles };
}

async function removeAll(repo: Repository, type: 'index' | 'data', names: readonly string[], onDone: (done: number, total: number) => void): Promise<void> {
  let done = 0;
  await forEachBounded(names, repo.options.connections, async (name) => {
    await repo.io(() => repo.storage.remove({ type, name }));
    onDone(++done, names.length);
  });
}
