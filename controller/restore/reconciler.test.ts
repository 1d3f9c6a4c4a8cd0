import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { API_VERSION, type Backup, LABELS, type Restore, type RestoreSpec } from '../../crds/index.ts';
import type { KubeObject } from '../runtime/index.ts';
import { INTERRUPTED_REASON, restoreKeys, restoreReconciler } from './reconciler.ts';
import type { RestoredPod } from './restore-item.ts';
import { FakeCluster } from './testing/fake-cluster.ts';
import { MemObjectStore } from '../objectstore/index.ts';
import { MemSkiffClient, memContext } from './testing/mem-context.ts';
import { backupTarballGz } from './testing/tarball.ts';
import { SOURCE_REQUIRED } from './validate.ts';

function backupCr(name: string, phase: string, extra: { labels?: Record<string, string>; start?: string } = {}): Backup {
  return {
    apiVersion: API_VERSION,
    kind: 'Backup',
    metadata: { name, labels: extra.labels ?? {} },
    spec: { storageLocation: 'default' },
    status: { phase: phase as 'Completed', startTimestamp: extra.start ?? '2024-01-01T00:00:00Z' },
  };
}

function restoreCr(name: string, spec: RestoreSpec): Restore {
  return { apiVersion: API_VERSION, kind: 'Restore', metadata: { name }, spec };
}

const TARBALL = backupTarballGz([
  { groupResource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } } },
  { groupResource: 'configmaps', namespace: 'app', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'app' }, data: { a: '1' } } },
  { groupResource: 'pods', namespace: 'app', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'app' }, spec: { containers: [] } } },
]);

async function setup() {
  const client = new MemSkiffClient();
  const store = new MemObjectStore();
  const cluster = new FakeCluster();
  for (const b of ['b1', 'nightly-1', 'nightly-2']) store.objects.set(`backups/${b}/${b}.tar.gz`, TARBALL);
  await client.create('backups', backupCr('b1', 'Completed'));
  await client.create('backups', backupCr('running', 'InProgress'));
  await client.create('backups', backupCr('nightly-1', 'Completed', { labels: { [LABELS.scheduleName]: 'nightly' }, start: '2024-01-01T00:00:00Z' }));
  await client.create('backups', backupCr('nightly-2', 'Completed', { labels: { [LABELS.scheduleName]: 'nightly' }, start: '2024-01-02T00:00:00Z' }));
  await client.create('backups', backupCr('nightly-3', 'Failed', { labels: { [LABELS.scheduleName]: 'nightly' }, start: '2024-01-03T00:00:00Z' }));
  const ctx = memContext(client, { default: store });
  return { client, store, cluster, ctx };
}

async function reconcileNew(name: string, spec: RestoreSpec, deps: Partial<Parameters<typeof restoreReconciler>[0]> = {}) {
  const env = await setup();
  await env.client.create('restores', restoreCr(name, spec));
  const r = restoreReconciler({ cluster: env.cluster, ...deps });
  await r.reconcile(restoreCr(name, spec), env.ctx);
  const restore = await env.client.get<Restore>('restores', name);
  return { ...env, restore, r };
}

test('a restore from a backup runs to Completed and uploads its log and results', async (t) => {
  let hooked: readonly RestoredPod[] = [];
  const { restore, store, cluster } = await reconcileNew('r1', { backupName: 'b1' }, {
    podVolumeRestores: (_r, pods) => {
      hooked = pods;
      return Promise.resolve();
    },
  });
  t.is(restore?.status?.phase, 'Completed');
  t.deepEqual(restore?.status?.progress, { totalItems: 3, itemsRestored: 3 });
  t.is(restore?.status?.errors, 0);
  t.is(restore?.status?.warnings, 0);
  t.is(restore?.status?.startTimestamp, '2024-05-01T00:00:00Z');
  t.truthy(restore?.status?.completionTimestamp);
  t.is(restore?.metadata.labels?.[LABELS.backupName], 'b1');
  t.truthy(cluster.lookup('', 'configmaps', 'app', 'settings'));
  t.deepEqual(hooked.map((p) => p.name), ['p']);
  const keys = restoreKeys('r1');
  t.deepEqual(JSON.parse(gunzipSync(store.objects.get(keys.results) ?? Buffer.alloc(0)).toString()), { errors: {}, warnings: {} });
  const log = gunzipSync(store.objects.get(keys.logs) ?? Buffer.alloc(0)).toString();
  t.regex(log, /"msg":"restoring 3 items from backup b1"/);
  t.is(keys.logs, 'restores/r1/restore-r1-logs.gz');
  t.is(keys.results, 'restores/r1/restore-r1-results.json.gz');
});

