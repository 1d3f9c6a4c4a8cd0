/**
 * Crash safety: a backup process killed with SIGKILL at 20 random moments leaves a repository
 * that our check and restic's `check --read-data` pass, and the next backup completes, reusing
 * the data already uploaded.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsStorage, check, initRepository, openRepository, resolveSnapshot, restoreTree } from '../../repository/index.ts';
import { compareTrees } from '../../cli/demo/compare-trees.ts';
import { testWithRestic } from '../support/restic.ts';

const CRASHES = Number(process.env['SKIFF_CRASH_POINTS'] ?? 20);
const NODE = path.resolve('node_modules/.bin/node');
const CLI = path.resolve('cli/skiff.ts');

function runBackup(
  repo: string,
  src: string,
  killAfterMs?: number,
  killWhen?: () => Promise<boolean>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE, [CLI, 'repo', '-r', repo, '--pack-size', '4', '--json', 'backup', '.'], {
      cwd: src,
      env: { PATH: process.env['PATH'], SKIFF_PASSWORD: 'crash' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const poll = killWhen
      ? setInterval(() => void killWhen().then((yes) => yes && child.kill('SIGKILL'), () => undefined), 5)
      : undefined;
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

testWithRestic(`SIGKILL at ${CRASHES} random moments of a backup never breaks the repository`, '0.18', async (t, restic) => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'skiff-crash-'));
  try {
    const src = path.join(work, 'src');
    await mkdir(path.join(src, 'many'), { recursive: true });
    for (let i = 0; i < 12; i++) await writeFile(path.join(src, `big-${i}.bin`), randomBytes(6 * 1024 * 1024));
    for (let i = 0; i < 400; i++) await writeFile(path.join(src, 'many', `f${i}.txt`), `small file ${i}\n`.repeat(50));
    const repoDir = path.join(work, 'repo');
    await initRepository(new FsStorage(repoDir), 'crash', { kdf: { N: 1024, r: 8, p: 1 } });

    // how long a start-up and a whole backup take here, to spread the kills over the run
    let t0 = Date.now();
    const probe = await runBackup(path.join(work, 'no-repo'), src);
    t.not(probe.code, 0);
    const startup = Date.now() - t0;
    await initRepository(new FsStorage(path.join(work, 'timing-repo')), 'crash', { kdf: { N: 1024, r: 8, p: 1 } });
    t0 = Date.now();
    t.is((await runBackup(path.join(work, 'timing-repo'), src)).code, 0);
    const whole = Date.now() - t0;
    t.log(`start-up ${startup} ms, whole backup ${whole} ms`);

    // repeat until CRASHES kills landed mid-backup (a run that finished first is not a crash point)
    let killed = 0;
    let attempts = 0;
    for (; killed < CRASHES && attempts < CRASHES * 3; attempts++) {
      // fresh content in a few files so every run has data to upload when it is killed
      for (let k = 0; k < 3; k++) await writeFile(path.join(src, `big-${randomInt(0, 12)}.bin`), randomBytes(6 * 1024 * 1024));
      const at = randomInt(Math.max(50, startup - 300), Math.floor(Math.max(startup + 100, startup + (whole - startup) / 2)));
      const r = await runBackup(repoDir, src, at);
      if (r.signal === 'SIGKILL') killed++;
      const res = await check(await openRepository(new FsStorage(repoDir), 'crash'));
      t.deepEqual(res.problems, [], `after a kill at ${at} ms`);
    }
    t.log(`${killed} backups killed mid-run in ${attempts} attempts (the others finished first); check clean after each`);
    t.is(killed, CRASHES);
    // the killed process's lock is stale (its PID is gone); restic wants it removed explicitly
    await restic.run(['-r', repoDir, 'unlock'], { password: 'crash' });
    const chk = await restic.run(['-r', repoDir, 'check', '--read-data'], { password: 'crash' });
    t.regex(chk.stdout, /no errors were found/);

    // one more run with 60 MiB of new data, killed right after its first index file is stored:
    // the next backup must reuse what that index covers instead of uploading it again
    for (let i = 0; i < 10; i++) await writeFile(path.join(src, `big-${i}.bin`), randomBytes(6 * 1024 * 1024));
    const indexes = async () => (await readdir(path.join(repoDir, 'index'))).filter((n) => /^[0-9a-f]{64}$/.test(n)).length;
    const indexesBefore = await indexes();
    const child = runBackup(repoDir, src, undefined, async () => (await indexes()) > indexesBefore);
    t.is((await child).signal, 'SIGKILL');
    const done = await runBackup(repoDir, src);
    t.is(done.code, 0, done.stderr);
    const summary = JSON.parse(done.stdout) as { data_added: number; snapshot_id: string };
    t.true(summary.data_added < 50 * 1024 * 1024, `the final backup added ${summary.data_added} bytes of 60 MiB new; the interrupted run's indexed packs should be reused`);
    const repo = await openRepository(new FsStorage(repoDir), 'crash');
    await repo.loadIndex();
    t.deepEqual((await check(repo, { readData: true })).problems, []);
    const target = path.join(work, 'restored');
    const sn = await resolveSnapshot(repo, summary.snapshot_id);
    t.deepEqual((await restoreTree(repo, sn.snapshot.tree, { target })).warnings, []);
    t.deepEqual((await compareTrees(src, target)).diffs, []);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
