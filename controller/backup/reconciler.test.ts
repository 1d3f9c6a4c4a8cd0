import test from 'ava';
import { type Backup, type BackupStorageLocation, PLURALS } from '../../crds/index.ts';
import { backupReconciler } from './reconciler.ts';
import { INTERRUPTED_REASON, recoverInterrupted } from './recover.ts';
import { backupKeys, gunzipJson } from './storage-keys.ts';
import { createBackup, fixture, gunzipText, tarEntries } from './testing/setup.ts';

async function status(f: Awaited<ReturnType<typeof fixture>>, name: string): Promise<Backup> {
  const b = await f.client.get<Backup>(PLURALS.Backup, name);
  if (b === undefined) throw new Error(`backup ${name} vanished`);
  return b;
}

test('New → Completed: tarball, resource list, results, logs and metadata last; status, labels and defaults', async (t) => {
  const f = await fixture();
  const order: string[] = [];
  const put = f.store.put.bind(f.store);
  f.store.put = async (key, body, o) => {
    order.push(key);
    return put(key, body, o);
  };
  const created = await createBackup(f, 'b1', { includedNamespaces: ['app'] });
  await backupReconciler({ clusterReader: f.cluster }).reconcile(created, f.ctx);

  const b = await status(f, 'b1');
  t.is(b.status?.phase, 'Completed');
  t.is(b.status?.startTimestamp, '2024-05-01T12:00:00Z');
  t.is(b.status?.expiration, '2024-05-31T12:00:00Z', 'start + 720h');
  t.is(b.status?.formatVersion, '1.1.0');
  t.deepEqual(b.status?.progress, { totalItems: 7, itemsBackedUp: 7 });
  t.is(b.status?.errors, 0);
  t.is(b.spec.storageLocation, 'primary');
  t.is(b.spec.ttl, '720h0m0s');
  t.is(b.metadata.labels?.['skiff.dev/storage-location'], 'primary');

  const k = backupKeys('b1');
  t.deepEqual(order, [k.contents, k.resourceList, k.results, k.logs, k.metadata]);
  const meta = JSON.parse(f.store.objects.get(k.metadata)?.toString() ?? '{}') as Backup;
  t.is(meta.metadata.uid, created.metadata.uid);
  t.is(meta.status?.phase, 'Completed');
  const files = [...(await tarEntries(f.store.objects.get(k.contents) ?? Buffer.alloc(0))).keys()].filter((p) => !p.includes('preferredversion'));
  t.deepEqual(files, [
    'metadata/version',
    'resources/pods/namespaces/app/web-1.json',
    'resources/configmaps/namespaces/app/cfg.json',
    'resources/secrets/namespaces/app/s.json',
    'resources/deployments.apps/namespaces/app/web.json',
    'resources/widgets.example.com/namespaces/app/w1.json',
    'resources/namespaces/cluster/app.json',
    'resources/customresourcedefinitions.apiextensions.k8s.io/cluster/widgets.example.com.json',
  ]);
  t.deepEqual(gunzipJson(f.store.objects.get(k.resourceList) ?? Buffer.alloc(0)), {
    'apiextensions.k8s.io/v1/CustomResourceDefinition': ['widgets.example.com'],
    'apps/v1/Deployment': ['app/web'],
    'example.com/v1/Widget': ['app/w1'],
    'v1/ConfigMap': ['app/cfg'],
    'v1/Namespace': ['app'],
    'v1/Pod': ['app/web-1'],
    'v1/Secret': ['app/s'],
  });
  t.deepEqual(gunzipJson(f.store.objects.get(k.results) ?? Buffer.alloc(0)), { errors: {}, warnings: {} });
  const logLines = gunzipText(f.store.objects.get(k.logs)).trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: string });
  t.true(logLines.some((l) => l.msg === 'backup completed'));
  t.true(logLines.some((l) => l.msg === 'namespaces in scope: app'));
});

test('ttl from the spec gives the expiration; zero means the default', async (t) => {
  const f = await fixture();
  const r = backupReconciler({ clusterReader: f.cluster, defaultTtl: '48h' });
  await r.reconcile(await createBackup(f, 'short', { ttl: '1h30m' }), f.ctx);
  t.is((await status(f, 'short')).status?.expiration, '2024-05-01T13:30:00Z');
  await r.reconcile(await createBackup(f, 'zero', { ttl: '0s' }), f.ctx);
  const z = await status(f, 'zero');
  t.is(z.status?.expiration, '2024-05-03T12:00:00Z');
  t.is(z.spec.ttl, '48h');
});

