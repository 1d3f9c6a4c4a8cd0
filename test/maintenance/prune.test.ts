/**
 * forget + prune end to end on a filesystem repository: prune deletes exactly the packs only the
 * forgotten snapshot used, repacks the shared ones, keeps the rest; the remaining snapshots restore
 * byte for byte; our check and restic 0.14 / 0.18 `check --read-data` find nothing wrong.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { FsStorage, check, forget, loadSnapshot, openRepository, prune, restoreTree, type PruneResult } from '../../repository/index.ts';
import { compareTrees } from '../../cli/demo/compare-trees.ts';
import { testWithRestic, type ResticVersion } from '../support/restic.ts';
import { PASSWORD, classify, indexListing, makeScenario, reachable, type Scenario } from './scenario.ts';

let work: string;
let repoDir: string;
let scenario: Scenario;
let before: { full: string[]; partly: string[]; unused: string[]; indexFiles: string[]; used: Set<string> };
let result: PruneResult;

test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skiff-prune-'));
  repoDir = path.join(work, 'repo');
  scenario = await makeScenario(new FsStorage(repoDir), work);
  const { repo } = scenario;
  const f = await forget(repo, { snapshots: [scenario.forgotten] });
  const roots = await Promise.all([...scenario.kept.keys()].map(async (id) => (await loadSnapshot(repo, id)).snapshot.tree));
  const used = await reachable(repo, roots);
  const packs = await indexListing(repo);
  before = { ...classify(packs, used), indexFiles: (await repo.listIds('index')).map((x) => x.name), used };
  if (f.removed.length !== 1) throw new Error('forget did not remove the snapshot');
  execFileSync('cp', ['-a', repoDir, path.join(work, 'pre-prune')]);
  result = await prune(repo);
});
test.after.always(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('the scenario has fully used, partly used and unused packs (or this test proves nothing)', (t) => {
  t.true(before.full.length >= 2, `full: ${before.full.length}`);
  t.true(before.partly.length >= 1, `partly: ${before.partly.length}`);
  t.true(before.unused.length >= 2, `unused: ${before.unused.length}`);
});

test('prune deletes unused packs, repacks partly used ones, keeps the rest', async (t) => {
  t.deepEqual([...result.plan.remove].sort(), before.unused);
  t.deepEqual([...result.plan.repack].sort(), before.partly);
  t.deepEqual([...result.plan.keep].sort(), before.full);
  t.deepEqual(result.plan.unreferenced, []);
  t.true(result.newPacks.length >= 1);
  const stored = (await scenario.repo.listIds('data')).map((f) => f.name).sort();
  t.deepEqual(stored, [...before.full, ...result.newPacks].sort());
});

test('the new index lists every used blob exactly once, nothing else, and supersedes the old index', async (t) => {
  const repo = await openRepository(new FsStorage(repoDir), PASSWORD);
  const indexFiles = (await repo.listIds('index')).map((f) => f.name).sort();
  t.deepEqual(indexFiles, [...result.newIndexFiles].sort());
  for (const old of before.indexFiles) t.false(indexFiles.includes(old));
  const first = await repo.loadIndexFile(result.newIndexFiles[0]!);
  t.deepEqual([...(first.supersedes ?? [])].sort(), [...result.removedIndexFiles].sort());
  for (const old of before.indexFiles) t.true(first.supersedes?.includes(old));
  const listed = [...(await indexListing(repo)).values()].flat().map((b) => b.id);
  t.is(listed.length, new Set(listed).size, 'no blob listed twice');
  t.deepEqual([...listed].sort(), [...before.used].sort());
  t.is(result.stats.blobs.used, before.used.size);
  t.is(result.summary.unusedAfter, 0);
});

test('every remaining snapshot restores byte for byte', async (t) => {
  const repo = await openRepository(new FsStorage(repoDir), PASSWORD);
  await repo.loadIndex();
  for (const [id, src] of scenario.kept) {
    const target = path.join(work, `restore-${id.slice(0, 8)}`);
    const res = await restoreTree(repo, (await loadSnapshot(repo, id)).snapshot.tree, { target });
    t.deepEqual(res.warnings, []);
    t.deepEqual((await compareTrees(src, target)).diffs, []);
  }
});

test('our check --read-data is clean after prune', async (t) => {
  const repo = await openRepository(new FsStorage(repoDir), PASSWORD);
  const res = await check(repo, { readData: true });
  t.deepEqual(res.problems, []);
  t.deepEqual(res.hints, []);
  t.is(res.snapshots, 2);
});

test('a second prune finds nothing to do and changes nothing', async (t) => {
  const repo = await openRepository(new FsStorage(repoDir), PASSWORD);
  const dry = await prune(repo, { dryRun: true });
  t.deepEqual([dry.plan.remove, dry.plan.repack, dry.plan.unreferenced], [[], [], []]);
  t.is(dry.summary.pruneSize, 0);
});

/** restic's "to repack: 3 blobs / 2.5 MiB" lines → blob counts. */
function resticPlan(out: string): Record<string, number> {
  const plan: Record<string, number> = {};
  for (const m of out.matchAll(/^(to repack|this removes|to delete|total prune|remaining):\s+(\d+) blobs/gm)) plan[m[1]!] = Number(m[2]);
  return plan;
}

for (const v of ['0.14', '0.18'] as ResticVersion[]) {
  testWithRestic(`restic ${v} check --read-data is clean on the pruned repository and finds nothing to prune`, v, async (t, restic) => {
    const copy = path.join(work, `copy-${v}`);
    execFileSync('cp', ['-a', repoDir, copy]);
    const res = await restic.run(['-r', copy, 'check', '--read-data', '--no-cache'], { password: PASSWORD });
    t.regex(res.stdout, /no errors were found/);
    t.notRegex(res.stdout + res.stderr, /not referenced in any index|unused/);
    const again = await restic.run(['-r', copy, 'prune', '--dry-run', '--no-cache'], { password: PASSWORD });
    t.is(resticPlan(again.stdout)['total prune'], 0);
  });

  testWithRestic(`restic ${v} prune --dry-run plans what we did on the same repository`, v, async (t, restic) => {
    const copy = path.join(work, `pre-${v}`);
    execFileSync('cp', ['-a', path.join(work, 'pre-prune'), copy]);
    const res = await restic.run(['-r', copy, 'prune', '--dry-run', '--no-cache'], { password: PASSWORD });
    const s = result.stats;
    t.deepEqual(resticPlan(res.stdout), {
      'to repack': s.blobs.repack,
      'this removes': s.blobs.repackrm,
      'to delete': s.blobs.remove,
      'total prune': result.summary.pruneBlobs,
      remaining: result.summary.remainingBlobs,
    });
  });
}
