import test from 'ava';
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getXattr, nativeAvailable, setTimes } from '../fs/native.ts';
import { userXattrsSupported } from '../fs/test-support.ts';
import { MemStorage, backup, decodeTree, initRepository, restoreTree } from '../index.ts';

const KDF = { N: 1024, r: 8, p: 1 };
let work: string;
test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skiff-restorer-'));
});
test.after.always(async () => {
  await rm(work, { recursive: true, force: true });
});

const MTIME = { sec: 1704164645n, nsec: 123456789, offsetMinutes: 0 };
const mtimeNs = 1704164645123456789n;

/** small files in two directories, an empty file, a large multi-pack file, a hardlink pair */
async function source(name: string): Promise<{ src: string; big: Buffer; xattrs: boolean }> {
  const src = path.join(work, name);
  for (const d of ['a', 'b']) {
    await mkdir(path.join(src, d), { recursive: true });
    for (let i = 0; i < 150; i++) await writeFile(path.join(src, d, `f${i}.txt`), `${d} file ${i}\n`.repeat(1 + (i % 50)));
  }
  await writeFile(path.join(src, 'empty'), '');
  const big = randomBytes(12 * 1024 * 1024);
  await writeFile(path.join(src, 'big.bin'), big);
  await writeFile(path.join(src, 'linked'), 'one inode, two names\n');
  await link(path.join(src, 'linked'), path.join(src, 'linked-too'));
  const xattrs = await userXattrsSupported(path.join(src, 'a', 'f7.txt'));
  for (const f of ['a/f7.txt', 'empty', 'big.bin', 'linked']) {
    if (nativeAvailable()) await setTimes(path.join(src, f), MTIME, MTIME, false);
    else await utimes(path.join(src, f), 1704164645, 1704164645);
  }
  return { src, big, xattrs };
}

test('restores small, empty, large and hardlinked files with their content, modes and nanosecond times', async (t) => {
  const { src, big } = await source('all');
  const { chmod } = await import('node:fs/promises');
  await chmod(path.join(src, 'a', 'f3.txt'), 0o4750);
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF, packSize: 4 * 1024 * 1024 });
  const res = await backup(repo, { paths: ['.'], cwd: src });
  const target = path.join(work, 'all-target');
  const r = await restoreTree(repo, res.snapshot.tree, { target });
  t.deepEqual(r.warnings, []);
  t.is(r.files, 304);
  t.is(r.bytes, (await Promise.all(['a', 'b'].flatMap((d) => Array.from({ length: 150 }, (_, i) => stat(path.join(src, d, `f${i}.txt`)))))).reduce((n, s) => n + s.size, 0) + big.length + 21);
  for (const d of ['a', 'b']) {
    for (let i = 0; i < 150; i += 37) t.deepEqual(await readFile(path.join(target, d, `f${i}.txt`)), await readFile(path.join(src, d, `f${i}.txt`)));
  }
  t.true((await readFile(path.join(target, 'big.bin'))).equals(big)); // not deepEqual: it compares 12 MiB element by element
  t.is((await stat(path.join(target, 'empty'))).size, 0);
  t.is((await stat(path.join(target, 'a', 'f3.txt'))).mode & 0o7777, 0o4750);
  const precise = nativeAvailable();
  for (const f of ['a/f7.txt', 'empty', 'big.bin', 'linked']) {
    const st = await stat(path.join(target, f), { bigint: true });
    t.is(precise ? st.mtimeNs : st.mtimeNs / 1000n, precise ? mtimeNs : mtimeNs / 1000n, f);
  }
  t.is((await stat(path.join(target, 'linked'))).ino, (await stat(path.join(target, 'linked-too'))).ino);
});

test('whatever is in the way of a file is replaced, never followed', async (t) => {
  const { src, big } = await source('inway');
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF, packSize: 4 * 1024 * 1024 });
  const res = await backup(repo, { paths: ['.'], cwd: src });
  const target = path.join(work, 'inway-target');
  const outside = path.join(work, 'inway-outside');
  await writeFile(outside, 'not to be touched');
  await mkdir(path.join(target, 'a', 'f1.txt', 'sub'), { recursive: true }); // a directory where a small file goes
  await symlink(outside, path.join(target, 'a', 'f2.txt')); // a symlink where a small file goes
  await writeFile(path.join(target, 'a', 'f4.txt'), 'old and longer than the new content\n'.repeat(10)); // a stale file
  await symlink(outside, path.join(target, 'big.bin')); // a symlink where a large file goes
  await writeFile(path.join(target, 'empty'), 'stale');
  const r = await restoreTree(repo, res.snapshot.tree, { target });
  t.deepEqual(r.warnings, []);
  for (const f of ['f1.txt', 'f2.txt', 'f4.txt']) {
    t.true((await lstat(path.join(target, 'a', f))).isFile(), f);
    t.deepEqual(await readFile(path.join(target, 'a', f)), await readFile(path.join(src, 'a', f)), f);
  }
  t.true((await lstat(path.join(target, 'big.bin'))).isFile());
  t.true((await readFile(path.join(target, 'big.bin'))).equals(big)); // not deepEqual: it compares 12 MiB element by element
  t.is((await stat(path.join(target, 'empty'))).size, 0);
  t.is(await readFile(outside, 'utf8'), 'not to be touched');
  await t.throwsAsync(readlink(path.join(target, 'a', 'f2.txt')));
});

