import test from 'ava';
import type { Backup, DeleteBackupRequest } from '../../crds/index.ts';
import { backupCr, bslCr, put } from '../schedule/testing/builders.ts';
import { memoryLogger } from '../runtime/index.ts';
import { testContext } from '../schedule/testing/context.ts';
import { FakeClock } from '../schedule/testing/fake-clock.ts';
import { MemClient } from '../schedule/testing/mem-client.ts';
import { createGcReconciler } from './gc-reconciler.ts';

const HOUR = 3_600_000;

async function setup() {
  const clock = new FakeClock('2024-05-01T12:00:00Z');
  const client = new MemClient({ clock });
  const { log, entries } = memoryLogger();
  const ctx = testContext({ client, clock, log });
  let n = 0;
  const gc = createGcReconciler({ randomSuffix: () => `r${++n}` });
  const run = async (name = 'b1') => gc.reconcile((await client.get<Backup>('backups', name))!, ctx);
  const requests = () => client.list<DeleteBackupRequest>('deletebackuprequests');
  await put(client, bslCr('default'));
  return { clock, client, entries, run, requests };
}

test('a backup that has not expired comes back at its expiration, or after the GC period', async (t) => {
  const s = await setup();
  await put(s.client, backupCr('b1', { phase: 'Completed', expiration: '2024-05-01T12:10:00Z' }));
  await put(s.client, backupCr('b2', { phase: 'Completed', expiration: '2024-06-01T00:00:00Z' }));
  await put(s.client, backupCr('b3', { phase: 'Completed' }));
  t.deepEqual(await s.run('b1'), { requeueAfterMs: 10 * 60_000 + 1 });
  t.deepEqual(await s.run('b2'), { requeueAfterMs: HOUR });
  t.deepEqual(await s.run('b3'), {});
  t.deepEqual(await s.requests(), []);
});

test('an expired backup gets one DeleteBackupRequest, labelled with the backup', async (t) => {
  const s = await setup();
  const b = await put(s.client, backupCr('b1', { phase: 'Completed', expiration: '2024-05-01T11:59:59Z' }));
  t.deepEqual(await s.run(), { requeueAfterMs: HOUR });
  await s.run();
  const reqs = await s.requests();
  t.is(reqs.length, 1);
  t.is(reqs[0]?.metadata.name, 'b1-r1');
  t.deepEqual(reqs[0]?.spec, { backupName: 'b1' });
  t.deepEqual(reqs[0]?.metadata.labels, { 'skiff.dev/backup-name': 'b1', 'skiff.dev/backup-uid': b.metadata.uid! });
  t.true(s.entries.some((l) => l.msg === 'backup expired: deletion requested'));
});

test('after a processed request, a still-present expired backup gets a new one', async (t) => {
  const s = await setup();
  await put(s.client, backupCr('b1', { phase: 'Completed', expiration: '2024-05-01T11:00:00Z' }));
  await s.run();
  await s.client.patchStatus('deletebackuprequests', 'b1-r1', { phase: 'Processed', errors: ['boom'] });
  await s.run();
  t.deepEqual((await s.requests()).map((r) => r.metadata.name).sort(), ['b1-r1', 'b1-r2']);
});

test('read-only, unavailable or missing locations block GC, labelled and logged', async (t) => {
  const s = await setup();
  await put(s.client, bslCr('ro', { phase: 'Available' }, { accessMode: 'ReadOnly' }));
  await put(s.client, bslCr('down', { phase: 'Unavailable', message: 'connection refused' }));
  const cases = [
    ['ro', 'BSLReadOnly'],
    ['down', 'BSLUnavailable'],
    ['gone', 'BSLNotFound'],
  ] as const;
  for (const [loc, reason] of cases) {
    const name = `b-${loc}`;
    await put(s.client, backupCr(name, { phase: 'Completed', expiration: '2024-05-01T11:00:00Z' }, { storageLocation: loc }));
    t.deepEqual(await s.run(name), { requeueAfterMs: HOUR });
    t.is((await s.client.get<Backup>('backups', name))?.metadata.labels?.['skiff.dev/gc-failure'], reason);
    t.true(s.entries.some((l) => l.level === 'warn' && (l.fields as { backup?: string }).backup === name), loc);
  }
  t.true(s.entries.some((l) => /unavailable: connection refused/.test(l.msg)));
  t.deepEqual(await s.requests(), []);

  // once writable, GC proceeds and the label goes
  await s.client.patch('backupstoragelocations', 'ro', { spec: { accessMode: 'ReadWrite' } });
  await s.run('b-ro');
  t.is((await s.client.get<Backup>('backups', 'b-ro'))?.metadata.labels?.['skiff.dev/gc-failure'], undefined);
  t.is((await s.requests()).length, 1);
});

test('a running backup is not collected; a backup without a location uses the default one', async (t) => {
  const s = await setup();
  await put(s.client, backupCr('b1', { phase: 'InProgress', expiration: '2024-05-01T11:00:00Z' }));
  await s.run();
  t.deepEqual(await s.requests(), []);
  await s.client.patch('backupstoragelocations', 'default', { spec: { default: true } });
  await put(s.client, backupCr('b2', { phase: 'Failed', expiration: '2024-05-01T11:00:00Z' }, { storageLocation: '' }));
  await s.run('b2');
  t.deepEqual((await s.requests()).map((r) => r.spec.backupName), ['b2']);
});
