/**
 * Concurrent writers: four backup processes into one repository at once, and a prune started
 * while they run. Locks keep prune out while backups hold theirs (it fails with exit code 11,
 * as restic's does); afterwards every snapshot restores byte for byte and check is clean.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsStorage, check, initRepository, listSnapshots, openRepository, restoreTree } from '../../repository/index.ts';
import { compareTrees } from '../../cli/demo/compare-trees.ts';
import { testWithRestic } from '../support/restic.ts';

const NODE = path.resolve('node_modules/.bin/node');
const CLI = path.resolve('cli/skiff.ts');

function skiff(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE, [CLI, 'repo', ...args], { cwd, env: { PATH: process.env['PATH'], SKIFF_PASSWORD: 'conc' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

testWithRestic('four concurrent backups and a prune: every snapshot restores, check --read-data clean', '0.18', async (t, restic) => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'skiff-conc-'));
  try {
    const repoDir = path.join(work, 'repo');
    await initRepository(new FsStorage(repoDir), 'conc', { kdf: { N: 1024, r: 8, p: 1 } });
    const shared = randomBytes(8 * 1024 * 1024); // every source has it: concurrent writers race to store it
    const sources: string[] = [];
    for (let s = 0; s < 4; s++) {
      const dir = path.join(work, `src${s}`);
      await mkdir(path.join(dir, 'files'), { recursive: true });
      await writeFile(path.join(dir, 'shared.bin'), shared);
      await writeFile(path.join(dir, 'own.bin'), randomBytes(6 * 1024 * 1024));
      for (let i = 0; i < 100; i++) await writeFile(path.join(dir, 'files', `f${i}.txt`), `source ${s} file ${i}\n`.repeat(20));
      sources.push(dir);
    }
    // one old snapshot to forget, so the prune has something to remove
    await writeFile(path.join(work, 'old.bin'), randomBytes(3 * 1024 * 1024));
    const old = await skiff(['-r', repoDir, 'backup', 'old.bin'], work);
    t.is(old.code, 0, old.stderr);
    const oldId = /snapshot ([0-9a-f]{8}) saved/.exec(old.stdout)![1]!;
    const fg = await skiff(['-r', repoDir, 'forget', oldId], work);
    t.is(fg.code, 0, fg.stderr);

    // the backups wait for a prune that got the exclusive lock first, as restic's --retry-lock does
    const backups = sources.map((dir) => skiff(['-r', repoDir, '--pack-size', '4', '--retry-lock', '5m', 'backup', '.', '--host', path.basename(dir)], dir));
    await new Promise((r) => setTimeout(r, 400));
    const pruneRun = skiff(['-r', repoDir, 'prune'], work);
    const results = await Promise.all(backups);
    const pr = await pruneRun;
    results.forEach((r, i) => t.is(r.code, 0, `backup ${i}: ${r.stderr}`));
    t.true(pr.code === 0 || pr.code === 11, `prune: ${pr.code} ${pr.stderr}`);
    if (pr.code === 11) t.regex(pr.stderr, /locked/);
    t.log(pr.code === 11 ? "the prune found the backups' locks and stopped" : "the prune ran between the backups' locks");
    // a prune once the backups are done succeeds
    t.is((await skiff(['-r', repoDir, 'prune'], work)).code, 0);

    const repo = await openRepository(new FsStorage(repoDir), 'conc');
    await repo.loadIndex();
    t.deepEqual((await check(repo, { readData: true })).problems, []);
    t.regex((await restic.run(['-r', repoDir, 'check', '--read-data'], { password: 'conc' })).stdout, /no errors were found/);
    const snaps = await listSnapshots(repo);
    for (const dir of sources) {
      const sn = snaps.filter((s) => s.snapshot.hostname === path.basename(dir)).at(-1);
      t.truthy(sn, `snapshot of ${dir}`);
      const target = path.join(work, `restore-${path.basename(dir)}`);
      t.deepEqual((await restoreTree(repo, sn!.snapshot.tree, { target })).warnings, []);
      t.deepEqual((await compareTrees(dir, target)).diffs, []);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
