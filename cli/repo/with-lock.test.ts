import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemStorage, acquireLock, backup, initRepository, openRepository } from '../../repository/index.ts';
import { setLockWait, withLock } from './with-lock.ts';

const KDF = { N: 1024, r: 8, p: 1 };

test('the index loads while the lock settles, and again when the lock had to wait for another (a prune may have changed it)', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-withlock-'));
  try {
    await writeFile(path.join(dir, 'f'), 'some data\n');
    const storage = new MemStorage();
    const writer = await initRepository(storage, 'pw', { kdf: KDF });
    await backup(writer, { paths: ['f'], cwd: dir });
    const indexFiles = [];
    for await (const f of storage.list('index')) indexFiles.push(f.name);
    t.is(indexFiles.length, 1);

    // no other lock: one load, alongside the lock
    const repo = await openRepository(storage, 'pw');
    t.true((await withLock(repo, false, async () => repo.index.size, { loadIndex: true })) > 0);

    // an exclusive holder (think prune) replaces the index while we wait for our lock
    const prune = await acquireLock(writer, { exclusive: true, settleMs: 0 });
    const waiting = await openRepository(storage, 'pw');
    setLockWait('20s');
    const seen = withLock(waiting, false, async () => waiting.index.size, { loadIndex: true });
    await sleep(300); // the first load has read the old index by now
    await storage.remove({ type: 'index', name: indexFiles[0]! });
    await prune.release();
    t.is(await seen, 0, 'the index was loaded again after the wait');
  } finally {
    setLockWait('0s');
    await rm(dir, { recursive: true, force: true });
  }
});
