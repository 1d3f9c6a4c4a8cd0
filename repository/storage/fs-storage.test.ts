import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { FsStorage } from './fs-storage.ts';
import { randomId, runStorageContract } from './storage.contract.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'skiff-fs-storage-'));
}

runStorageContract(
  'fs',
  async () => {
    const dir = await tempDir();
    const storage = new FsStorage(path.join(dir, 'repo'));
    return {
      storage,
      putRaw: async (rel, data) => {
        const file = path.join(dir, 'repo', rel);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, data);
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
  { large: true },
);

test('fs: create makes restic\'s directories with mode 0700, files are 0400', async (t) => {
  const dir = await tempDir();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const repo = path.join(dir, 'repo');
  const s = new FsStorage(repo);
  await s.create();
  t.deepEqual((await readdir(repo)).sort(), ['data', 'index', 'keys', 'locks', 'snapshots']);
  const subdirs = await readdir(path.join(repo, 'data'));
  t.is(subdirs.length, 256);
  t.true(subdirs.includes('00') && subdirs.includes('ff') && subdirs.includes('a7'));
  t.is((await stat(repo)).mode & 0o777, 0o700);
  t.is((await stat(path.join(repo, 'data', '3c'))).mode & 0o777, 0o700);

  const id = randomId('3c');
  await s.save({ type: 'data', name: id }, Buffer.from('pack bytes'));
  await s.save({ type: 'config', name: '' }, Buffer.from('config bytes'));
  t.is((await stat(path.join(repo, 'data', '3c', id))).mode & 0o777, 0o400);
  t.is((await stat(path.join(repo, 'config'))).mode & 0o777, 0o400);
  t.deepEqual(await readdir(path.join(repo, 'data', '3c')), [id], 'no temp file left behind');
});

test('fs: a missing repository directory reads as NotFound and lists as empty', async (t) => {
  const dir = await tempDir();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const s = new FsStorage(path.join(dir, 'nothing-here'));
  const err = await t.throwsAsync(s.load({ type: 'config', name: '' }), { instanceOf: SkiffError });
  t.is(err?.code, 'NotFound');
  t.true(err?.message.includes('config'), err?.message);
  const listed = [];
  for await (const x of s.list('data')) listed.push(x);
  t.deepEqual(listed, []);
});

test('fs: save creates missing directories; overwrite replaces a read-only lock; remove works on 0400 files', async (t) => {
  const dir = await tempDir();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const s = new FsStorage(path.join(dir, 'repo'));
  const lock = { type: 'lock' as const, name: randomId() };
  await s.save(lock, Buffer.from('v1'));
  await s.save(lock, Buffer.from('v2'), { overwrite: true });
  t.is((await s.load(lock)).toString(), 'v2');
  t.is((await stat(path.join(dir, 'repo', 'locks', lock.name))).mode & 0o777, 0o400);
  await s.remove(lock);
  t.deepEqual(await readdir(path.join(dir, 'repo', 'locks')), []);
});

test('fs: a refused save leaves no temp file and keeps the original', async (t) => {
  const dir = await tempDir();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const s = new FsStorage(dir);
  const h = { type: 'snapshot' as const, name: randomId() };
  await s.save(h, Buffer.from('one'));
  const err = await t.throwsAsync(s.save(h, Buffer.from('two')), { instanceOf: SkiffError });
  t.is(err?.code, 'Conflict');
  t.deepEqual(await readdir(path.join(dir, 'snapshots')), [h.name]);
  t.is((await s.load(h)).toString(), 'one');
});

test('fs: location is the absolute path', (t) => {
  t.is(new FsStorage('rel/repo').location, path.resolve('rel/repo'));
});
