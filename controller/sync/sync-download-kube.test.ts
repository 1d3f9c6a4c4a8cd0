/**
 * Backup sync and DownloadRequests on the real API server and the embedded S3 server: object
 * storage is the source of truth, and a DownloadRequest's URL fetches the object.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import test from 'ava';
import { API_VERSION, type Backup, type BackupStorageLocation, type DownloadRequest, PLURALS } from '../../crds/index.ts';
import { kubeTestsEnabled } from '../../test/kube/gate.ts';
import { createDownloadReconciler } from '../download/index.ts';
import type { ReconcileContext } from '../runtime/index.ts';
import { FakeClock } from '../schedule/testing/fake-clock.ts';
import { testContext } from '../schedule/testing/context.ts';
import { BSL_NAME, type LifecycleEnv, startLifecycleEnv } from '../schedule/testing/kube-env.ts';
import { createSyncReconciler } from './index.ts';

const NS = 'skiff';
let env: LifecycleEnv | undefined;
let clock: FakeClock;
let ctx: ReconcileContext;

function e(): LifecycleEnv {
  if (env === undefined) throw new Error('environment not started');
  return env;
}

/** One sync pass, a backup-sync period after the last. */
async function sync(): Promise<void> {
  clock.advance(61_000);
  const bsl = await e().client.get<BackupStorageLocation>(PLURALS.BackupStorageLocation, BSL_NAME);
  await createSyncReconciler().reconcile(bsl!, ctx);
}

function backupJson(name: string): Buffer {
  const b: Backup = {
    apiVersion: API_VERSION,
    kind: 'Backup',
    metadata: { name, namespace: 'other-cluster', uid: '0d4a3f0e-0000-0000-0000-000000000000' },
    spec: { includedNamespaces: ['app'], storageLocation: BSL_NAME, ttl: '720h0m0s' },
    status: { phase: 'Completed', expiration: '2099-01-01T00:00:00Z', formatVersion: '1.1.0', version: 1, errors: 0, warnings: 0 },
  };
  return Buffer.from(JSON.stringify(b));
}

async function putBackup(name: string): Promise<void> {
  await e().store.put(`backups/${name}/${name}.tar.gz`, Buffer.from('tarball'));
  await e().store.put(`backups/${name}/${name}-logs.gz`, gzipSync(`log of ${name}\n`));
  await e().store.put(`backups/${name}/skiff-backup.json`, backupJson(name));
}

if (kubeTestsEnabled('backup sync and download requests on the real API server')) {
  test.before(async () => {
    env = await startLifecycleEnv(NS);
    clock = new FakeClock(new Date());
    ctx = testContext({ client: env.client, clock, stores: (name) => env!.stores.get(name) });
  });
  test.after.always(async () => {
    await env?.stop();
  });

  test.serial('a backup only in storage appears in the cluster with its status', async (t) => {
    await putBackup('from-elsewhere');
    await sync();
    const b = await e().client.get<Backup>(PLURALS.Backup, 'from-elsewhere');
    t.is(b?.status?.phase, 'Completed');
    t.is(b?.status?.expiration, '2099-01-01T00:00:00Z');
    t.is(b?.metadata.labels?.['skiff.dev/storage-location'], BSL_NAME);
    t.not(b?.metadata.uid, '0d4a3f0e-0000-0000-0000-000000000000');
    const bsl = await e().client.get<BackupStorageLocation>(PLURALS.BackupStorageLocation, BSL_NAME);
    t.truthy(bsl?.status?.lastSyncedTime);
  });

  test.serial('a backup deleted from storage disappears from the cluster after sync', async (t) => {
    const { client, store } = e();
    await putBackup('local');
    await client.create<Backup>(PLURALS.Backup, { apiVersion: API_VERSION, kind: 'Backup', metadata: { name: 'local' }, spec: { storageLocation: BSL_NAME } });
    await client.patchStatus(PLURALS.Backup, 'local', { phase: 'Completed' });
    await sync();
    t.truthy(await client.get<Backup>(PLURALS.Backup, 'local'));
    t.is(await store.deletePrefix('backups/local/'), 3);
    await sync();
    t.is(await client.get<Backup>(PLURALS.Backup, 'local'), undefined);
    t.truthy(await client.get<Backup>(PLURALS.Backup, 'from-elsewhere'));
  });

  test.serial("a DownloadRequest's URL downloads the backup log", async (t) => {
    const { client } = e();
    await putBackup('with-log');
    await sync();
    await client.create<DownloadRequest>(PLURALS.DownloadRequest, {
      apiVersion: API_VERSION,
      kind: 'DownloadRequest',
      metadata: { name: 'with-log-log' },
      spec: { target: { kind: 'BackupLog', name: 'with-log' } },
    });
    const req = await client.get<DownloadRequest>(PLURALS.DownloadRequest, 'with-log-log');
    t.deepEqual(await createDownloadReconciler().reconcile(req!, ctx), { requeueAfterMs: 600_000 });
    const done = await client.get<DownloadRequest>(PLURALS.DownloadRequest, 'with-log-log');
    t.is(done?.status?.phase, 'Processed');
    t.is(Date.parse(done?.status?.expiration ?? ''), Math.floor(clock.now().getTime() / 1000) * 1000 + 600_000);
    const url = done?.status?.downloadURL ?? '';
    t.regex(url, /^http:\/\/127\.0\.0\.1:\d+\/skiff\/cluster-a\/backups\/with-log\/with-log-logs\.gz\?.*X-Amz-Expires=600/);
    const res = await fetch(url);
    t.is(res.status, 200);
    t.is(gunzipSync(Buffer.from(await res.arrayBuffer())).toString(), 'log of with-log\n');
  });
}
