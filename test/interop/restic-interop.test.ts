/**
 * Interop with the real restic: what Skiff writes, restic 0.14 and 0.18 check and restore
 * exactly; what restic writes, Skiff restores exactly; each backs up into the other's repository.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsStorage, backup, check, initRepository, openRepository, resolveSnapshot, restoreTree } from '../../repository/index.ts';
import { compareTrees } from '../../cli/demo/compare-trees.ts';
import { makeOddTree } from '../support/odd-tree.ts';
import { testWithRestic, type ResticVersion } from '../support/restic.ts';

const PASSWORD = 'interop secret';
const KDF = { N: 1024, r: 8, p: 1 };
let work: string;
let src: string;

test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skiff-interop-'));
  src = path.join(work, 'src');
  await makeOddTree(src);
});

test.after.always(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function skiffBackup(repoDir: string, init: boolean): Promise<string> {
  const storage = new FsStorage(repoDir);
  const repo = init ? await initRepository(storage, PASSWORD, { kdf: KDF }) : await openRepository(storage, PASSWORD);
  await repo.loadIndex();
  const res = await backup(repo, { paths: ['.'], cwd: src });
  if (res.warnings.length) throw new Error(`backup warnings: ${JSON.stringify(res.warnings)}`);
  return res.snapshotId;
}

for (const v of ['0.14', '0.18'] as ResticVersion[]) {
  testWithRestic(`restic ${v} checks --read-data and restores exactly what Skiff wrote`, v, async (t, restic) => {
    const repoDir = path.join(work, `skiff-${v}`);
    const sid = await skiffBackup(repoDir, true);
    const chk = await restic.run(['-r', repoDir, 'check', '--read-data'], { password: PASSWORD });
    t.regex(chk.stdout, /no errors were found/);
    const target = path.join(work, `restic-restore-${v}`);
    await restic.run(['-r', repoDir, 'restore', sid, '--target', target], { password: PASSWORD });
    const cmp = await compareTrees(src, target);
    t.deepEqual(cmp.diffs, []);
    t.true(cmp.summary.files > 2000);
  });

  testWithRestic(`Skiff restores exactly what restic ${v} backed up`, v, async (t, restic) => {
    const repoDir = path.join(work, `restic-${v}`);
    await restic.run(['-r', repoDir, 'init'], { password: PASSWORD });
    await restic.run(['-r', repoDir, 'backup', '.'], { password: PASSWORD, cwd: src });
    const repo = await openRepository(new FsStorage(repoDir), PASSWORD);
    await repo.loadIndex();
    const sn = await resolveSnapshot(repo, 'latest');
    const target = path.join(work, `skiff-restore-${v}`);
    const res = await restoreTree(repo, sn.snapshot.tree, { target });
    t.deepEqual(res.warnings, []);
    t.deepEqual((await compareTrees(src, target)).diffs, []);
    t.deepEqual((await check(repo, { readData: true })).problems, []);

    // Skiff backs up into the restic-made repository, restic checks and restores it
    const sid = await skiffBackup(repoDir, false);
    t.regex((await restic.run(['-r', repoDir, 'check', '--read-data'], { password: PASSWORD })).stdout, /no errors were found/);
    const target2 = path.join(work, `restic-restore-mixed-${v}`);
    await restic.run(['-r', repoDir, 'restore', sid, '--target', target2], { password: PASSWORD });
    t.deepEqual((await compareTrees(src, target2)).diffs, []);
  });

  testWithRestic(`restic ${v} backs up into a Skiff-made repository and Skiff reads it`, v, async (t, restic) => {
    const repoDir = path.join(work, `skiff-made-${v}`);
    await skiffBackup(repoDir, true);
    await restic.run(['-r', repoDir, 'backup', '.'], { password: PASSWORD, cwd: src });
    const repo = await openRepository(new FsStorage(repoDir), PASSWORD);
    t.deepEqual((await check(repo, { readData: true })).problems, []);
    const sn = await resolveSnapshot(repo, 'latest');
    t.regex(sn.snapshot.programVersion ?? 'restic', /restic/);
    const target = path.join(work, `skiff-restore-of-restic-in-skiff-${v}`);
    t.deepEqual((await restoreTree(repo, sn.snapshot.tree, { target })).warnings, []);
    t.deepEqual((await compareTrees(src, target)).diffs, []);
  });
}

testWithRestic('format version 1: Skiff reads and writes a repository restic 0.14 created as v1', '0.14', async (t, restic) => {
  const repoDir = path.join(work, 'restic-v1');
  await restic.run(['-r', repoDir, 'init', '--repository-version', '1'], { password: PASSWORD });
  await restic.run(['-r', repoDir, 'backup', '.'], { password: PASSWORD, cwd: src });
  const repo = await openRepository(new FsStorage(repoDir), PASSWORD);
  t.is(repo.version, 1);
  await repo.loadIndex();
  const target = path.join(work, 'skiff-restore-v1');
  t.deepEqual((await restoreTree(repo, (await resolveSnapshot(repo, 'latest')).snapshot.tree, { target })).warnings, []);
  t.deepEqual((await compareTrees(src, target)).diffs, []);
  const sid = await skiffBackup(repoDir, false);
  t.regex((await restic.run(['-r', repoDir, 'check', '--read-data'], { password: PASSWORD })).stdout, /no errors were found/);
  const target2 = path.join(work, 'restic-restore-v1');
  await restic.run(['-r', repoDir, 'restore', sid, '--target', target2], { password: PASSWORD });
  t.deepEqual((await compareTrees(src, target2)).diffs, []);
});
