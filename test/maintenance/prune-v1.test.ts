/** forget + prune on a version 1 repository (no compression anywhere), in memory. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { MemStorage, check, forget, loadSnapshot, openRepository, prune, restoreTree } from '../../repository/index.ts';
import { compareTrees } from '../../cli/demo/compare-trees.ts';
import { PASSWORD, makeScenario } from './scenario.ts';

let work: string;
test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skiff-prune-v1-'));
});
test.after.always(async () => {
  await rm(work, { recursive: true, force: true });
});

test('v1: prune repacks and deletes, the rest restores and checks clean', async (t) => {
  const storage = new MemStorage();
  const s = await makeScenario(storage, work, { version: 1 });
  t.is(s.repo.version, 1);
  await forget(s.repo, { snapshots: [s.forgotten] });
  const res = await prune(s.repo, { maxUnused: { kind: 'percent', value: 0 } });
  t.true(res.plan.remove.length > 0 && res.plan.repack.length > 0);
  t.is(res.stats.size.uncompressed, 0);
  const repo = await openRepository(storage, PASSWORD);
  await repo.loadIndex();
  for (const [id, src] of s.kept) {
    const target = path.join(work, `restore-${id.slice(0, 8)}`);
    await restoreTree(repo, (await loadSnapshot(repo, id)).snapshot.tree, { target });
    t.deepEqual((await compareTrees(src, target)).diffs, []);
  }
  const chk = await check(repo, { readData: true });
  t.deepEqual([chk.problems, chk.hints], [[], []]);
});
