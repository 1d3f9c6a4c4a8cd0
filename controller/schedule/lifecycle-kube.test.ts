/**
 * Schedule → backups on time → TTL → GC → DeleteBackupRequest → gone from the cluster and from
 * storage, on the real API server and the embedded S3 server, driven by the runtime's controller
 * manager with an injected clock. The backup controller's part (writing objects, Completed) is
 * played by the test.
 */
import test from 'ava';
import { API_VERSION, type Backup, type DeleteBackupRequest, LABELS, PLURALS, type Schedule } from '../../crds/index.ts';
import { pollUntil } from '../../test/kube/index.ts';
import { kubeTestsEnabled } from '../../test/kube/gate.ts';
import { createDeletionReconciler } from '../deletion/index.ts';
import { createGcReconciler } from '../gc/index.ts';
import { ControllerManager, type Reconciler, formatTime, memoryLogger } from '../runtime/index.ts';
import { createScheduleReconciler, timestampedName } from './index.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { type LifecycleEnv, keysUnder, startLifecycleEnv } from './testing/kube-env.ts';

const NS = 'skiff';
const MIN = 60_000;
// the next full hour: near the API server's clock, so creation timestamps and the injected clock agree
const T0 = Math.ceil(Date.now() / (60 * MIN)) * 60 * MIN;
const FIRST = timestampedName('hourly', new Date(T0));
const SECOND = timestampedName('hourly', new Date(T0 + 60 * MIN));
let env: LifecycleEnv | undefined;

function e(): LifecycleEnv {
  if (env === undefined) throw new Error('environment not started');
  return env;
}

/** What the backup controller does at the end of a run: objects, metadata last, then the phase. */
async function complete(name: string, expiration: number): Promise<void> {
  const { client, store } = e();
  const status = { phase: 'Completed', expiration: formatTime(new Date(expiration)) } as const;
  await store.put(`backups/${name}/${name}.tar.gz`, Buffer.from('tarball'));
  await store.put(`backups/${name}/${name}-logs.gz`, Buffer.from('log'));
  const backup = await client.get<Backup>(PLURALS.Backup, name);
  await store.put(`backups/${name}/skiff-backup.json`, Buffer.from(JSON.stringify({ ...backup, status })));
  await client.patchStatus(PLURALS.Backup, name, status);
}

if (kubeTestsEnabled('schedule, GC and deletion on the real API server')) {
  test.before(async () => {
    env = await startLifecycleEnv(NS);
  });
  test.after.always(async () => {
    await env?.stop();
  });

  test('a schedule backs up on time; an expired backup is deleted from the cluster and from storage', async (t) => {
    const { client, store, stores } = e();
    const clock = new FakeClock(new Date(T0));
    const { log, entries } = memoryLogger();
    const manager = new ControllerManager({
      client,
      sourceFor: (plural) => client.resource(plural),
      objectStore: (name) => stores.get(name),
      log,
      clock,
      resyncMs: 0,
    });
    for (const r of [createScheduleReconciler(), createGcReconciler(), createDeletionReconciler()]) manager.addReconciler(r as Reconciler);
    const abort = new AbortController();
    const stopped = manager.start(abort.signal);
    t.teardown(async () => {
      abort.abort();
      await stopped;
    });
    await pollUntil('controllers started', async () => (manager.hasSynced() ? true : undefined));
    const backupNamed = (name: string) => pollUntil(`backup ${name}`, () => client.get<Backup>(PLURALS.Backup, name));

    await client.create<Schedule>(PLURALS.Schedule, {
      apiVersion: API_VERSION,
      kind: 'Schedule',
      metadata: { name: 'hourly' },
      spec: { schedule: '0 * * * *', template: { includedNamespaces: ['app'], ttl: '1h30m0s' } },
    });
    // a new schedule runs at once
    const first = await backupNamed(FIRST);
    t.is(first.metadata.labels?.[LABELS.scheduleName], 'hourly');
    t.deepEqual(first.spec, { includedNamespaces: ['app'], ttl: '1h30m0s' });
    await complete(FIRST, T0 + 90 * MIN);

    // nothing before the next hour; then the run on the hour
    await clock.tick(59 * MIN);
    await new Promise((r) => setTimeout(r, 500));
    t.deepEqual((await client.list<Backup>(PLURALS.Backup)).map((b) => b.metadata.name), [FIRST]);
    await clock.tick(MIN);
    await backupNamed(SECOND);
    await complete(SECOND, T0 + 150 * MIN);
    const sched = await client.get<Schedule>(PLURALS.Schedule, 'hourly');
    t.is(sched?.status?.phase, 'Enabled');
    t.is(sched?.status?.lastBackup, formatTime(new Date(T0 + 60 * MIN)));

    // 1h31m in: the first backup (ttl 1h30m) has expired; GC asks for its deletion and the deletion removes it
    await clock.tick(31 * MIN);
    await pollUntil(
      'the expired backup to be deleted',
      async () => {
        await clock.tick(1000);
        return (await client.get<Backup>(PLURALS.Backup, FIRST)) === undefined ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );
    t.deepEqual(await keysUnder(store, `backups/${FIRST}/`), []);
    t.is((await keysUnder(store, `backups/${SECOND}/`)).length, 3);
    t.truthy(await client.get<Backup>(PLURALS.Backup, SECOND));
    const requests = await client.list<DeleteBackupRequest>(PLURALS.DeleteBackupRequest);
    t.deepEqual(
      requests.map((r) => [r.spec.backupName, r.status?.phase, r.status?.errors]),
      [[FIRST, 'Processed', undefined]],
    );
    t.deepEqual(entries.filter((l) => l.level === 'error'), []);
  });
}
