import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chunkBuffer, makeChunkerParams } from '../chunker/index.ts';
import { MemStorage } from '../storage/mem-storage.ts';
import { initRepository, openRepository } from '../repo/open.ts';
import { FileSaver } from './file-saver.ts';

const KDF = { N: 1024, r: 8, p: 1 };
// small chunks, so a few MiB cross many read blocks
const params = makeChunkerParams(Buffer.alloc(32, 7), { min: 16 * 1024, avg: 32 * 1024, max: 128 * 1024 });

const cases: [string, Buffer, number | undefined][] = [
  ['random, many blocks', randomBytes(3 * 1024 * 1024 + 123), undefined],
  ['zeros: max-size chunks only', Buffer.alloc(1024 * 1024), undefined],
  ['exactly one max chunk', randomBytes(128 * 1024), undefined],
  ['size hint far too small (the file grew)', randomBytes(900 * 1024), 10],
  ['small file that grew since lstat', randomBytes(9000), 100],
  ['small file that shrank since lstat', randomBytes(100), 9000],
  ['empty', Buffer.alloc(0), undefined],
  ['text, compressible', Buffer.from('backup and restore, again and again\n'.repeat(20_000)), undefined],
];

// blocks of `max` bytes, and blocks smaller than a chunk can be (they grow to find a cut)
for (const [workers, blockBytes] of [[0, params.max], [2, params.max], [0, 40 * 1024], [2, 24 * 1024]] as const) {
  test(`files are stored as FastCDC would cut them and read back whole (workers: ${workers}, blocks: ${blockBytes / 1024} KiB)`, async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'skiff-saver-'));
    const storage = new MemStorage();
    try {
      const repo = await initRepository(storage, 'pw', { kdf: KDF, workers, packSize: 4 * 1024 * 1024 });
      const saver = new FileSaver(repo, params, { budgetBytes: 3 * params.max, blockBytes });
      const saved = await Promise.all(
        cases.map(async ([name, data, hint], i) => {
          const file = path.join(dir, `f${i}`);
          writeFileSync(file, data);
          return { name, data, saved: await saver.save(Buffer.from(file), hint ?? data.length) };
        }),
      );
      await repo.flush();
      const again = await openRepository(storage, 'pw', { workers: 0 });
      await again.loadIndex();
      for (const { name, data, saved: s } of saved) {
        t.is(s.size, data.length, name);
        t.deepEqual(s.content.length, chunkBuffer(params, data).length, `${name}: chunk count`);
        const parts = await Promise.all(s.content.map((id) => again.loadBlob('data', Buffer.from(id, 'hex'))));
        t.deepEqual(Buffer.concat(parts), data, name);
      }
      // a second save of the same data adds nothing
      const dup = await saver.save(Buffer.from(path.join(dir, 'f0')), cases[0]![1].length);
      t.is(dup.newBlobs, 0);
      t.is(dup.addedBytes, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