test('restores with xattrs applied on the worker threads', async (t) => {
  const { src, xattrs } = await source('xattrs');
  if (!xattrs) {
    t.log('SKIPPED: user xattrs unsupported here');
    t.pass();
    return;
  }
  const { setXattr } = await import('../fs/native.ts');
  await setXattr(path.join(src, 'b', 'f9.txt'), 'user.note', Buffer.from('small file'));
  await setXattr(path.join(src, 'big.bin'), 'user.note', Buffer.from('large file'));
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF, packSize: 4 * 1024 * 1024 });
  const res = await backup(repo, { paths: ['.'], cwd: src });
  const target = path.join(work, 'xattrs-target');
  t.deepEqual((await restoreTree(repo, res.snapshot.tree, { target })).warnings, []);
  t.is((await getXattr(path.join(target, 'b', 'f9.txt'), 'user.note')).toString(), 'small file');
  t.is((await getXattr(path.join(target, 'big.bin'), 'user.note')).toString(), 'large file');
});

test('restores the same without worker threads', async (t) => {
  const { src, big } = await source('inline');
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF, packSize: 4 * 1024 * 1024, workers: 0 });
  t.is(repo.runner.threads, 0);
  const res = await backup(repo, { paths: ['.'], cwd: src });
  const target = path.join(work, 'inline-target');
  t.deepEqual((await restoreTree(repo, res.snapshot.tree, { target })).warnings, []);
  t.true((await readFile(path.join(target, 'big.bin'))).equals(big)); // not deepEqual: it compares 12 MiB element by element
  t.deepEqual(await readFile(path.join(target, 'b', 'f149.txt')), await readFile(path.join(src, 'b', 'f149.txt')));
  const st = await stat(path.join(target, 'a', 'f7.txt'), { bigint: true });
  t.is(nativeAvailable() ? st.mtimeNs : st.mtimeNs / 1000n, nativeAvailable() ? mtimeNs : mtimeNs / 1000n);
});

/** MemStorage that asks readers for whole-pack reads, as S3Storage does; counts the data reads. */
class WideReads extends MemStorage {
  readonly readBytes = 16 * 1024 * 1024;
  dataReads = 0;
  override async loadInto(h: Parameters<MemStorage['loadInto']>[0], into: Uint8Array, opts?: Parameters<MemStorage['loadInto']>[2]): Promise<void> {
    if (h.type === 'data') this.dataReads++;
    return super.loadInto(h, into, opts);
  }
}

test('whole-pack reads: one read for a pack of several jobs; a short pack costs only the jobs whose blobs it lost', async (t) => {
  const src = path.join(work, 'wide');
  await mkdir(path.join(src, 'd'), { recursive: true });
  const content = Array.from({ length: 600 }, (_, i) => randomBytes(1000 + i));
  for (let i = 0; i < 600; i++) await writeFile(path.join(src, 'd', `f${String(i).padStart(3, '0')}`), content[i]!);
  const storage = new WideReads();
  const repo = await initRepository(storage, 'pw', { kdf: KDF, packSize: 4 * 1024 * 1024 });
  const res = await backup(repo, { paths: ['.'], cwd: src });

  storage.dataReads = 0;
  const whole = await restoreTree(repo, res.snapshot.tree, { target: path.join(work, 'wide-whole') });
  t.deepEqual(whole.warnings, []);
  t.is(storage.dataReads, 1, '600 files in one pack: three jobs, one read');

  // cut the pack inside the blob of the 513th file in pack order: jobs of 256 files each, so
  // the first two jobs' blobs are intact and the third job's are not
  const root = decodeTree(await repo.loadBlob('tree', Buffer.from(res.snapshot.tree, 'hex')));
  const dir = decodeTree(await repo.loadBlob('tree', Buffer.from(root.find((n) => n.name.toString() === 'd')!.subtree!, 'hex')));
  const located = dir.map((n) => ({ name: n.name.toString(), loc: repo.index.get(Buffer.from(n.content![0]!, 'hex'))! })).sort((a, b) => a.loc.offset - b.loc.offset);
  const packId = located[0]!.loc.packId;
  t.true(located.every((x) => x.loc.packId === packId));
  const key = `data/${packId.slice(0, 2)}/${packId}`;
  storage.objects.set(key, storage.objects.get(key)!.subarray(0, located[512]!.loc.offset + 10));
  const target = path.join(work, 'wide-short');
  const r = await restoreTree(repo, res.snapshot.tree, { target });
  const warned = new Set(r.warnings.map((w) => path.basename(w.path)));
  t.deepEqual([...warned].sort(), located.slice(512).map((x) => x.name).sort(), 'only the third job\'s files');
  t.true(r.warnings.every((w) => /cannot be read: short read/.test(w.message)), r.warnings[0]?.message);
  for (const x of located.slice(0, 512)) {
    if (!(await readFile(path.join(target, 'd', x.name))).equals(content[Number(x.name.slice(1))]!)) t.fail(x.name);
  }
});
