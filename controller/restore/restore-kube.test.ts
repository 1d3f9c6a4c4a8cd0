// The Restore reconciler against a real kube-apiserver (test/kube) and the embedded S3 server:
// a backup tarball of a sample application is put in the bucket, and restores bring it back.
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { API_VERSION, type Backup, type BackupStorageLocation, LABELS, type Restore, type RestoreSpec } from '../../crds/index.ts';
import { startS3Server, type EmbeddedS3 } from '../../test/support/s3-server.ts';
import { installCrds, startControlPlane, type ControlPlane } from '../../test/kube/index.ts';
import { kubeTestsEnabled } from '../../test/kube/gate.ts';
import { makeDynamicClient, makeSkiffClient, type DynamicClient, type KubeSkiffClient } from '../kube/index.ts';
import { objectStoreForBsl } from '../objectstore/index.ts';
import { Redacted } from '../runtime/redact.ts';
import { silentLogger, systemClock, type ObjectStore, type ReconcileContext } from '../runtime/index.ts';
import { dynamicClusterWriter } from './dynamic-cluster-writer.ts';
import { restoreKeys, restoreReconciler } from './reconciler.ts';
import type { RestoreResultsFile } from './results.ts';
import { createApp, deleteApp, GVR, snapshotApp } from './testing/app-fixture.ts';
import { backupTarballGz } from './testing/tarball.ts';
import type { JsonObject } from './unstructured.ts';

interface Env {
  cp: ControlPlane;
  s3: EmbeddedS3;
  dyn: DynamicClient;
  client: KubeSkiffClient;
  store: ObjectStore;
  ctx: ReconcileContext;
  nodePort: number;
}
let env: Env | undefined;
const e = (): Env => {
  if (env === undefined) throw new Error('environment not started');
  return env;
};

async function restore(name: string, spec: RestoreSpec): Promise<{ r: Restore; results: RestoreResultsFile | undefined }> {
  const { client, ctx, dyn, store } = e();
  const created = await client.create<Restore>('restores', { apiVersion: API_VERSION, kind: 'Restore', metadata: { name }, spec });
  await restoreReconciler({ cluster: dynamicClusterWriter(dyn), pollMs: 100 }).reconcile(created, ctx);
  const r = (await client.get<Restore>('restores', name)) as Restore;
  const key = restoreKeys(name).results;
  const results = (await store.exists(key)) ? (JSON.parse(gunzipSync(await store.get(key)).toString()) as RestoreResultsFile) : undefined;
  return { r, results };
}

async function getObj(gr: keyof typeof GVR, ns: string | undefined, name: string): Promise<JsonObject | undefined> {
  return (await e().dyn.resource(GVR[gr], ns).get(name)) as unknown as JsonObject | undefined;
}

function nodePortOf(svc: JsonObject | undefined): number {
  return Number(((svc?.['spec'] as JsonObject | undefined)?.['ports'] as JsonObject[] | undefined)?.[0]?.['nodePort']);
}

