import test from 'ava';
import { API_VERSION, type Backup, type DeleteBackupRequest } from '../../crds/index.ts';
import { SkiffError } from '../../repository/errors/errors.ts';
import { backupCr, bslCr, put, restoreCr } from '../schedule/testing/builders.ts';
import { testContext } from '../schedule/testing/context.ts';
import { FakeClock } from '../schedule/testing/fake-clock.ts';
import { MemClient } from '../schedule/testing/mem-client.ts';
import { MemObjectStore } from '../objectstore/index.ts';
import { type DeletionOptions, createDeletionReconciler } from './deletion-reconciler.ts';

const KEYS = [
  'backups/b1/skiff-backup.json',
  'backups/b1/b1.tar.gz',
  'backups/b1/b1-logs.gz',
  'backups/b10/skiff-backup.json',
  'restores/r1/restore-r1-logs.gz',
  'restores/r2/restore-r2-logs.gz',
  'restores/r3/restore-r3-logs.gz',
];

async function setup(opts: DeletionOptions = {}) {
  const clock = new FakeClock('2024-05-01T12:00:00Z');
  const client = new MemClient({ clock });
  const store = new MemObjectStore();
  for (const k of KEYS) store.objects.set(k, Buffer.from(k));
  const ctx = testContext({ client, clock, stores: { default: store, ro: store } });
  const reconciler = createDeletionReconciler(opts);
  await put(client, bslCr('default'));
  await put(client, bslCr('ro', { phase: 'Available' }, { accessMode: 'ReadOnly' }));
  await put(client, backupCr('b1'));
  await put(client, backupCr('b10'));
  await put(client, restoreCr('r1', 'b1'));
  await put(client, restoreCr('r2', 'b10'));
  // a restore from a schedule's latest backup: the backup is known by label only
  await put(client, { ...restoreCr('r3', ''), metadata: { name: 'r3', labels: { 'skiff.dev/backup-name': 'b1' } }, spec: { scheduleName: 'nightly' } });
  const request = (name: string, backupName: string, labels?: Record<string, string>) =>
    client.create<DeleteBackupRequest>('deletebackuprequests', {
      apiVersion: API_VERSION,
      kind: 'DeleteBackupRequest',
      metadata: labels === undefined ? { name } : { name, labels },
      spec: { backupName },
    });
  const run = async (name = 'd1') => reconciler.reconcile((await client.get<DeleteBackupRequest>('deletebackuprequests', name))!, ctx);
  const status = async (name = 'd1') => (await client.get<DeleteBackupRequest>('deletebackuprequests', name))?.status;
  const keys = () => [...store.objects.keys()].sort();
  return { clock, client, store, request, run, status, keys };
}

test('deletes the backup objects, its restores, the Backup and older requests for it', async (t) => {
  let seen: string | undefined;
  const s = await setup({
    deleteVolumeSnapshots: async (backup, ctx) => {
      seen = (await ctx.client.get<Backup>('backups', backup.metadata.name!))?.status?.phase;
    },
  });
  await s.request('old', 'b1', { 'skiff.dev/backup-name': 'b1' });
  await s.client.patchStatus('deletebackuprequests', 'old', { phase: 'Processed', errors: ['earlier failure'] });
  await s.request('d1', 'b1');
  t.deepEqual(await s.run(), { requeueAfterMs: 24 * 3_600_000 });
  t.is(seen, 'Deleting');
  t.deepEqual(await s.status(), { phase: 'Processed' });
  t.deepEqual(s.keys(), ['backups/b10/skiff-backup.json', 'restores/r2/restore-r2-logs.gz']);
  t.deepEqual(s.client.names('backups'), ['b10']);
  t.deepEqual(s.client.names('restores'), ['r2']);
  t.deepEqual(s.client.names('deletebackuprequests'), ['d1']);
  t.is((await s.client.get<DeleteBackupRequest>('deletebackuprequests', 'd1'))?.metadata.labels?.['skiff.dev/backup-name'], 'b1');
});

test('refused when the location is ReadOnly: nothing is deleted', async (t) => {
  const s = await setup();
  await s.client.patch('backups', 'b1', { spec: { storageLocation: 'ro' } });
  await s.request('d1', 'b1');
  await s.run();
  const st = await s.status();
  t.is(st?.phase, 'Processed');
  t.regex(st?.errors?.[0] ?? '', /cannot delete backup "b1": backup storage location "ro" is in read-only mode/);
  t.is(s.keys().length, KEYS.length);
  t.deepEqual(s.client.names('backups'), ['b1', 'b10']);
  t.is((await s.client.get<Backup>('backups', 'b1'))?.status?.phase, 'Completed');
});

test('refused for a missing or running backup', async (t) => {
  const s = await setup();
  await s.request('d1', 'nope');
  await s.run();
  t.deepEqual(await s.status(), { phase: 'Processed', errors: ['backup "nope" not found'] });
  await s.client.patchStatus('backups', 'b1', { phase: 'InProgress' });
  await s.request('d2', 'b1');
  await s.run('d2');
  t.deepEqual(await s.status('d2'), { phase: 'Processed', errors: ['backup "b1" is still in progress'] });
  t.is(s.keys().length, KEYS.length);
});

test('a failing volume snapshot deletion keeps the objects and the Backup', async (t) => {
  const s = await setup({
    deleteVolumeSnapshots: async () => {
      throw new SkiffError('Transient', 'node agent unreachable');
    },
  });
  await s.request('d1', 'b1');
  await s.run();
  t.deepEqual((await s.status())?.errors, ['deleting volume snapshots: node agent unreachable']);
  t.true(s.keys().includes('backups/b1/b1.tar.gz'));
  t.is((await s.client.get<Backup>('backups', 'b1'))?.status?.phase, 'Deleting');
});

test('a storage failure is reported and the Backup kept for a later request', async (t) => {
  const s = await setup();
  s.store.deletePrefix = async () => {
    throw new SkiffError('Transient', 'connection reset');
  };
  await s.request('d1', 'b1');
  await s.run();
  const errors = (await s.status())?.errors ?? [];
  t.true(errors.includes('deleting backup objects: connection reset'));
  t.true(errors.includes('deleting restore "r1": connection reset'));
  t.deepEqual(s.client.names('backups'), ['b1', 'b10']);
});

test('a request left InProgress by a restart finishes; a gone Backup means it was done', async (t) => {
  const s = await setup();
  await s.request('d1', 'b1');
  await s.client.patchStatus('deletebackuprequests', 'd1', { phase: 'InProgress' });
  await s.run();
  t.deepEqual(await s.status(), { phase: 'Processed' });
  t.false(s.keys().includes('backups/b1/b1.tar.gz'));
  await s.request('d2', 'b1');
  await s.client.patchStatus('deletebackuprequests', 'd2', { phase: 'InProgress' });
  await s.run('d2');
  t.deepEqual(await s.status('d2'), { phase: 'Processed' });
});

test('processed requests are deleted a day after their creation', async (t) => {
  const s = await setup();
  await s.request('d1', 'nope');
  await s.run();
  s.clock.set('2024-05-02T11:00:00Z');
  t.deepEqual(await s.run(), { requeueAfterMs: 3_600_000 });
  s.clock.set('2024-05-02T12:00:00Z');
  t.deepEqual(await s.run(), {});
  t.deepEqual(s.client.names('deletebackuprequests'), []);
});
