/**
 * Flaky storage: with 5% of storage requests failing (injected in the storage layer, and over
 * HTTP by a proxy in front of the S3 server that resets connections, cuts bodies, delays and
 * answers 500/503), backups and restores complete through retries and the repository checks
 * clean. Permanent errors (bad credentials, missing bucket) fail fast with a clear message.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemStorage, backup, check, initRepository, openRepository, resolveSnapshot, restoreTree } from '../../repository/index.ts';
import { FaultStorage } from '../../repository/storage/fault-storage.ts';
import { RetryStorage } from '../../repository/storage/retry-storage.ts';
import { S3Storage } from '../../repository/storage/s3-storage.ts';
import { compareTrees } from '../../cli/demo/compare-trees.ts';
import { makeOddTree } from '../support/odd-tree.ts';
import { startS3Server, type EmbeddedS3 } from '../support/s3-server.ts';
import { startFlakyProxy } from '../support/flaky-proxy.ts';

const KDF = { N: 1024, r: 8, p: 1 };
let work: string;
let src: string;
let s3: EmbeddedS3;

test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skiff-faults-'));
  src = path.join(work, 'src');
  await makeOddTree(src, { bigFile: 24 * 1024 * 1024, crowded: 400 });
  s3 = await startS3Server({ buckets: ['flaky'] });
});
test.after.always(async () => {
  await s3?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function roundTrip(t: import('ava').ExecutionContext, storage: import('../../repository/index.ts').Storage, name: string): Promise<void> {
  const repo = await initRepository(storage, 'pw', { kdf: KDF, packSize: 4 * 1024 * 1024 });
  const res = await backup(repo, { paths: ['.'], cwd: src });
  t.deepEqual(res.warnings, []);
  const again = await openRepository(storage, 'pw');
  await again.loadIndex();
  const sn = await resolveSnapshot(again, 'latest');
  const target = path.join(work, name);
  t.deepEqual((await restoreTree(again, sn.snapshot.tree, { target })).warnings, []);
  t.deepEqual((await compareTrees(src, target)).diffs, []);
  t.deepEqual((await check(again, { readData: true })).problems, []);
}

test('5% failing storage calls (some after the work was done): backup, restore and check succeed', async (t) => {
  const inner = new MemStorage();
  const faulty = new FaultStorage(inner, { failRate: 0.05, seed: 7, lostResponses: true });
  const storage = new RetryStorage(faulty, { attempts: 8, baseDelayMs: 1, maxDelayMs: 5 });
  await roundTrip(t, storage, 'mem-target');
  t.true(faulty.faults > 5, `only ${faulty.faults} faults injected`);
  t.log(`${faulty.faults} storage faults injected and survived`);
});

test('S3 through a proxy that resets, cuts, delays and answers 500/503 on 5% of requests', async (t) => {
  const proxy = await startFlakyProxy({ upstream: s3.endpoint, failRate: 0.05, seed: 3 });
  try {
    const storage = new S3Storage({
      endpoint: proxy.endpoint,
      bucket: 'flaky',
      prefix: 'repo',
      forcePathStyle: true,
      region: s3.region,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      retry: { attempts: 8, baseDelayMs: 5, maxDelayMs: 50 },
    });
    await roundTrip(t, storage, 's3-target');
    const faults = proxy.stats.resets + proxy.stats.midBody + proxy.stats.errors5xx + proxy.stats.delays;
    t.true(faults > 5, `only ${faults} faults in ${proxy.stats.requests} requests`);
    t.log(`proxy: ${JSON.stringify(proxy.stats)}`);
  } finally {
    await proxy.stop();
  }
});

test('permanent errors fail fast with a clear message: unknown access key, missing bucket', async (t) => {
  const started = Date.now();
  const badKey = new S3Storage({
    endpoint: s3.endpoint,
    bucket: 'flaky',
    prefix: 'x',
    forcePathStyle: true,
    region: s3.region,
    credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'super-secret-value' },
  });
  const e1 = await t.throwsAsync(openRepository(badKey, 'pw'));
  t.regex(e1!.message, /denied|credentials|access key|forbidden/i);
  t.notRegex(e1!.message, /super-secret-value/);
  const noBucket = new S3Storage({
    endpoint: s3.endpoint,
    bucket: 'no-such-bucket',
    prefix: 'x',
    forcePathStyle: true,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const e2 = await t.throwsAsync(openRepository(noBucket, 'pw'));
  t.regex(e2!.message, /no-such-bucket/);
  t.true(Date.now() - started < 5000, `took ${Date.now() - started} ms: permanent errors must not be retried`);
});