if (kubeTestsEnabled('restore against the real API server')) {
  test.before(async () => {
    const [cp, s3] = await Promise.all([startControlPlane(), startS3Server({ buckets: ['skiff'] })]);
    const kc = cp.kubeConfig();
    await installCrds(kc);
    const dyn = makeDynamicClient(kc);
    await dyn.resource(GVR.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'skiff' } });
    const client = makeSkiffClient(dyn, 'skiff');
    const bsl = {
      apiVersion: API_VERSION,
      kind: 'BackupStorageLocation',
      metadata: { name: 'default', namespace: 'skiff' },
      spec: { provider: 'aws', objectStorage: { bucket: 'skiff', prefix: 'cluster-a' }, config: { region: 'us-east-1', s3Url: s3.endpoint, s3ForcePathStyle: 'true' } },
    } satisfies BackupStorageLocation;
    const creds = `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`;
    const store = objectStoreForBsl(bsl, new Redacted(Buffer.from(creds)));
    const ctx: ReconcileContext = {
      client,
      log: silentLogger(),
      clock: systemClock,
      signal: new AbortController().signal,
      objectStore: (name) => (name === 'default' ? Promise.resolve(store) : Promise.reject(new Error(`no location ${name}`))),
    };
    // the "backup": the application as the API server serves it, in a tarball in the bucket
    await createApp(dyn);
    const items = await snapshotApp(dyn);
    const nodePort = nodePortOf(items.find((i) => i.object['kind'] === 'Service' && (i.object['metadata'] as JsonObject)['name'] === 'web-np')?.object);
    await store.put('backups/b/b.tar.gz', backupTarballGz(items));
    const backup = await client.create<Backup>('backups', { apiVersion: API_VERSION, kind: 'Backup', metadata: { name: 'b' }, spec: { includedNamespaces: ['app'], storageLocation: 'default' } });
    await client.patchStatus('backups', backup.metadata.name ?? '', { phase: 'Completed' });
    env = { cp, s3, dyn, client, store, ctx, nodePort };
    await deleteApp(dyn);
  });

  test.after.always(async () => {
    const crash = env?.cp.crashReport();
    await env?.store.close();
    await Promise.all([env?.cp.stop(), env?.s3.stop()]);
    if (crash !== undefined) throw new Error(`control plane component crashed: ${crash}`);
  });

  test.serial('restore into an empty cluster brings every object back (the CRD waited for)', async (t) => {
    const { r, results } = await restore('r1', { backupName: 'b' });
    t.is(r.status?.phase, 'Completed', JSON.stringify({ status: r.status, results }));
    t.is(r.status?.errors, 0, JSON.stringify(results));
    t.is(r.status?.warnings, 0, JSON.stringify(results));
    t.true((r.status?.progress?.totalItems ?? 0) >= 12);
    t.is(r.status?.progress?.itemsRestored, r.status?.progress?.totalItems);
    t.true(await e().store.exists(restoreKeys('r1').logs));
    const ns = await getObj('namespaces', undefined, 'app');
    t.is(((ns?.['metadata'] as JsonObject)['labels'] as JsonObject)['team'], 'blue');
    for (const [gr, name] of [
      ['configmaps', 'settings'],
      ['secrets', 'creds'],
      ['serviceaccounts', 'runner'],
      ['roles.rbac.authorization.k8s.io', 'reader'],
      ['rolebindings.rbac.authorization.k8s.io', 'runner-reads'],
      ['services', 'web'],
      ['services', 'web-np'],
      ['persistentvolumeclaims', 'data'],
      ['deployments.apps', 'web'],
      ['widgets.example.com', 'w1'],
    ] as const) {
      const obj = await getObj(gr, 'app', name);
      t.truthy(obj, `${gr} ${name} restored`);
      const labels = (obj?.['metadata'] as JsonObject | undefined)?.['labels'] as JsonObject | undefined;
      t.is(labels?.[LABELS.restoreName], 'r1', `${gr} ${name} labelled`);
      t.is(labels?.[LABELS.backupName], 'b');
    }
    t.deepEqual((await getObj('widgets.example.com', 'app', 'w1'))?.['spec'], { size: 3 });
    t.is(Buffer.from(String(((await getObj('secrets', 'app', 'creds'))?.['data'] as JsonObject)['password']), 'base64').toString(), 'hunter2');
  });

  test.serial('namespaceMapping app:app2 restores into app2 with references adjusted', async (t) => {
    const { r, results } = await restore('r2', { backupName: 'b', includedNamespaces: ['app'], namespaceMapping: { app: 'app2' } });
    t.is(r.status?.phase, 'Completed', JSON.stringify({ status: r.status, results }));
    t.truthy(await getObj('namespaces', undefined, 'app2'));
    t.truthy(await getObj('configmaps', 'app2', 'settings'));
    t.truthy(await getObj('widgets.example.com', 'app2', 'w1'));
    t.truthy(await getObj('deployments.apps', 'app2', 'web'));
    const rb = await getObj('rolebindings.rbac.authorization.k8s.io', 'app2', 'runner-reads');
    t.deepEqual(rb?.['subjects'], [{ kind: 'ServiceAccount', name: 'runner', namespace: 'app2' }]);
    const np = nodePortOf(await getObj('services', 'app2', 'web-np'));
    t.true(np > 0 && np !== e().nodePort, 'an auto-assigned node port is assigned again, not copied');
    t.is(r.status?.warnings, 0, JSON.stringify(results));
  });

  test.serial('existing objects: policy none leaves them and reports; update makes them match', async (t) => {
    const cms = e().dyn.resource(GVR.configmaps, 'app');
    await cms.patch('settings', { data: { mode: 'slow', extra: 'x' } });
    const spec: RestoreSpec = { backupName: 'b', includedNamespaces: ['app'], includedResources: ['configmaps', 'services', 'rolebindings'] };
    const none = await restore('r3', spec);
    t.is(none.r.status?.phase, 'Completed');
    t.is(none.r.status?.warnings, 1, JSON.stringify(none.results));
    t.regex(none.results?.warnings.namespaces?.['app']?.[0] ?? '', /ConfigMap "app\/settings" already exists and differs/);
    t.deepEqual((await getObj('configmaps', 'app', 'settings'))?.['data'], { mode: 'slow', extra: 'x' });

    const update = await restore('r4', { ...spec, existingResourcePolicy: 'update' });
    t.is(update.r.status?.phase, 'Completed', JSON.stringify(update.results));
    t.is(update.r.status?.warnings, 0, JSON.stringify(update.results));
    const cm = await getObj('configmaps', 'app', 'settings');
    t.deepEqual(cm?.['data'], { mode: 'fast' });
    t.is(((cm?.['metadata'] as JsonObject)['labels'] as JsonObject)[LABELS.restoreName], 'r4');
  });

  test.serial('invalid specs end in FailedValidation with a message', async (t) => {
    const both = await restore('bad-both', { backupName: 'b', scheduleName: 'nightly' });
    t.is(both.r.status?.phase, 'FailedValidation');
    t.deepEqual(both.r.status?.validationErrors, ['either a backup or a schedule must be specified, not both']);
    const missing = await restore('bad-missing', { backupName: 'nope' });
    t.is(missing.r.status?.phase, 'FailedValidation');
    t.deepEqual(missing.r.status?.validationErrors, ['backup "nope" not found']);
    const selector = await restore('bad-selector', { backupName: 'b', labelSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] } });
    t.is(selector.r.status?.phase, 'FailedValidation');
    t.regex(selector.r.status?.validationErrors?.[0] ?? '', /invalid label selector/);
  });
}
