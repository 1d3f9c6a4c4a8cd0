/**
 * Backup behaviour users rely on: parents skip unchanged files, excludes, tags and hosts pick the
 * parent, unreadable files are warnings and the snapshot is still written (exit code 3).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MemStorage, backup, decodeTree, initRepository, type Repository } from '../../repository/index.ts';

const KDF = { N: 1024, r: 8, p: 1 };
let work: string;
test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skiff-behave-'));
});
test.after.always(async () => {
  await rm(work, { recursive: true, force: true });
});

async function tree(name: string): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(path.join(dir, 'cache'), { recursive: true });
  await mkdir(path.join(dir, 'keep'), { recursive: true });
  for (let i = 0; i < 20; i++) await writeFile(path.join(dir, 'keep', `f${i}.txt`), `file ${i}\n`.repeat(100));
  await writeFile(path.join(dir, 'cache', 'big.dat'), 'cache\n');
  await writeFile(path.join(dir, 'scratch.tmp'), 'tmp\n');
  return dir;
}

async function listing(repo: Repository, treeId: string, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const n of decodeTree(await repo.loadBlob('tree', Buffer.from(treeId, 'hex')))) {
    const p = `${dir}/${n.name.toString()}`;
    out.push(p);
    if (n.subtree) out.push(...(await listing(repo, n.subtree, p)));
  }
  return out;
}

test('the parent snapshot skips unchanged files; changed ones are read again', async (t) => {
  const src = await tree('parent');
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF });
  const first = await backup(repo, { paths: ['.'], cwd: src });
  t.is(first.parentId, undefined);
  t.is(first.stats.filesNew, 22);
  const second = await backup(repo, { paths: ['.'], cwd: src });
  t.is(second.parentId, first.snapshotId);
  t.is(second.stats.filesUnmodified, 22);
  t.is(second.stats.dataAddedPacked, 0);
  t.is(second.snapshot.tree, first.snapshot.tree);
  await appendFile(path.join(src, 'keep', 'f3.txt'), 'more\n');
  const third = await backup(repo, { paths: ['.'], cwd: src });
  t.is(third.stats.filesChanged, 1);
  t.is(third.stats.filesUnmodified, 21);
  t.true(third.stats.dataAddedPacked > 0);
  t.not(third.snapshot.tree, second.snapshot.tree);
  const forced = await backup(repo, { paths: ['.'], cwd: src, force: true });
  t.is(forced.stats.filesUnmodified, 0);
  t.is(forced.stats.dataAddedPacked, 0, 'everything read again, nothing new stored');
  // unchanged directories reuse the parent's tree blob; encoding every tree afresh gives the same IDs
  t.is(forced.snapshot.tree, third.snapshot.tree);
  // a metadata-only change (mode) is a new tree too
  await chmod(path.join(src, 'keep', 'f4.txt'), 0o600);
  const fourth = await backup(repo, { paths: ['.'], cwd: src });
  t.is(fourth.stats.filesUnmodified, 21, 'chmod changes ctime: that file is read again');
  t.not(fourth.snapshot.tree, forced.snapshot.tree);
  // a different tag set has no parent
  const tagged = await backup(repo, { paths: ['.'], cwd: src, tags: ['other'] });
  t.is(tagged.parentId, undefined);
  t.deepEqual(tagged.snapshot.tags, ['other']);
});

test('excludes keep matching files and directories out', async (t) => {
  const src = await tree('excl');
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF });
  const res = await backup(repo, { paths: ['.'], cwd: src, excludes: ['*.tmp', 'cache'] });
  const names = await listing(repo, res.snapshot.tree);
  t.false(names.some((n) => n.includes('cache') || n.endsWith('.tmp')));
  t.true(names.includes('/keep/f0.txt'));
  t.deepEqual(res.snapshot.excludes, ['*.tmp', 'cache']);
});

test('absolute targets keep every path component; relative ones stay relative', async (t) => {
  const src = await tree('abs');
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF });
  const abs = await backup(repo, { paths: [path.join(src, 'keep')], cwd: '/' });
  const names = await listing(repo, abs.snapshot.tree);
  t.true(names.includes(path.join(src, 'keep', 'f0.txt')));
  t.deepEqual(abs.snapshot.paths, [path.join(src, 'keep')]);
  const rel = await backup(repo, { paths: ['keep'], cwd: src });
  t.deepEqual((await listing(repo, rel.snapshot.tree)).slice(0, 2), ['/keep', '/keep/f0.txt']);
});

const node = path.resolve('node_modules/.bin/node');
const canDropPrivileges = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
(canDropPrivileges ? test : test.skip)(
  `unreadable files and directories are warnings; the snapshot is written and the exit code is 3${canDropPrivileges ? '' : ' [SKIPPED: needs root and setpriv]'}`,
  async (t) => {
    const src = await tree('unreadable');
    await writeFile(path.join(src, 'secret.txt'), 'no access\n');
    await chmod(path.join(src, 'secret.txt'), 0o000);
    await mkdir(path.join(src, 'locked'));
    await writeFile(path.join(src, 'locked', 'inside.txt'), 'x\n');
    await chmod(path.join(src, 'locked'), 0o000);
    const repoDir = path.join(work, 'nobody-repo');
    await mkdir(repoDir);
    await chmod(repoDir, 0o777);
    await chmod(work, 0o755);
    const run = (args: string[]) =>
      promisify(execFile)('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', node, path.resolve('cli/skiff.ts'), 'repo', '-r', repoDir, ...args], {
        env: { SKIFF_PASSWORD: 'pw', PATH: process.env['PATH'], HOME: '/tmp' },
        cwd: src,
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    t.is((await run(['init'])).code, 0);
    const b = await run(['backup', '.']);
    t.is(b.code, 3, b.stderr);
    t.regex(b.stderr, /secret\.txt/);
    t.regex(b.stderr, /locked/);
    t.regex(b.stdout, /snapshot [0-9a-f]{8} saved/);
    const ls = await run(['ls', 'latest']);
    t.is(ls.code, 0);
    t.regex(ls.stdout, /\/keep\/f19\.txt/);
    t.notRegex(ls.stdout, /secret\.txt/);
  },
);

test('restore leaves all-zero regions of files as holes', async (t) => {
  const src = path.join(work, 'sparse-src');
  await mkdir(src);
  const { open, stat } = await import('node:fs/promises');
  const fh = await open(path.join(src, 'disk.img'), 'w');
  await fh.write(Buffer.from('header'), 0, 6, 0);
  await fh.truncate(64 * 1024 * 1024);
  await fh.close();
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF });
  const res = await backup(repo, { paths: ['.'], cwd: src });
  const { restoreTree } = await import('../../repository/index.ts');
  const target = path.join(work, 'sparse-target');
  t.deepEqual((await restoreTree(repo, res.snapshot.tree, { target })).warnings, []);
  const st = await stat(path.join(target, 'disk.img'));
  t.is(st.size, 64 * 1024 * 1024);
  t.true(st.blocks * 512 < 1024 * 1024, `allocated ${st.blocks * 512} bytes`);
});

test('restore reports every byte it restores, also when packs are restored concurrently', async (t) => {
  const src = path.join(work, 'count-src');
  await mkdir(src);
  const { randomBytes } = await import('node:crypto');
  const big = randomBytes(20 * 1024 * 1024);
  await writeFile(path.join(src, 'a.bin'), big);
  await writeFile(path.join(src, 'b.bin'), big);
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF, packSize: 4 * 1024 * 1024 });
  const res = await backup(repo, { paths: ['.'], cwd: src });
  const { restoreTree } = await import('../../repository/index.ts');
  const r = await restoreTree(repo, res.snapshot.tree, { target: path.join(work, 'count-target') });
  t.deepEqual(r.warnings, []);
  t.is(r.bytes, 2 * big.length);
});
