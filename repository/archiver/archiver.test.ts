/**
 * The walk's file paths against a real directory tree: small files in worker batches (with and
 * without workers, with one file at a time and many), large files through the chunker, empty
 * files, nested directories; what is stored restores byte for byte, and a second backup with
 * the parent reads nothing. Cancelling stops the walk with Cancelled and writes no snapshot.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isCode } from '../errors/errors.ts';
import { MemStorage } from '../storage/mem-storage.ts';
import { initRepository } from '../repo/open.ts';
import { restoreTree } from '../restorer/restorer.ts';
import { listSnapshots } from '../snapshot/snapshots.ts';
import { backup } from './archiver.ts';

const KDF = { N: 1024, r: 8, p: 1 };

const bytes = (seed: string, n: number) => {
  const out = Buffer.alloc(n);
  for (let at = 0, i = 0; at < n; i++) at += createHash('sha256').update(`${seed}/${i}`).digest().copy(out, at);
  return out;
};

/** 3 directories of 150 files (every 10th empty, text of varied sizes), two large files, one nested level */
async function makeTree(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const d of ['a', 'b', 'c/deeper']) {
    await mkdir(path.join(root, d), { recursive: true });
    for (let i = 0; i < 150; i++) {
      const data = i % 10 === 0 ? Buffer.alloc(0) : Buffer.from(`${d} file ${i}\n`.repeat(1 + ((i * 37) % 200)));
      files.set(`${d}/f${i}.txt`, data);
    }
  }
  files.set('a/large.bin', bytes('large', 700_000));
  files.set('c/large.bin', bytes('other', 300_000));
  for (const [p, data] of files) await writeFile(path.join(root, p), data);
  return files;
}

async function readTree(root: string, dir = ''): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of await readTree(root, rel)) out.set(k, v);
    else out.set(rel, await readFile(path.join(root, rel)));
  }
  return out;
}

/** path → size and SHA-256, sorted by path (short diffs) */
const digest = (files: Map<string, Buffer>) =>
  [...files].map(([p, b]) => `${p} ${b.length} ${createHash('sha256').update(b).digest('hex').slice(0, 16)}`).sort();

for (const [workers, fileConcurrency] of [[0, 1], [2, 1], [2, undefined], [0, undefined]] as const) {
  test(`small and large files store and restore byte for byte (workers: ${workers}, files at once: ${fileConcurrency ?? 'default'})`, async (t) => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'skiff-archiver-'));
    try {
      const src = path.join(work, 'src');
      const files = await makeTree(src);
      const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF, workers });
      let lastProgress = { filesDone: 0, bytesDone: 0, current: '' };
      const first = await backup(repo, {
        paths: ['.'],
        cwd: src,
        ...(fileConcurrency ? { fileConcurrency } : {}),
        onProgress: (p) => (lastProgress = { filesDone: p.filesDone, bytesDone: p.bytesDone, current: p.current }),
      });
      t.deepEqual(first.warnings, []);
      t.is(first.stats.filesNew, files.size);
      t.is(first.stats.totalFilesProcessed, files.size);
      const total = [...files.values()].reduce((n, b) => n + b.length, 0);
      t.is(first.stats.totalBytesProcessed, total);
      t.is(lastProgress.bytesDone, total);
      t.is(lastProgress.filesDone, files.size, 'the last report counts the last file');
      t.true(lastProgress.current.startsWith(src), lastProgress.current);
      // every blob counted once: 405 distinct small texts, the large files' chunks, the trees
      t.true(first.stats.dataBlobs >= 405 + 2, String(first.stats.dataBlobs));
      t.is(repo.index.size, first.stats.dataBlobs + first.stats.treeBlobs);

      const target = path.join(work, 'restored');
      await restoreTree(repo, first.snapshot.tree, { target });
      t.deepEqual(digest(await readTree(target)), digest(files));

      const second = await backup(repo, { paths: ['.'], cwd: src });
      t.is(second.parentId, first.snapshotId);
      t.is(second.stats.filesUnmodified, files.size);
      t.is(second.stats.dataBlobs, 0);
      t.is(second.snapshot.tree, first.snapshot.tree, 'same content, same tree');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
}

test('cancelling a backup stops it with Cancelled and writes no snapshot, also after its last file was stored', async (t) => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'skiff-archiver-'));
  try {
    const src = path.join(work, 'src');
    const files = await makeTree(src);
    const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF, workers: 2 });
    // mid-walk, and once every file is stored (only the trees and the snapshot are left)
    for (const after of [20, files.size]) {
      const stop = new AbortController();
      const err = await t.throwsAsync(
        backup(repo, { paths: ['.'], cwd: src, signal: stop.signal, onProgress: (p) => p.filesDone >= after && stop.abort() }),
      );
      t.true(isCode(err, 'Cancelled'), `after ${after} files: ${String(err)}`);
      t.deepEqual(await listSnapshots(repo), []);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
