// The backup/restore/schedule/backup-location verbs against a real kube-apiserver: the CRs they
// create, what get/describe print, --wait, and DownloadRequests. No `skiff server` runs here:
// the tests play its part by patching status, as a reconciler would.
import { mkdtemp, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CoreV1Api } from '@kubernetes/client-node';
import test from 'ava';
import type { Backup, BackupStorageLocation, DeleteBackupRequest, DownloadRequest, Restore, Schedule } from '../../crds/index.ts';
import { type ControlPlane, installCrds, pollUntil, startControlPlane } from '../../test/kube/index.ts';
import { kubeTestsEnabled } from '../../test/kube/gate.ts';
import type { ClusterClient } from './client.ts';
import { connectKube } from './kube.ts';
import { runSkiff, type SkiffRun } from './testing/run-skiff.ts';

let cp: ControlPlane | undefined;
let files: http.Server | undefined;
let filesUrl = '';
const served = new Map<string, Buffer>();

const admin = (): ClusterClient => connectKube({ kubeconfig: cp?.kubeconfigPath ?? '', namespace: 'skiff' }, {});
const skiff = (...args: string[]): Promise<SkiffRun> => runSkiff([...args, '--kubeconfig', cp?.kubeconfigPath ?? '']);

/**
 * Plays the server's DownloadRequest controller once: every request for one of `names` without
 * a URL gets one (other tests' requests are left alone).
 */
async function processDownloads(c: ClusterClient, names: readonly string[]): Promise<number> {
  let n = 0;
  for (const dr of await c.list<DownloadRequest>('downloadrequests')) {
    if (dr.status?.downloadURL || !names.includes(dr.spec.target.name)) continue;
    const key = `${dr.spec.target.kind}/${dr.spec.target.name}`;
    await c.patchStatus('downloadrequests', dr.metadata.name ?? '', { phase: 'Processed', downloadURL: `${filesUrl}/${key}?X-Amz-Signature=abc` });
    n++;
  }
  return n;
}

