/**
 * The Backup reconciler against the real API server and the embedded S3 server, driven directly
 * (reconcile in a loop until the phase is terminal) with controller/kube's SkiffClient and
 * DynamicClient and controller/objectstore's stores. The tarball is read back with both this
 * folder's reader and the restore's, so what backup writes is what restore reads.
 */
import { createServer } from 'node:net';
import test from 'ava';
import { API_VERSION, type Backup, PLURALS } from '../../crds/index.ts';
import { kubeTestsEnabled } from '../../test/kube/gate.ts';
import { readBackupTarball } from '../restore/index.ts';
import { type ReconcileContext, memoryLogger, systemClock } from '../runtime/index.ts';
import { dynamicClusterReader } from './dynamic-cluster-reader.ts';
import { backupReconciler } from './reconciler.ts';
import { INTERRUPTED_REASON, recoverInterrupted } from './recover.ts';
import { backupKeys } from './storage-keys.ts';
import { readTarGz } from './tar-reader.ts';
import { type BackupEnv, startBackupEnv } from './testing/kube-env.ts';

const NS = 'skiff';
const TERMINAL = new Set(['Completed', 'PartiallyFailed', 'Failed', 'FailedValidation']);
let env: BackupEnv | undefined;

function e(): BackupEnv {
  if (env === undefined) throw new Error('environment not started');
  return env;
}

