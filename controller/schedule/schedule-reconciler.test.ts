import test from 'ava';
import { API_VERSION, type Backup, type Schedule, type ScheduleSpec } from '../../crds/index.ts';
import { type ScheduleReconcilerOptions, createScheduleReconciler } from './schedule-reconciler.ts';
import { testContext } from './testing/context.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { MemClient } from './testing/mem-client.ts';

const HOUR = 3_600_000;

function setup(start: string, opts: ScheduleReconcilerOptions = {}) {
  const clock = new FakeClock(start);
  const client = new MemClient({ clock });
  const ctx = testContext({ client, clock });
  const reconciler = createScheduleReconciler(opts);
  const get = async (name = 'nightly') => (await client.get<Schedule>('schedules', name))!;
  const run = async (name = 'nightly') => reconciler.reconcile(await get(name), ctx);
  const backups = () => client.names('backups');
  const finish = async (phase: 'Completed' | 'InProgress' = 'Completed') => {
    for (const b of backups()) await client.patchStatus('backups', b, { phase });
  };
  const create = (spec: Partial<ScheduleSpec>, meta: Schedule['metadata'] = {}) =>
    client.create<Schedule>('schedules', {
      apiVersion: API_VERSION,
      kind: 'Schedule',
      metadata: { name: 'nightly', ...meta },
      spec: { schedule: '0 * * * *', template: { includedNamespaces: ['app'], ttl: '24h' }, ...spec },
    });
  return { clock, client, ctx, run, get, backups, finish, create };
}

test('a new schedule backs up at once, then on every cron time, named after the run time', async (t) => {
  const s = setup('2024-05-01T10:20:30.400Z');
  await s.create({});
  t.deepEqual(await s.run(), { requeueAfterMs: 39 * 60_000 + 30_000 - 400 });
  t.deepEqual(s.backups(), ['nightly-20240501102030']);
  const sched = await s.get();
  t.is(sched.status?.phase, 'Enabled');
  t.is(sched.status?.lastBackup, '2024-05-01T10:20:30Z');

  // reconciled again before the next run: nothing new
  s.clock.set('2024-05-01T10:59:59Z');
  t.deepEqual(await s.run(), { requeueAfterMs: 1000 });
  t.is(s.backups().length, 1);

  await s.finish();
  s.clock.set('2024-05-01T11:00:00.250Z');
  t.deepEqual(await s.run(), { requeueAfterMs: HOUR - 250 });
  t.deepEqual(s.backups(), ['nightly-20240501102030', 'nightly-20240501110000']);
  t.is((await s.get()).status?.lastBackup, '2024-05-01T11:00:00Z');
});

test('missed runs are not caught up: one backup for the latest due time', async (t) => {
  const s = setup('2024-05-01T10:00:00Z');
  await s.create({}, {});
  await s.run();
  await s.finish();
  s.clock.set('2024-05-01T13:30:00Z');
  t.deepEqual(await s.run(), { requeueAfterMs: HOUR / 2 });
  t.deepEqual(s.backups(), ['nightly-20240501100000', 'nightly-20240501130000']);
});