test('invalid specs end in FailedValidation with reasons and write nothing', async (t) => {
  const f = await fixture();
  const r = backupReconciler({ clusterReader: f.cluster });
  await r.reconcile(await createBackup(f, 'nowhere', { storageLocation: 'missing' }), f.ctx);
  let b = await status(f, 'nowhere');
  t.is(b.status?.phase, 'FailedValidation');
  t.deepEqual(b.status?.validationErrors, ['backup storage location "missing" not found']);
  await r.reconcile(await createBackup(f, 'both', { labelSelector: { matchLabels: { a: 'b' } }, orLabelSelectors: [{ matchLabels: { c: 'd' } }] }), f.ctx);
  b = await status(f, 'both');
  t.deepEqual(b.status?.validationErrors, ['labelSelector and orLabelSelectors cannot both be set']);
  t.is(f.store.objects.size, 0);
  await f.client.patch<BackupStorageLocation>(PLURALS.BackupStorageLocation, 'primary', { spec: { accessMode: 'ReadOnly' } });
  await r.reconcile(await createBackup(f, 'ro', {}), f.ctx);
  t.regex((await status(f, 'ro')).status?.validationErrors?.[0] ?? '', /"primary" is read-only/);
});

test('unreachable storage: Failed with the reason, nothing written', async (t) => {
  const f = await fixture();
  f.store.unreachable = new Error('connect ECONNREFUSED 127.0.0.1:1');
  await backupReconciler({ clusterReader: f.cluster }).reconcile(await createBackup(f, 'b', {}), f.ctx);
  const b = await status(f, 'b');
  t.is(b.status?.phase, 'Failed');
  t.is(b.status?.failureReason, 'backup storage location "primary" is unreachable: connect ECONNREFUSED 127.0.0.1:1');
  f.store.unreachable = undefined;
  t.is(f.store.objects.size, 0);
});

test('an upload failing mid-stream fails the backup and removes what was written', async (t) => {
  const f = await fixture();
  const many = Array.from({ length: 300 }, (_, i) => ({ metadata: { name: `cm-${i}`, namespace: 'app' }, data: { v: 'x'.repeat(500 + i) } }));
  f.cluster.objects.set('configmaps', many);
  f.store.failStreamAfter = 2000;
  await f.store.put('backups/b/stray-part', Buffer.from('x'));
  await backupReconciler({ clusterReader: f.cluster }).reconcile(await createBackup(f, 'b', {}), f.ctx);
  const b = await status(f, 'b');
  t.is(b.status?.phase, 'Failed');
  t.regex(b.status?.failureReason ?? '', /^writing to backup storage location "primary" failed: connection reset during upload/);
  t.deepEqual([...f.store.objects.keys()], []);
});

test('item errors make it PartiallyFailed, recorded in the results by namespace', async (t) => {
  const f = await fixture();
  f.cluster.failing.add('secrets');
  await backupReconciler({ clusterReader: f.cluster }).reconcile(await createBackup(f, 'b', { includedNamespaces: ['app'] }), f.ctx);
  const b = await status(f, 'b');
  t.is(b.status?.phase, 'PartiallyFailed');
  t.is(b.status?.errors, 1);
  t.deepEqual(gunzipJson(f.store.objects.get(backupKeys('b').results) ?? Buffer.alloc(0)), {
    errors: { namespaces: { app: ['listing secrets in namespace app failed: GET secrets: forbidden'] } },
    warnings: {},
  });
});

test('a backup already in storage is not overwritten', async (t) => {
  const f = await fixture();
  const k = backupKeys('b');
  await f.store.put(k.metadata, Buffer.from('{"other":true}'));
  await backupReconciler({ clusterReader: f.cluster }).reconcile(await createBackup(f, 'b', {}), f.ctx);
  const b = await status(f, 'b');
  t.is(b.status?.phase, 'Failed');
  t.is(b.status?.failureReason, 'backup "b" already exists in backup storage location "primary"');
  t.is(f.store.objects.get(k.metadata)?.toString(), '{"other":true}');
});

