import test from 'ava';
import { API_VERSION, type DownloadRequest, type DownloadTargetKind } from '../../crds/index.ts';
import { backupCr, bslCr, put, restoreCr } from '../schedule/testing/builders.ts';
import { testContext } from '../schedule/testing/context.ts';
import { FakeClock } from '../schedule/testing/fake-clock.ts';
import { MemClient } from '../schedule/testing/mem-client.ts';
import { MemObjectStore } from '../objectstore/index.ts';
import { createDownloadReconciler } from './download-reconciler.ts';
import { downloadKey } from './object-keys.ts';

async function setup() {
  const clock = new FakeClock('2024-05-01T12:00:00Z');
  const client = new MemClient({ clock });
  const ctx = testContext({ client, clock, stores: { primary: new MemObjectStore('mem://bucket/pfx') } });
  const reconciler = createDownloadReconciler();
  await put(client, bslCr('primary'));
  await put(client, backupCr('b1', { phase: 'Completed' }, { storageLocation: 'primary' }));
  await put(client, restoreCr('r1', 'b1'));
  const request = (name: string, kind: DownloadTargetKind, target: string) =>
    client.create<DownloadRequest>('downloadrequests', {
      apiVersion: API_VERSION,
      kind: 'DownloadRequest',
      metadata: { name },
      spec: { target: { kind, name: target } },
    });
  const get = (name: string) => client.get<DownloadRequest>('downloadrequests', name);
  const run = async (name: string) => reconciler.reconcile((await get(name))!, ctx);
  return { clock, client, request, get, run };
}

test('a backup log request gets a URL valid for 10 minutes', async (t) => {
  const s = await setup();
  await s.request('d1', 'BackupLog', 'b1');
  t.deepEqual(await s.run('d1'), { requeueAfterMs: 600_000 });
  t.deepEqual((await s.get('d1'))?.status, {
    phase: 'Processed',
    downloadURL: 'mem://bucket/pfx/backups/b1/b1-logs.gz?expires=600',
    expiration: '2024-05-01T12:10:00Z',
  });
  s.clock.set('2024-05-01T12:09:00Z');
  t.deepEqual(await s.run('d1'), { requeueAfterMs: 60_000 });
  s.clock.set('2024-05-01T12:10:00Z');
  t.deepEqual(await s.run('d1'), {});
  t.deepEqual(s.client.names('downloadrequests'), []);
});

test("a restore target is found in its backup's location", async (t) => {
  const s = await setup();
  await s.request('d2', 'RestoreResults', 'r1');
  await s.run('d2');
  t.is((await s.get('d2'))?.status?.downloadURL, 'mem://bucket/pfx/restores/r1/restore-r1-results.json.gz?expires=600');
  // from a schedule: the restore controller labels it with the backup it chose
  await put(s.client, { ...restoreCr('r2', ''), metadata: { name: 'r2', labels: { 'skiff.dev/backup-name': 'b1' } }, spec: { scheduleName: 'nightly' } });
  await s.request('d5', 'RestoreLog', 'r2');
  await s.run('d5');
  t.is((await s.get('d5'))?.status?.downloadURL, 'mem://bucket/pfx/restores/r2/restore-r2-logs.gz?expires=600');
});

test('an unknown target waits, then goes when its expiration passes', async (t) => {
  const s = await setup();
  await s.request('d3', 'BackupContents', 'later');
  t.deepEqual(await s.run('d3'), { requeueAfterMs: 5000 });
  t.deepEqual((await s.get('d3'))?.status, { phase: 'New', expiration: '2024-05-01T12:10:00Z' });
  await put(s.client, backupCr('later', { phase: 'Completed' }, { storageLocation: 'primary' }));
  s.clock.advance(5000);
  await s.run('d3');
  t.is((await s.get('d3'))?.status?.downloadURL, 'mem://bucket/pfx/backups/later/later.tar.gz?expires=600');

  await s.request('d4', 'RestoreLog', 'no-such-restore');
  await s.run('d4');
  s.clock.advance(600_000);
  t.deepEqual(await s.run('d4'), {});
  t.is(await s.get('d4'), undefined);
});

test('object keys of every target kind', (t) => {
  t.is(downloadKey('BackupLog', 'b'), 'backups/b/b-logs.gz');
  t.is(downloadKey('BackupContents', 'b'), 'backups/b/b.tar.gz');
  t.is(downloadKey('BackupResults', 'b'), 'backups/b/b-results.json.gz');
  t.is(downloadKey('BackupResourceList', 'b'), 'backups/b/b-resource-list.json.gz');
  t.is(downloadKey('RestoreLog', 'r'), 'restores/r/restore-r-logs.gz');
  t.is(downloadKey('RestoreResults', 'r'), 'restores/r/restore-r-results.json.gz');
  t.is(downloadKey('RestoreResourceList', 'r'), 'restores/r/restore-r-resource-list.json.gz');
});