test('the backup: template spec, schedule label, labels and annotations, owner reference on request', async (t) => {
  const s = setup('2024-05-01T10:00:00Z');
  await s.create(
    { useOwnerReferencesInBackup: true },
    { labels: { team: 'a' }, annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  );
  await s.run();
  const sched = await s.get();
  const b = (await s.client.get<Backup>('backups', 'nightly-20240501100000'))!;
  t.deepEqual(b.spec, { includedNamespaces: ['app'], ttl: '24h' });
  t.deepEqual(b.metadata.labels, { team: 'a', 'skiff.dev/schedule-name': 'nightly' });
  t.deepEqual(b.metadata.annotations, { note: 'x' });
  t.deepEqual(b.metadata.ownerReferences, [
    { apiVersion: 'skiff.dev/v1', kind: 'Schedule', name: 'nightly', uid: sched.metadata.uid!, controller: true },
  ]);
});

test('template labels replace the schedule labels; no owner reference by default', async (t) => {
  const s = setup('2024-05-01T10:00:00Z');
  await s.create({ template: { metadata: { labels: { tier: 'gold' } } } }, { labels: { team: 'a' } });
  await s.run();
  const b = (await s.client.get<Backup>('backups', 'nightly-20240501100000'))!;
  t.deepEqual(b.metadata.labels, { tier: 'gold', 'skiff.dev/schedule-name': 'nightly' });
  t.is(b.metadata.ownerReferences, undefined);
});

test('skipImmediately: no first backup, the flag is reset, runs count from the skip', async (t) => {
  const s = setup('2024-05-01T10:20:00Z');
  await s.create({ skipImmediately: true });
  t.deepEqual(await s.run(), { requeueAfterMs: 40 * 60_000 });
  t.deepEqual(s.backups(), []);
  const sched = await s.get();
  t.is(sched.status?.lastSkipped, '2024-05-01T10:20:00Z');
  t.is(sched.spec.skipImmediately, false);
  s.clock.set('2024-05-01T11:00:00Z');
  await s.run();
  t.deepEqual(s.backups(), ['nightly-20240501110000']);
});

test('the server default for skipImmediately applies when the spec leaves it unset', async (t) => {
  const s = setup('2024-05-01T10:20:00Z', { skipImmediatelyByDefault: true });
  await s.create({});
  await s.run();
  t.deepEqual(s.backups(), []);
  await s.client.create<Schedule>('schedules', { ...(await s.get()), metadata: { name: 'eager' }, spec: { ...(await s.get()).spec, skipImmediately: false } });
  await s.run('eager');
  t.deepEqual(s.backups(), ['eager-20240501102000']);
});

test('paused: no backups and no requeue; unpausing runs the latest due time', async (t) => {
  const s = setup('2024-05-01T10:00:00Z');
  await s.create({});
  await s.run();
  await s.finish();
  await s.client.patch('schedules', 'nightly', { spec: { paused: true } });
  s.clock.set('2024-05-01T12:10:00Z');
  t.deepEqual(await s.run(), {});
  t.is(s.backups().length, 1);
  await s.client.patch('schedules', 'nightly', { spec: { paused: false } });
  await s.run();
  t.deepEqual(s.backups(), ['nightly-20240501100000', 'nightly-20240501120000']);
});

test('unpausing with skipImmediately skips the due run', async (t) => {
  const s = setup('2024-05-01T10:00:00Z');
  await s.create({});
  await s.run();
  await s.finish();
  s.clock.set('2024-05-01T12:10:00Z');
  await s.client.patch('schedules', 'nightly', { spec: { paused: false, skipImmediately: true } });
  t.deepEqual(await s.run(), { requeueAfterMs: 50 * 60_000 });
  t.is(s.backups().length, 1);
});

test('no overlap: a run is skipped while a backup of the schedule is still running', async (t) => {
  const s = setup('2024-05-01T10:00:00Z');
  await s.create({});
  await s.run();
  await s.finish('InProgress');
  s.clock.set('2024-05-01T11:00:05Z');
  t.deepEqual(await s.run(), { requeueAfterMs: HOUR - 5000 });
  t.is(s.backups().length, 1);
  t.is((await s.get()).status?.lastSkipped, '2024-05-01T11:00:05Z');
  await s.finish();
  s.clock.set('2024-05-01T12:00:00Z');
  await s.run();
  t.deepEqual(s.backups(), ['nightly-20240501100000', 'nightly-20240501120000']);
});

test('idempotent: a backup created before the status write is recorded, not duplicated', async (t) => {
  const s = setup('2024-05-01T10:00:00Z');
  await s.create({});
  await s.run();
  s.clock.set('2024-05-01T11:00:30Z');
  // a crash between creating the 11:00 backup and writing lastBackup: the backup exists, New
  await s.client.patchStatus('backups', 'nightly-20240501100000', { phase: 'Completed' });
  await s.client.create<Backup>('backups', {
    apiVersion: API_VERSION,
    kind: 'Backup',
    metadata: { name: 'nightly-20240501110000', labels: { 'skiff.dev/schedule-name': 'nightly' } },
    spec: {},
  });
  await s.run();
  t.deepEqual(s.backups(), ['nightly-20240501100000', 'nightly-20240501110000']);
  const sched = await s.get();
  t.is(sched.status?.lastBackup, '2024-05-01T11:00:00Z');
  t.is(sched.status?.lastSkipped, undefined);
});

test('@every: the first run at once, then every interval after the last', async (t) => {
  const s = setup('2024-05-01T10:00:07Z');
  await s.create({ schedule: '@every 6h' });
  t.deepEqual(await s.run(), { requeueAfterMs: 6 * HOUR });
  await s.finish();
  s.clock.set('2024-05-01T16:00:07Z');
  await s.run();
  t.deepEqual(s.backups(), ['nightly-20240501100007', 'nightly-20240501160007']);
});

test('an invalid schedule fails validation with the reason, and recovers when fixed', async (t) => {
  const s = setup('2024-05-01T10:00:00Z');
  await s.create({ schedule: '0 25 * * *' });
  t.deepEqual(await s.run(), {});
  let sched = await s.get();
  t.is(sched.status?.phase, 'FailedValidation');
  t.regex(sched.status?.validationErrors?.[0] ?? '', /invalid schedule "0 25 \* \* \*".*0-23/);
  t.deepEqual(s.backups(), []);
  await s.client.patch('schedules', 'nightly', { spec: { schedule: '0 3 * * *' } });
  await s.run();
  sched = await s.get();
  t.is(sched.status?.phase, 'Enabled');
  t.is(sched.status?.validationErrors, undefined);
  t.deepEqual(s.backups(), ['nightly-20240501100000']);
});