test('the pod volume hook gets the backed-up pods before the metadata is written; its errors count', async (t) => {
  const f = await fixture();
  const calls: string[][] = [];
  const hook = async (_b: Backup, pods: readonly { namespace: string; name: string }[]) => {
    calls.push(pods.map((p) => `${p.namespace}/${p.name}`));
    t.false(f.store.objects.has(backupKeys('b').metadata));
    t.true(f.store.objects.has(backupKeys('b').contents));
    return { errors: ['volume data of app/web-1 failed'], warnings: [] };
  };
  await backupReconciler({ clusterReader: f.cluster, podVolumeBackups: hook }).reconcile(await createBackup(f, 'b', { includedNamespaces: ['app'] }), f.ctx);
  t.deepEqual(calls, [['app/web-1']]);
  t.is((await status(f, 'b')).status?.phase, 'PartiallyFailed');
});

test('progress is patched while running', async (t) => {
  const f = await fixture();
  await backupReconciler({ clusterReader: f.cluster, progressIntervalMs: 0 }).reconcile(await createBackup(f, 'b', { includedNamespaces: ['app'] }), f.ctx);
  const progress = f.client.statusPatches.filter((p) => Object.keys(p.status).join() === 'progress').map((p) => (p.status as { progress: { itemsBackedUp: number } }).progress.itemsBackedUp);
  t.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7]);
});

test('terminal phases are left alone, even when the cached copy still says New', async (t) => {
  const f = await fixture();
  const r = backupReconciler({ clusterReader: f.cluster });
  const created = await createBackup(f, 'b', {});
  await r.reconcile(created, f.ctx);
  const writes = f.store.objects.size;
  const patches = f.client.statusPatches.length;
  await r.reconcile(created, f.ctx);
  t.is(f.client.statusPatches.length, patches);
  t.is(f.store.objects.size, writes);
});

test('interrupted backups: partial objects removed and Failed; a fully written one adopts its stored status', async (t) => {
  const f = await fixture();
  const partial = await createBackup(f, 'partial', {});
  await f.client.patch(PLURALS.Backup, 'partial', { spec: { storageLocation: 'primary' } });
  await f.client.patchStatus(PLURALS.Backup, 'partial', { phase: 'InProgress' });
  await f.store.put(backupKeys('partial').contents, Buffer.from('half'));
  const done = await createBackup(f, 'done', { storageLocation: 'primary' });
  await f.client.patchStatus(PLURALS.Backup, 'done', { phase: 'InProgress' });
  await f.store.put(backupKeys('done').metadata, Buffer.from(JSON.stringify({ ...done, status: { phase: 'Completed', errors: 0 } })));
  await createBackup(f, 'fine', {});

  t.is(await recoverInterrupted(f.ctx), 2);
  const p = await status(f, 'partial');
  t.is(p.status?.phase, 'Failed');
  t.is(p.status?.failureReason, INTERRUPTED_REASON);
  t.false(f.store.objects.has(backupKeys('partial').contents));
  t.is((await status(f, 'done')).status?.phase, 'Completed');
  t.true(f.store.objects.has(backupKeys('done').metadata));
  t.is(await recoverInterrupted(f.ctx), 0, 'idempotent');

  // the reconciler settles an InProgress backup it is not running the same way
  await createBackup(f, 'stuck', { storageLocation: 'primary' });
  await f.client.patchStatus(PLURALS.Backup, 'stuck', { phase: 'InProgress' });
  await backupReconciler({ clusterReader: f.cluster }).reconcile(await status(f, 'stuck'), f.ctx);
  t.is((await status(f, 'stuck')).status?.failureReason, INTERRUPTED_REASON);
});

test('collection failing (discovery down) fails the backup and aborts the upload', async (t) => {
  const f = await fixture();
  f.cluster.discover = async () => {
    throw new Error('GET /apis: cannot reach the API server');
  };
  await backupReconciler({ clusterReader: f.cluster }).reconcile(await createBackup(f, 'b', {}), f.ctx);
  const b = await status(f, 'b');
  t.is(b.status?.phase, 'Failed');
  t.is(b.status?.failureReason, 'collecting resources failed: GET /apis: cannot reach the API server');
  t.is(f.store.objects.size, 0);
});

test('the server stopping mid-backup fails it and removes the partial objects', async (t) => {
  const f = await fixture();
  const ac = new AbortController();
  const list = f.cluster.list.bind(f.cluster);
  f.cluster.list = (r, o) => {
    if (r.name === 'secrets') ac.abort(new Error('shutting down'));
    return list(r, o);
  };
  await backupReconciler({ clusterReader: f.cluster }).reconcile(await createBackup(f, 'b', {}), { ...f.ctx, signal: ac.signal });
  const b = await status(f, 'b');
  t.is(b.status?.phase, 'Failed');
  t.is(b.status?.failureReason, 'the server stopped while the backup was in progress');
  t.is(f.store.objects.size, 0);
});
