/**
 * The engine end to end over S3: the `skiff repo` CLI against the embedded s3rver (and restic
 * 0.18 reading the result), and one backup and restore against OpenStack Swift's S3 API.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../cli/main.ts';
import { compareTrees } from '../../cli/demo/compare-trees.ts';
import { backup, check, initRepository, openRepository, resolveSnapshot, restoreTree } from '../../repository/index.ts';
import { S3Storage as S3StorageImpl } from '../../repository/storage/s3-storage.ts';
import { makeOddTree } from '../support/odd-tree.ts';
import { startS3Server, type EmbeddedS3 } from '../support/s3-server.ts';
import { testWithRestic } from '../support/restic.ts';

let work: string;
let src: string;
let s3: EmbeddedS3;

test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skiff-s3e2e-'));
  src = path.join(work, 'src');
  await makeOddTree(src, { bigFile: 12 * 1024 * 1024, crowded: 300 });
  s3 = await startS3Server({ buckets: ['e2e'] });
});
test.after.always(async () => {
  await s3?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const code = await main(args, { env, cwd: src, stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

const s3env = () => ({
  SKIFF_REPOSITORY: `s3:${s3.endpoint}/e2e/team/repo`,
  SKIFF_PASSWORD: 'e2e password',
  AWS_ACCESS_KEY_ID: s3.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  AWS_DEFAULT_REGION: s3.region,
  PATH: process.env['PATH'],
});

testWithRestic('skiff repo CLI over S3: init, backup, snapshots, ls, restore, check, stats, keys; restic 0.18 reads it', '0.18', async (t, restic) => {
  const env = s3env();
  const ok = async (args: string[]) => {
    const r = await cli(args, env);
    t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  await ok(['repo', 'init']);
  const b1 = JSON.parse((await ok(['repo', '--json', 'backup', '.', '--tag', 'first'])).stdout) as { snapshot_id: string; files_new: number };
  t.true(b1.files_new > 300);
  const b2 = JSON.parse((await ok(['repo', '--json', 'backup', '.', '--tag', 'first'])).stdout) as { files_unmodified: number; data_added: number; parent: string };
  t.is(b2.parent, b1.snapshot_id);
  t.is(b2.data_added, 0);
  t.true(b2.files_unmodified > 300);
  const snaps = JSON.parse((await ok(['repo', '--json', 'snapshots'])).stdout) as { id: string; tags: string[] }[];
  t.is(snaps.length, 2);
  t.deepEqual(snaps[0]!.tags, ['first']);
  t.regex((await ok(['repo', 'ls', 'latest'])).stdout, /\/crowded\/f299\.txt/);
  const target = path.join(work, 'cli-restore');
  await ok(['repo', 'restore', b1.snapshot_id.slice(0, 8), '--target', target]);
  t.deepEqual((await compareTrees(src, target)).diffs, []);
  const partial = path.join(work, 'cli-partial');
  await ok(['repo', 'restore', 'latest', '--target', partial, '--include', '/deep/level0/level1']);
  t.deepEqual((await compareTrees(path.join(src, 'deep', 'level0', 'level1'), path.join(partial, 'deep', 'level0', 'level1'))).diffs, []);
  t.regex((await ok(['repo', 'check', '--read-data'])).stdout, /no errors were found/);
  t.regex((await ok(['repo', 'check', '--read-data-subset', '1/3'])).stdout, /no errors were found/);
  const st = JSON.parse((await ok(['repo', '--json', 'stats'])).stdout) as { snapshots_count: number; total_file_count: number; compression_ratio: number };
  t.is(st.snapshots_count, 2);
  t.true(st.compression_ratio >= 1);
  await ok(['repo', 'key', 'add', '--new-password-command', 'echo second password']);
  t.is(JSON.parse((await ok(['repo', '--json', 'key', 'list'])).stdout).length, 2);
  t.is((await cli(['repo', 'snapshots'], { ...env, SKIFF_PASSWORD: 'second password' })).code, 0);
  // restic reads the S3 repository (read-only: --no-lock, s3rver cannot take restic's streamed uploads)
  const renv = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
  const chk = await restic.run(['-r', env.SKIFF_REPOSITORY, '--no-lock', 'check', '--read-data'], { password: 'e2e password', env: renv });
  t.regex(chk.stdout, /no errors were found/);
  const rtarget = path.join(work, 'restic-from-s3');
  await restic.run(['-r', env.SKIFF_REPOSITORY, '--no-lock', 'restore', 'latest', '--target', rtarget], { password: 'e2e password', env: renv });
  t.deepEqual((await compareTrees(src, rtarget)).diffs, []);
});

test('unreachable S3 endpoint and missing bucket: one clear line each', async (t) => {
  const env = { ...s3env(), SKIFF_REPOSITORY: 's3:http://127.0.0.1:1/e2e/x' };
  const r = await cli(['repo', 'snapshots'], env);
  t.is(r.code, 1);
  t.regex(r.stderr, /127\.0\.0\.1:1/);
  t.is(r.stderr.trim().split('\n').length, 1);
  const nb = await cli(['repo', 'init'], { ...s3env(), SKIFF_REPOSITORY: `s3:${s3.endpoint}/no-such-bucket/x` });
  t.is(nb.code, 1);
  t.regex(nb.stderr, /no-such-bucket/);
  t.notRegex(nb.stderr + r.stderr, new RegExp(s3.secretAccessKey + '|e2e password'));
});

const swift = process.env['SKIFF_SWIFT_S3_ENDPOINT'];
if (!swift) {
  if (process.env['CI'] === 'true') test('swift end to end: SKIFF_SWIFT_S3_ENDPOINT must be set in CI', (t) => t.fail('Swift not started'));
  else test.skip('swift end to end [SKIPPED: SKIFF_SWIFT_S3_ENDPOINT not set; start ../shared/s3-swift]', () => undefined);
} else {
  test('backup and restore through OpenStack Swift S3', async (t) => {
    const storage = new S3StorageImpl({
      endpoint: swift,
      bucket: `skiff-e2e-${process.pid}`,
      prefix: 'repo',
      forcePathStyle: true,
      createBucket: true,
      region: 'us-east-1',
      credentials: { accessKeyId: process.env['AWS_ACCESS_KEY_ID'] || 'test:tester', secretAccessKey: process.env['AWS_SECRET_ACCESS_KEY'] || 'testing' },
    });
    const repo = await initRepository(storage, 'swift pw', { kdf: { N: 1024, r: 8, p: 1 } });
    const res = await backup(repo, { paths: ['.'], cwd: src });
    t.deepEqual(res.warnings, []);
    const again = await openRepository(storage, 'swift pw');
    await again.loadIndex();
    const sn = await resolveSnapshot(again, 'latest');
    const target = path.join(work, 'swift-restore');
    t.deepEqual((await restoreTree(again, sn.snapshot.tree, { target })).warnings, []);
    t.deepEqual((await compareTrees(src, target)).diffs, []);
    t.deepEqual((await check(again, { readData: true })).problems, []);
  });
}
