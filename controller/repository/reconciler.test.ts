import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { API_VERSION, type BackupRepository, type BackupStorageLocation, PLURALS } from '../../crds/index.ts';
import { acquireLock, backup, check, forget, MemStorage } from '../../repository/index.ts';
import { ManualClock, MemSkiffClient, Redacted, silentLogger, type ReconcileContext } from '../runtime/index.ts';
import { RepositoryAccess } from './access.ts';
import { backupRepositoryObject } from './ensure.ts';
import { repositoryName, repositoryPrefix, repositoryUrl, shortName } from './names.ts';
import { backupRepositoryReconciler } from './reconciler.ts';

const HOUR = 3_600_000;

async function setUp(opts: { accessMode?: 'ReadOnly' } = {}) {
  const client = new MemSkiffClient('skiff');
  const bsl: BackupStorageLocation = {
    apiVersion: API_VERSION,
    kind: 'BackupStorageLocation',
    metadata: { name: 'default' },
    spec: { provider: 'aws', objectStorage: { bucket: 'skiff', prefix: 'c1' }, config: { s3Url: 'http://127.0.0.1:9000' }, ...(opts.accessMode === undefined ? {} : { accessMode: opts.accessMode }) },
  };
  await client.create(PLURALS.BackupStorageLocation, bsl);
  const secret = { password: 'correct horse' };
  const storages = new Map<string, MemStorage>();
  const access = new RepositoryAccess({
    client,
    readSecret: async (_ns, name) => (name === 'skiff-repo-credentials' ? { resourceVersion: '1', value: (k: string) => (k === 'repository-password' ? new Redacted(Buffer.from(secret.password)) : undefined) } : undefined),
    storage: (_w, prefix) => {
      let s = storages.get(prefix);
      if (s === undefined) storages.set(prefix, (s = new MemStorage()));
      return s;
    },
    repoOptions: { workers: 0, kdf: { N: 1024, r: 8, p: 1 } },
    settleMs: 0,
  });
  await client.create(PLURALS.BackupRepository, backupRepositoryObject({ volumeNamespace: 'app', backupStorageLocation: 'default', resticIdentifier: 's3:http://127.0.0.1:9000/skiff/c1/fsb/app' }));
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const ctx: ReconcileContext = { client, log: silentLogger(), clock, signal: new AbortController().signal, objectStore: () => Promise.reject(new Error('unused')) };
  const reconciler = backupRepositoryReconciler({ access, lockedRetryMs: 123_000 });
  const reconcile = async () => {
    const cr = await client.get<BackupRepository>(PLURALS.BackupRepository, 'app-default-restic');
    if (cr === undefined) throw new Error('gone');
    return reconciler.reconcile(cr, ctx);
  };
  const get = async () => (await client.get<BackupRepository>(PLURALS.BackupRepository, 'app-default-restic')) as BackupRepository;
  return { client, access, storages, secret, clock, reconcile, get };
}

test('names: the CR, the prefix and the URL of a namespace repository', (t) => {
  t.is(repositoryName('app', 'default'), 'app-default-restic');
  const long = repositoryName('a'.repeat(40), 'b'.repeat(30));
  t.is(long.length, 63);
  t.not(long, repositoryName('a'.repeat(40), `${'b'.repeat(29)}c`));
  t.is(shortName('x'.repeat(63)), 'x'.repeat(63));
  t.is(repositoryPrefix('', 'app'), 'fsb/app');
  t.is(repositoryPrefix('/c1/', 'app'), 'c1/fsb/app');
  t.is(repositoryUrl({ endpoint: 'http://127.0.0.1:9000', bucket: 'skiff', prefix: 'c1' }, 'app'), 's3:http://127.0.0.1:9000/skiff/c1/fsb/app');
  t.is(repositoryUrl({ endpoint: 's3.amazonaws.com', bucket: 'b', prefix: '' }, 'ns'), 's3:s3.amazonaws.com/b/fsb/ns');
});