async function closedPortUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}`;
}

function context(): ReconcileContext {
  return { client: e().client, log: memoryLogger().log, clock: systemClock, signal: new AbortController().signal, objectStore: (n) => e().stores.get(n) };
}

/** Creates a Backup and reconciles it until its phase is terminal. */
async function runBackup(name: string, spec: Backup['spec']): Promise<Backup> {
  const { client } = e();
  await client.create<Backup>(PLURALS.Backup, { apiVersion: API_VERSION, kind: 'Backup', metadata: { name }, spec });
  const reconciler = backupReconciler({ clusterReader: dynamicClusterReader(e().dynamic) });
  for (let i = 0; i < 5; i++) {
    const b = await client.get<Backup>(PLURALS.Backup, name);
    if (b === undefined) throw new Error(`backup ${name} disappeared`);
    if (TERMINAL.has(b.status?.phase ?? '')) return b;
    await reconciler.reconcile(b, context());
  }
  throw new Error(`backup ${name} did not finish`);
}

async function createApp(): Promise<void> {
  const d = e().dynamic;
  type Body = { kind: string; metadata: { name: string; labels?: Record<string, string> }; [field: string]: unknown };
  const make = async (group: string, version: string, resource: string, body: Body, ns = 'app'): Promise<void> => {
    const apiVersion = group === '' ? version : `${group}/${version}`;
    await d.resource({ group, version, resource }, ns).create({ apiVersion, ...body });
  };
  for (const ns of ['app', 'other']) await d.resource({ group: '', version: 'v1', resource: 'namespaces' }).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const labels = { app: 'web' };
  await make('apps', 'v1', 'deployments', {
    kind: 'Deployment',
    metadata: { name: 'web', labels },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
  });
  await make('', 'v1', 'services', { kind: 'Service', metadata: { name: 'web' }, spec: { selector: labels, ports: [{ port: 80 }] } });
  await make('', 'v1', 'configmaps', { kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { mode: 'prod' } });
  await make('', 'v1', 'configmaps', { kind: 'ConfigMap', metadata: { name: 'scratch', labels: { 'skiff.dev/exclude-from-backup': 'true' } } });
  await make('', 'v1', 'configmaps', { kind: 'ConfigMap', metadata: { name: 'elsewhere' } }, 'other');
  await make('', 'v1', 'secrets', { kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 'p' } });
  await make('', 'v1', 'serviceaccounts', { kind: 'ServiceAccount', metadata: { name: 'builder' } });
  await make('rbac.authorization.k8s.io', 'v1', 'roles', { kind: 'Role', metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
  await make('rbac.authorization.k8s.io', 'v1', 'rolebindings', {
    kind: 'RoleBinding',
    metadata: { name: 'reader-binding' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: 'app' }],
  });
  await make('', 'v1', 'persistentvolumeclaims', { kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  await make('example.com', 'v1', 'widgets', { kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } });
}

async function keysUnder(prefix: string): Promise<string[]> {
  const store = await e().stores.get('default');
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out.sort();
}

if (kubeTestsEnabled('backup reconciler on the real API server')) {
  test.before(async () => {
    env = await startBackupEnv(NS, await closedPortUrl());
    await createApp();
  });
  test.after.always(async () => {
    await env?.stop();
  });

  test.serial('a namespace with its workloads, RBAC, PVC and a custom resource is backed up: Completed', async (t) => {
    const b = await runBackup('b-app', { includedNamespaces: ['app'] });
    t.is(b.status?.phase, 'Completed', JSON.stringify(b.status));
    t.is(b.status?.errors, 0);
    t.is(b.metadata.labels?.['skiff.dev/storage-location'], 'default');
    t.true((b.status?.progress?.itemsBackedUp ?? 0) >= 11);
    t.is(b.status?.progress?.itemsBackedUp, b.status?.progress?.totalItems);

    const k = backupKeys('b-app');
    t.deepEqual(await keysUnder(k.dir), [k.contents, k.logs, k.resourceList, k.results, k.metadata].sort());
    const store = await e().stores.get('default');
    t.is((JSON.parse((await store.get(k.metadata)).toString()) as Backup).status?.phase, 'Completed');

    const files = new Map<string, Buffer>();
    for await (const entry of readTarGz(await store.getStream(k.contents))) files.set(entry.path, entry.data);
    for (const p of [
      'resources/deployments.apps/namespaces/app/web.json',
      'resources/services/namespaces/app/web.json',
      'resources/configmaps/namespaces/app/cfg.json',
      'resources/secrets/namespaces/app/creds.json',
      'resources/serviceaccounts/namespaces/app/builder.json',
      'resources/roles.rbac.authorization.k8s.io/namespaces/app/reader.json',
      'resources/rolebindings.rbac.authorization.k8s.io/namespaces/app/reader-binding.json',
      'resources/persistentvolumeclaims/namespaces/app/data.json',
      'resources/widgets.example.com/namespaces/app/w1.json',
      'resources/widgets.example.com/v1-preferredversion/namespaces/app/w1.json',
      'resources/namespaces/cluster/app.json',
      'resources/customresourcedefinitions.apiextensions.k8s.io/cluster/widgets.example.com.json',
    ])
      t.true(files.has(p), p);
    t.is(files.get('metadata/version')?.toString(), '1.1.0\n');
    const paths = [...files.keys()];
    t.false(paths.some((p) => p.includes('/namespaces/other/') || p.includes('/namespaces/skiff/') || p.includes('scratch')), paths.join('\n'));
    t.false(paths.some((p) => p.startsWith('resources/nodes') || p.startsWith('resources/namespaces/cluster/other')));
    const deploy = JSON.parse(files.get('resources/deployments.apps/namespaces/app/web.json')?.toString() ?? '{}') as { apiVersion: string; kind: string; spec: { replicas: number } };
    t.deepEqual([deploy.apiVersion, deploy.kind, deploy.spec.replicas], ['apps/v1', 'Deployment', 1]);
    const widget = JSON.parse(files.get('resources/widgets.example.com/namespaces/app/w1.json')?.toString() ?? '{}') as { apiVersion: string; spec: { size: number } };
    t.deepEqual([widget.apiVersion, widget.spec.size], ['example.com/v1', 3]);

    const contents = await readBackupTarball(await store.getStream(k.contents));
    t.is(contents.formatVersion, '1.1.0');
    t.deepEqual(contents.problems, []);
    t.is(contents.resources.get('widgets.example.com')?.[0]?.name, 'w1');
    t.is(contents.resources.get('customresourcedefinitions.apiextensions.k8s.io')?.length, 1);
  });

  test.serial('an unknown storage location ends in FailedValidation', async (t) => {
    const b = await runBackup('b-nowhere', { storageLocation: 'nope' });
    t.is(b.status?.phase, 'FailedValidation');
    t.deepEqual(b.status?.validationErrors, ['backup storage location "nope" not found']);
  });

  test.serial('an unreachable S3 endpoint fails the backup with the reason', async (t) => {
    const b = await runBackup('b-down', { storageLocation: 'down', includedNamespaces: ['app'] });
    t.is(b.status?.phase, 'Failed');
    t.regex(b.status?.failureReason ?? '', /^backup storage location "down" is unreachable: /);
  });

  test.serial('the server stopping mid-backup aborts the upload: Failed, nothing left in storage', async (t) => {
    const { client } = e();
    await client.create<Backup>(PLURALS.Backup, { apiVersion: API_VERSION, kind: 'Backup', metadata: { name: 'b-stop' }, spec: { includedNamespaces: ['app'] } });
    const reader = dynamicClusterReader(e().dynamic);
    const stop = new AbortController();
    const list = reader.list.bind(reader);
    reader.list = (r, o) => {
      if (r.name === 'secrets') stop.abort(new Error('SIGTERM'));
      return list(r, o);
    };
    const b = await client.get<Backup>(PLURALS.Backup, 'b-stop');
    if (b === undefined) throw new Error('no backup');
    await backupReconciler({ clusterReader: reader }).reconcile(b, { ...context(), signal: stop.signal });
    const after = await client.get<Backup>(PLURALS.Backup, 'b-stop');
    t.is(after?.status?.phase, 'Failed');
    t.is(after?.status?.failureReason, 'the server stopped while the backup was in progress');
    t.deepEqual(await keysUnder(backupKeys('b-stop').dir), []);
  });

  test.serial('a backup left InProgress by a stopped server is marked Failed and its partial objects removed', async (t) => {
    const { client } = e();
    await client.create<Backup>(PLURALS.Backup, { apiVersion: API_VERSION, kind: 'Backup', metadata: { name: 'b-crash' }, spec: { storageLocation: 'default' } });
    await client.patchStatus(PLURALS.Backup, 'b-crash', { phase: 'InProgress', startTimestamp: '2024-05-01T12:00:00Z' });
    const store = await e().stores.get('default');
    await store.put(backupKeys('b-crash').contents, Buffer.from('half a tarball'));
    t.is(await recoverInterrupted(context()), 1);
    const b = await client.get<Backup>(PLURALS.Backup, 'b-crash');
    t.is(b?.status?.phase, 'Failed');
    t.is(b?.status?.failureReason, INTERRUPTED_REASON);
    t.deepEqual(await keysUnder(backupKeys('b-crash').dir), []);
    t.deepEqual(await keysUnder(backupKeys('b-app').dir).then((k) => k.length), 5, 'other backups are untouched');
  });
}
