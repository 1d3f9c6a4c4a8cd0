import test from 'ava';
import type { Backup, BackupStorageLocation } from '../../crds/index.ts';
import { backupCr, bslCr, put } from '../schedule/testing/builders.ts';
import { memoryLogger } from '../runtime/index.ts';
import { testContext } from '../schedule/testing/context.ts';
import { FakeClock } from '../schedule/testing/fake-clock.ts';
import { MemClient } from '../schedule/testing/mem-client.ts';
import { MemObjectStore } from '../objectstore/index.ts';
import { createSyncReconciler } from './sync-reconciler.ts';

function storedBackup(name: string, phase: string, extra: object = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      apiVersion: 'skiff.dev/v1',
      kind: 'Backup',
      metadata: {
        name,
        namespace: 'elsewhere',
        uid: 'old-uid',
        resourceVersion: '77',
        labels: { 'skiff.dev/schedule-name': 'nightly' },
        ownerReferences: [{ apiVersion: 'skiff.dev/v1', kind: 'Schedule', name: 'nightly', uid: 'x' }],
      },
      spec: { includedNamespaces: ['app'], storageLocation: 'other-name' },
      status: { phase, expiration: '2024-06-01T00:00:00Z', progress: { totalItems: 3, itemsBackedUp: 3 } },
      ...extra,
    }),
  );
}

async function setup(bsl: BackupStorageLocation = bslCr('primary')) {
  const clock = new FakeClock('2024-05-01T12:00:00Z');
  const client = new MemClient({ clock });
  const store = new MemObjectStore();
  const { log, entries } = memoryLogger();
  const ctx = testContext({ client, clock, log, stores: { primary: store } });
  const sync = createSyncReconciler();
  await put(client, bsl);
  const run = async () => sync.reconcile((await client.get<BackupStorageLocation>('backupstoragelocations', 'primary'))!, ctx);
  return { clock, client, store, entries, run };
}

test('a backup only in storage appears in the cluster with its stored status', async (t) => {
  const s = await setup();
  s.store.objects.set('backups/b1/skiff-backup.json', storedBackup('b1', 'Completed'));
  s.store.objects.set('backups/b1/b1.tar.gz', Buffer.from('tar'));
  t.deepEqual(await s.run(), { requeueAfterMs: 60_000 });
  const b = (await s.client.get<Backup>('backups', 'b1'))!;
  t.deepEqual(b.spec, { includedNamespaces: ['app'], storageLocation: 'primary' });
  t.deepEqual(b.status, { phase: 'Completed', expiration: '2024-06-01T00:00:00Z', progress: { totalItems: 3, itemsBackedUp: 3 } });
  t.deepEqual(b.metadata.labels, { 'skiff.dev/schedule-name': 'nightly', 'skiff.dev/storage-location': 'primary' });
  t.deepEqual(b.metadata.annotations, { 'skiff.dev/synced-from-storage': 'primary' });
  t.is(b.metadata.ownerReferences, undefined);
  t.not(b.metadata.uid, 'old-uid');
  const bsl = await s.client.get<BackupStorageLocation>('backupstoragelocations', 'primary');
  t.is(bsl?.status?.lastSyncedTime, '2024-05-01T12:00:00Z');
});

test('incomplete, unfinished and unreadable stored backups are left out', async (t) => {
  const s = await setup();
  s.store.objects.set('backups/partial/partial.tar.gz', Buffer.from('tar'));
  s.store.objects.set('backups/running/skiff-backup.json', storedBackup('running', 'InProgress'));
  s.store.objects.set('backups/junk/skiff-backup.json', Buffer.from('{nope'));
  s.store.objects.set('backups/renamed/skiff-backup.json', storedBackup('other', 'Completed'));
  s.store.objects.set('backups/good/skiff-backup.json', storedBackup('good', 'PartiallyFailed'));
  await s.run();
  t.deepEqual(s.client.names('backups'), ['good']);
  const warned = s.entries.filter((l) => l.level === 'warn').map((l) => (l.fields as { backup: string }).backup);
  t.deepEqual(warned.sort(), ['junk', 'renamed']);
});

test('finished backups of this location that are gone from storage are deleted', async (t) => {
  const s = await setup();
  s.store.objects.set('backups/kept/skiff-backup.json', storedBackup('kept', 'Completed'));
  await put(s.client, backupCr('kept', { phase: 'Completed' }, { storageLocation: 'primary' }));
  await put(s.client, backupCr('gone', { phase: 'Completed' }, { storageLocation: 'primary' }));
  await put(s.client, backupCr('gone-partial', { phase: 'PartiallyFailed' }, { storageLocation: '', labels: { 'skiff.dev/storage-location': 'primary' } }));
  await put(s.client, backupCr('failed', { phase: 'Failed', failureReason: 'storage unreachable' }, { storageLocation: 'primary' }));
  await put(s.client, backupCr('running', { phase: 'InProgress' }, { storageLocation: 'primary' }));
  await put(s.client, backupCr('new', {}, { storageLocation: 'primary' }));
  await put(s.client, backupCr('elsewhere', { phase: 'Completed' }, { storageLocation: 'secondary' }));
  await s.run();
  t.deepEqual(s.client.names('backups'), ['elsewhere', 'failed', 'kept', 'new', 'running']);
});

test('an unavailable location is not synced', async (t) => {
  const s = await setup(bslCr('primary', { phase: 'Unavailable' }));
  s.store.objects.set('backups/b1/skiff-backup.json', storedBackup('b1', 'Completed'));
  t.deepEqual(await s.run(), { requeueAfterMs: 60_000 });
  t.deepEqual(s.client.names('backups'), []);
});

test('backupSyncPeriod: waits out the period since the last sync; 0 turns sync off', async (t) => {
  const s = await setup(bslCr('primary', { phase: 'Available' }, { backupSyncPeriod: '5m' }));
  t.deepEqual(await s.run(), { requeueAfterMs: 300_000 });
  s.store.objects.set('backups/b1/skiff-backup.json', storedBackup('b1', 'Completed'));
  s.clock.advance(120_000);
  t.deepEqual(await s.run(), { requeueAfterMs: 180_000 });
  t.deepEqual(s.client.names('backups'), []);
  s.clock.advance(180_000);
  await s.run();
  t.deepEqual(s.client.names('backups'), ['b1']);

  await s.client.patch('backupstoragelocations', 'primary', { spec: { backupSyncPeriod: '0s' } });
  s.store.objects.set('backups/b2/skiff-backup.json', storedBackup('b2', 'Completed'));
  s.clock.advance(3_600_000);
  t.deepEqual(await s.run(), {});
  t.deepEqual(s.client.names('backups'), ['b1']);
});