test('a new repository is initialized, Ready, and pruned on schedule under an injected clock', async (t) => {
  const env = await setUp();
  const first = await env.reconcile();
  const storage = env.storages.get('c1/fsb/app');
  t.truthy(storage, 'repository created under <prefix>/fsb/<namespace>');
  let cr = await env.get();
  t.is(cr.status?.phase, 'Ready');
  t.is(cr.status?.message, undefined);
  t.is(cr.status?.lastMaintenanceTime, '2024-01-01T00:00:00Z', 'never maintained counts as due');
  t.is(cr.status?.recentMaintenance?.length, 1);
  t.is(first?.requeueAfterMs, 168 * HOUR);

  // data that a later prune must remove: a snapshot, then forgotten
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-repo-'));
  try {
    await writeFile(path.join(dir, 'f'), Buffer.alloc(200_000, 7));
    await env.access.withRepository('default', 'app', { create: false }, async ({ repo }) => {
      const r = await backup(repo, { paths: ['.'], cwd: dir });
      await forget(repo, { snapshots: [r.snapshotId] });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const packs = async () => {
    let n = 0;
    for await (const _ of (storage as MemStorage).list('data')) n++;
    return n;
  };
  t.true((await packs()) > 0);

  env.clock.advance(HOUR);
  const early = await env.reconcile();
  t.is(early?.requeueAfterMs, 167 * HOUR, 'not due yet');
  t.true((await packs()) > 0);
  t.is((await env.get()).status?.recentMaintenance?.length, 1);

  env.clock.advance(167 * HOUR);
  await env.reconcile();
  cr = await env.get();
  t.is(cr.status?.lastMaintenanceTime, '2024-01-08T00:00:00Z');
  t.deepEqual(cr.status?.recentMaintenance?.map((m) => m.result), ['Succeeded', 'Succeeded']);
  t.regex(cr.status?.recentMaintenance?.[1]?.message ?? '', /^pruned [1-9]\d* blobs/);
  t.is(cr.status?.recentMaintenance?.[1]?.startTimestamp, '2024-01-08T00:00:00Z');
  t.is(await packs(), 0, 'the prune removed the forgotten data');
  await env.access.withRepository('default', 'app', { create: false }, async ({ repo }) => {
    const res = await check(repo, { readData: true });
    t.deepEqual(res.problems, []);
  });
});

test('a wrong password makes the repository NotReady with the reason; fixing it makes it Ready again', async (t) => {
  const env = await setUp();
  await env.reconcile();
  env.secret.password = 'wrong';
  const r = await env.reconcile();
  let cr = await env.get();
  t.is(cr.status?.phase, 'NotReady');
  t.regex(cr.status?.message ?? '', /wrong password or no key found/);
  t.false((cr.status?.message ?? '').includes('wrong"'));
  t.is(r?.requeueAfterMs, 60_000);
  env.secret.password = 'correct horse';
  await env.reconcile();
  cr = await env.get();
  t.is(cr.status?.phase, 'Ready');
  t.is(cr.status?.message, undefined);
});

test('a missing location is NotReady with its name', async (t) => {
  const env = await setUp();
  await env.client.delete(PLURALS.BackupStorageLocation, 'default');
  await env.reconcile();
  const cr = await env.get();
  t.is(cr.status?.phase, 'NotReady');
  t.is(cr.status?.message, 'backup storage location "default" not found in namespace skiff');
});

test('a repository locked by other work is not a failed maintenance: it is tried again later', async (t) => {
  const env = await setUp();
  env.clock.advance(0);
  await env.access.withRepository('default', 'app', { create: true }, async ({ repo }) => {
    const lock = await acquireLock(repo, { exclusive: false, settleMs: 0 });
    try {
      const r = await env.reconcile();
      t.is(r?.requeueAfterMs, 123_000);
    } finally {
      await lock.release();
    }
  });
  const cr = await env.get();
  t.is(cr.status?.phase, 'Ready');
  t.is(cr.status?.recentMaintenance, undefined);
  t.is(cr.status?.lastMaintenanceTime, undefined);
  await env.reconcile();
  t.is((await env.get()).status?.recentMaintenance?.length, 1);
});

test('a ReadOnly location is never initialized nor pruned', async (t) => {
  const env = await setUp({ accessMode: 'ReadOnly' });
  await env.reconcile();
  const cr = await env.get();
  t.is(cr.status?.phase, 'NotReady');
  t.regex(cr.status?.message ?? '', /no repository at/);
  t.is(env.storages.get('c1/fsb/app')?.constructor, MemStorage);
  let files = 0;
  for await (const _ of (env.storages.get('c1/fsb/app') as MemStorage).list('key')) files++;
  t.is(files, 0);
});
