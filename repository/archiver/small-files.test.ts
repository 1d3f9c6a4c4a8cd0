import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemStorage } from '../storage/mem-storage.ts';
import { initRepository } from '../repo/open.ts';
import type { Repository } from '../repo/repository.ts';
import { ByteBudget, type Job, type JobRunner } from '../workers/index.ts';
import { CHANGED, SmallFileBatcher, type SmallOutcome } from './small-files.ts';

const KDF = { N: 1024, r: 8, p: 1 };

test('at most maxInFlight batches are at the workers; the rest wait their turn and every file is stored', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'skiff-small-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF, workers: 2 });
  let running = 0;
  let most = 0;
  let jobs = 0;
  const inner = repo.runner;
  const counting: JobRunner = {
    threads: inner.threads,
    run: async <J extends Job>(job: J) => {
      jobs++;
      most = Math.max(most, ++running);
      try {
        return await inner.run(job);
      } finally {
        running--;
      }
    },
  };
  // the repository as the batcher sees it, with a runner that counts jobs in flight
  const view = new Proxy(repo, {
    get: (target, key) => {
      if (key === 'runner') return counting;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Repository;
  const batcher = new SmallFileBatcher(view, new ByteBudget(1 << 30), { outBytes: 64 * 1024, maxFiles: 4, maxInFlight: 2 });
  const files = Array.from({ length: 60 }, (_, i) => {
    const file = path.join(dir, `f${i}`);
    const data = randomBytes(100 + i);
    writeFileSync(file, data);
    return { file, data };
  });
  const outcomes = await Promise.all(
    files.map(
      ({ file, data }) =>
        new Promise<SmallOutcome>((resolve) => {
          void batcher.add(Buffer.from(file), data.length, resolve);
        }),
    ),
  );
  await repo.flush();
  t.is(jobs, 15, 'batches of 4');
  t.is(most, 2, 'never more than two batches at the workers');
  for (const [i, o] of outcomes.entries()) {
    if (o instanceof Error || o === CHANGED) return t.fail(`file ${i}: ${String(o)}`);
    t.is(o.size, files[i]!.data.length);
    t.deepEqual(await repo.loadBlob('data', Buffer.from(o.content[0]!, 'hex')), files[i]!.data);
  }
});