/** Runs a CLI command while answering its DownloadRequests for the targets `names`. */
async function withDownloads(names: readonly string[], run: Promise<SkiffRun>): Promise<SkiffRun> {
  const c = admin();
  let done = false;
  const loop = (async () => {
    while (!done) {
      await processDownloads(c, names);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    return await run;
  } finally {
    done = true;
    await loop;
  }
}

async function setPhase(plural: string, name: string, status: object): Promise<void> {
  await pollUntil(`${plural}/${name}`, async () => ((await admin().get(plural, name)) ? true : undefined), { intervalMs: 50 });
  await admin().patchStatus(plural, name, status);
}

if (kubeTestsEnabled('skiff cluster CLI tests')) {
  test.before(async () => {
    cp = await startControlPlane({ controllerManager: false });
    const kc = cp.kubeConfig();
    await installCrds(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'skiff' } } });
    files = http.createServer((req, res) => {
      const body = served.get(decodeURIComponent((req.url ?? '').replace(/^\//, '').replace(/\?.*$/, '')));
      res.writeHead(body ? 200 : 404).end(body);
    });
    await new Promise<void>((r) => files?.listen(0, '127.0.0.1', r));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  test.after.always(async () => {
    files?.close();
    await cp?.stop();
  });

  test('backup create b --include-namespaces app makes that Backup; backup get shows it', async (t) => {
    const r = await skiff('backup', 'create', 'b', '--include-namespaces', 'app', '--ttl', '24h', '-l', 'tier=web', '--labels', 'who=test');
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /Backup request "b" submitted successfully/);
    const b = await admin().get<Backup>('backups', 'b');
    t.deepEqual(b?.spec, { includedNamespaces: ['app'], ttl: '24h', labelSelector: { matchLabels: { tier: 'web' } } });
    t.deepEqual(b?.metadata.labels, { who: 'test' });
    const json = await skiff('backup', 'get', '-o', 'json');
    const list = JSON.parse(json.stdout) as { items: Backup[] };
    t.true(list.items.some((x) => x.metadata.name === 'b' && x.spec.includedNamespaces?.[0] === 'app'));
    const one = JSON.parse((await skiff('backup', 'get', 'b', '-o', 'json')).stdout) as Backup;
    t.is(one.kind, 'Backup');
    const table = await skiff('backup', 'get', 'b');
    t.regex(table.stdout, /^NAME\s+STATUS\s+ERRORS\s+WARNINGS\s+CREATED\s+EXPIRES\s+STORAGE LOCATION\s+SELECTOR\n/);
    t.regex(table.stdout, /\nb\s+New\s+0\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC\s+<none>\s+tier=web/);
    const missing = await skiff('backup', 'get', 'nope');
    t.is(missing.code, 1);
    t.regex(missing.stderr, /backup nope not found in namespace skiff/);
  });

  test('backup create --wait returns when the phase becomes Completed, and fails on Failed', async (t) => {
    const waiting = skiff('backup', 'create', 'w1', '--include-namespaces', 'app', '--wait');
    await setPhase('backups', 'w1', { phase: 'InProgress' });
    await new Promise((r) => setTimeout(r, 300));
    await admin().patchStatus('backups', 'w1', { phase: 'Completed', progress: { totalItems: 3, itemsBackedUp: 3 } });
    const r = await waiting;
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /Backup w1 finished with status: Completed/);

    const failing = skiff('backup', 'create', 'w2', '--wait');
    await setPhase('backups', 'w2', { phase: 'Failed', failureReason: 'backup storage location default is unavailable' });
    const f = await failing;
    t.is(f.code, 1);
    t.regex(f.stderr, /backup w2 ended Failed: backup storage location default is unavailable/);
  });

  test('restore create --from-backup with --namespace-mappings and --wait', async (t) => {
    const waiting = skiff('restore', 'create', 'r1', '--from-backup', 'b', '--namespace-mappings', 'app:app2', '--existing-resource-policy', 'update', '--wait');
    await setPhase('restores', 'r1', { phase: 'Completed', progress: { totalItems: 5, itemsRestored: 5 } });
    const r = await waiting;
    t.is(r.code, 0, r.stderr);
    const restore = await admin().get<Restore>('restores', 'r1');
    t.deepEqual(restore?.spec, { backupName: 'b', namespaceMapping: { app: 'app2' }, existingResourcePolicy: 'update' });
    const get = await skiff('restore', 'get');
    t.regex(get.stdout, /\nr1\s+b\s+Completed\s/);
    const d = await skiff('restore', 'describe', 'r1');
    t.regex(d.stdout, /Namespace mappings:\s+app=app2/);
    t.regex(d.stdout, /Items restored:\s+5/);
    const del = await skiff('restore', 'delete', 'r1', '--confirm');
    t.is(del.code, 0, del.stderr);
    t.is(await admin().get('restores', 'r1'), undefined);
  });

  test('schedule create, pause, unpause, describe, backup --from-schedule, delete', async (t) => {
    const c = await skiff('schedule', 'create', 'nightly', '--schedule', '0 1 * * *', '--include-namespaces', 'app', '--ttl', '168h', '--skip-immediately');
    t.is(c.code, 0, c.stderr);
    const s = await admin().get<Schedule>('schedules', 'nightly');
    t.deepEqual(s?.spec, { schedule: '0 1 * * *', template: { includedNamespaces: ['app'], ttl: '168h' }, skipImmediately: true });
    t.is((await skiff('schedule', 'pause', 'nightly')).code, 0);
    t.is((await admin().get<Schedule>('schedules', 'nightly'))?.spec.paused, true);
    t.regex((await skiff('schedule', 'get')).stdout, /\nnightly\s+New\s+0 1 \* \* \*\s+n\/a\s+\S+\s+true/);
    t.is((await skiff('schedule', 'unpause', 'nightly', '--skip-immediately=false')).code, 0);
    const un = await admin().get<Schedule>('schedules', 'nightly');
    t.is(un?.spec.paused, false);
    t.is(un?.spec.skipImmediately, false);
    t.regex((await skiff('schedule', 'describe', 'nightly')).stdout, /Schedule:\s+0 1 \* \* \*/);

    const fb = await skiff('backup', 'create', '--from-schedule', 'nightly');
    t.is(fb.code, 0, fb.stderr);
    const made = (await admin().list<Backup>('backups', { labelSelector: 'skiff.dev/schedule-name=nightly' }))[0];
    t.regex(made?.metadata.name ?? '', /^nightly-\d{14}$/);
    t.deepEqual(made?.spec, { includedNamespaces: ['app'], ttl: '168h' });

    t.is((await skiff('schedule', 'delete', 'nightly', '--confirm')).code, 0);
    t.is(await admin().get('schedules', 'nightly'), undefined);
    const none = await skiff('schedule', 'pause', 'nightly');
    t.regex(none.stderr, /schedule nightly not found/);
  });

  test('backup-location create, set --default (one default only), get, delete', async (t) => {
    t.is((await skiff('backup-location', 'create', 'one', '--bucket', 'b1', '--config', 'region=r,s3Url=http://h:9000', '--default')).code, 0);
    const two = await skiff('backup-location', 'create', 'two', '--bucket', 'b2', '--prefix', 'p', '--credential', 'creds=cloud', '--access-mode', 'ReadOnly');
    t.is(two.code, 0, two.stderr);
    const l2 = await admin().get<BackupStorageLocation>('backupstoragelocations', 'two');
    t.deepEqual(l2?.spec, { provider: 'aws', objectStorage: { bucket: 'b2', prefix: 'p' }, credential: { name: 'creds', key: 'cloud' }, accessMode: 'ReadOnly', default: false });
    const set = await skiff('backup-location', 'set', 'two', '--default', '--access-mode', 'ReadWrite');
    t.is(set.code, 0, set.stderr);
    t.regex(set.stdout, /"one" is no longer the default/);
    t.is((await admin().get<BackupStorageLocation>('backupstoragelocations', 'one'))?.spec.default, false);
    t.is((await admin().get<BackupStorageLocation>('backupstoragelocations', 'two'))?.spec.accessMode, 'ReadWrite');
    const def = await skiff('backup-location', 'get', '--default', '-o', 'json');
    t.deepEqual((JSON.parse(def.stdout) as { items: BackupStorageLocation[] }).items.map((l) => l.metadata.name), ['two']);
    t.regex((await skiff('backup-location', 'get')).stdout, /\ntwo\s+aws\s+b2\/p\s+Unknown\s+<nil>\s+ReadWrite\s+true/);
    t.is((await skiff('backup-location', 'delete', 'one', 'two', '--confirm')).code, 0);
    t.deepEqual(await admin().list('backupstoragelocations'), []);
  });

  test('backup delete creates a DeleteBackupRequest; without --confirm and no terminal it refuses', async (t) => {
    await skiff('backup', 'create', 'doomed');
    const refused = await skiff('backup', 'delete', 'doomed');
    t.is(refused.code, 1);
    t.regex(refused.stderr, /--confirm/);
    t.deepEqual(await admin().list('deletebackuprequests'), []);
    const r = await skiff('backup', 'delete', 'doomed', '--confirm');
    t.is(r.code, 0, r.stderr);
    const reqs = await admin().list<DeleteBackupRequest>('deletebackuprequests');
    t.is(reqs.length, 1);
    t.is(reqs[0]?.spec.backupName, 'doomed');
    t.is(reqs[0]?.metadata.labels?.['skiff.dev/backup-name'], 'doomed');
    t.truthy(reqs[0]?.metadata.labels?.['skiff.dev/backup-uid']);
    t.truthy(await admin().get('backups', 'doomed'), 'the Backup itself is deleted by the server, not the CLI');
  });

  test('backup logs, download and describe --details go through DownloadRequests', async (t) => {
    await skiff('backup', 'create', 'logged');
    served.set('BackupLog/logged', gzipSync('line one\nline two\n'));
    served.set('BackupContents/logged', Buffer.from('tarball bytes'));
    served.set('BackupResourceList/logged', gzipSync(JSON.stringify({ 'v1/ConfigMap': ['app/cm1'], 'apps/v1/Deployment': ['app/web'] })));
    const logs = await withDownloads(['logged'], skiff('backup', 'logs', 'logged'));
    t.is(logs.code, 0, logs.stderr);
    t.is(logs.stdout, 'line one\nline two\n');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-dl-'));
    const dl = await withDownloads(['logged'], runSkiff(['backup', 'download', 'logged', '--kubeconfig', cp?.kubeconfigPath ?? ''], {}, dir));
    t.is(dl.code, 0, dl.stderr);
    t.is(await readFile(path.join(dir, 'logged-data.tar.gz'), 'utf8'), 'tarball bytes');
    const again = await runSkiff(['backup', 'download', 'logged', '--kubeconfig', cp?.kubeconfigPath ?? ''], {}, dir);
    t.regex(again.stderr, /exists: use --force/);
    const details = await withDownloads(['logged'], skiff('backup', 'describe', 'logged', '--details'));
    t.regex(details.stdout, /Resource List:\n {2}apps\/v1\/Deployment:\n {4}- app\/web\n {2}v1\/ConfigMap:\n {4}- app\/cm1/);
    t.regex(details.stdout, /Pod Volume Backups:\s+<none included>/);
    const left = (await admin().list<DownloadRequest>('downloadrequests')).filter((d) => d.spec.target.name === 'logged');
    t.deepEqual(left, [], 'download requests are cleaned up');
    const gone = await withDownloads(['no-such-restore'], skiff('restore', 'logs', 'no-such-restore'));
    t.is(gone.code, 1);
    t.regex(gone.stderr, /RestoreLog of no-such-restore was not found in object storage/);
    t.notRegex(gone.stderr, /X-Amz-Signature/);
  });

  test('logs time out with a clear message when no server answers the DownloadRequest', async (t) => {
    const r = await skiff('backup', 'logs', 'unanswered', '--timeout', '1');
    t.is(r.code, 1);
    t.regex(r.stderr, /timed out after 1s waiting for the server to process download request .* \(is skiff server running\?\)/);
  });
}