test("a restore from a schedule uses its latest Completed backup", async (t) => {
  const { restore } = await reconcileNew('r2', { scheduleName: 'nightly' });
  t.is(restore?.status?.phase, 'Completed');
  t.is(restore?.metadata.labels?.[LABELS.backupName], 'nightly-2');
});

test('invalid specs end in FailedValidation with a message', async (t) => {
  const cases: [RestoreSpec, RegExp][] = [
    [{ backupName: 'b1', scheduleName: 'nightly' }, new RegExp(SOURCE_REQUIRED)],
    [{}, new RegExp(SOURCE_REQUIRED)],
    [{ backupName: 'missing' }, /backup "missing" not found/],
    [{ backupName: 'running' }, /backup "running" is in phase InProgress; only Completed or PartiallyFailed/],
    [{ scheduleName: 'weekly' }, /no completed backups found for schedule "weekly"/],
    [{ backupName: 'b1', existingResourcePolicy: 'overwrite' as 'none' }, /invalid existingResourcePolicy/],
  ];
  for (const [spec, re] of cases) {
    const { restore, cluster } = await reconcileNew('bad', spec);
    t.is(restore?.status?.phase, 'FailedValidation', JSON.stringify(spec));
    t.regex(restore?.status?.validationErrors?.join('; ') ?? '', re);
    t.deepEqual(cluster.calls, []);
  }
});

test('item errors make it PartiallyFailed; a missing tarball makes it Failed', async (t) => {
  const env = await setup();
  env.cluster.failCreate.add('configmaps/settings');
  await env.client.create('restores', restoreCr('r3', { backupName: 'b1' }));
  await restoreReconciler({ cluster: env.cluster }).reconcile(restoreCr('r3', { backupName: 'b1' }), env.ctx);
  const r3 = await env.client.get<Restore>('restores', 'r3');
  t.is(r3?.status?.phase, 'PartiallyFailed');
  t.is(r3?.status?.errors, 1);

  env.store.objects.delete('backups/b1/b1.tar.gz');
  await env.client.create('restores', restoreCr('r4', { backupName: 'b1' }));
  await restoreReconciler({ cluster: env.cluster }).reconcile(restoreCr('r4', { backupName: 'b1' }), env.ctx);
  const r4 = await env.client.get<Restore>('restores', 'r4');
  t.is(r4?.status?.phase, 'Failed');
  t.regex(r4?.status?.failureReason ?? '', /cannot read backups\/b1\/b1.tar.gz from mem:\/\/bucket\/prefix: .*not found/);
  t.true(env.store.objects.has(restoreKeys('r4').logs), 'the log is uploaded even when the restore failed');
});

test('an InProgress restore left by another process is marked Failed; terminal ones are left alone', async (t) => {
  const env = await setup();
  const stuck: Restore = { ...restoreCr('stuck', { backupName: 'b1' }), status: { phase: 'InProgress' } };
  await env.client.create('restores', stuck);
  const r = restoreReconciler({ cluster: env.cluster });
  await r.reconcile(stuck, env.ctx);
  const after = await env.client.get<Restore>('restores', 'stuck');
  t.is(after?.status?.phase, 'Failed');
  t.is(after?.status?.failureReason, INTERRUPTED_REASON);
  await r.reconcile(stuck, env.ctx);
  t.is((await env.client.get<Restore>('restores', 'stuck'))?.status?.phase, 'Failed');
  t.deepEqual(env.cluster.calls, []);
});

test('a final status that could not be written is written on the next reconcile, not taken for an interruption', async (t) => {
  const env = await setup();
  await env.client.create('restores', restoreCr('r5', { backupName: 'b1' }));
  const realPatchStatus = env.client.patchStatus.bind(env.client);
  let failFinal = true;
  env.client.patchStatus = async <T extends KubeObject>(plural: string, name: string, status: object): Promise<T> => {
    if (failFinal && 'completionTimestamp' in status) {
      failFinal = false;
      throw new Error('connection reset');
    }
    return realPatchStatus<T>(plural, name, status);
  };
  const r = restoreReconciler({ cluster: env.cluster });
  await t.throwsAsync(r.reconcile(restoreCr('r5', { backupName: 'b1' }), env.ctx), { message: 'connection reset' });
  t.is((await env.client.get<Restore>('restores', 'r5'))?.status?.phase, 'InProgress');
  await r.reconcile(restoreCr('r5', { backupName: 'b1' }), env.ctx);
  t.is((await env.client.get<Restore>('restores', 'r5'))?.status?.phase, 'Completed');
});
