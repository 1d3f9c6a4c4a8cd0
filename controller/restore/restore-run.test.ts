import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { LABELS, type RestoreSpec } from '../../crds/index.ts';
import { isCode } from '../../repository/index.ts';
import { silentLogger } from '../runtime/index.ts';
import type { ApiResource } from './cluster-writer.ts';
import { runRestore, type RestoreProgress } from './restore-run.ts';
import { RestoreResults } from './results.ts';
import { RunLog } from './run-log.ts';
import { FakeCluster } from './testing/fake-cluster.ts';
import { contentsOf, crdItem, item } from './testing/items.ts';
import type { JsonObject } from './unstructured.ts';

const clock = { now: () => new Date('2024-05-01T00:00:00Z') };
const noSleep = () => Promise.resolve();

function appItems() {
  return [
    crdItem('widgets', 'example.com', 'Widget'),
    item('namespaces', undefined, 'app', { metadata: { labels: { team: 'a' } } }),
    item('widgets.example.com', 'app', 'w1', { spec: { size: 3 } }),
    item('configmaps', 'app', 'settings', { data: { a: '1' } }),
    item('deployments.apps', 'app', 'web', { spec: { replicas: 1 } }),
    item('serviceaccounts', 'app', 'runner'),
    item('rolebindings.rbac.authorization.k8s.io', 'app', 'rb', {
      subjects: [{ kind: 'ServiceAccount', name: 'runner', namespace: 'app' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    }),
    item('nodes', undefined, 'node-1'),
  ];
}

async function run(cluster: FakeCluster, spec: Partial<RestoreSpec>, items = appItems(), extra: { signal?: AbortSignal } = {}) {
  const log = new RunLog(clock, silentLogger());
  const results = new RestoreResults();
  const progress: RestoreProgress[] = [];
  const outcome = await runRestore(contentsOf(items), {
    restoreName: 'r1',
    backupName: 'b1',
    spec: { backupName: 'b1', ...spec },
    cluster,
    log,
    results,
    sleep: noSleep,
    crdTimeoutMs: 50,
    pollMs: 1,
    onProgress: (p) => {
      progress.push(p);
    },
    ...extra,
  });
  const lines = gunzipSync(await log.finish())
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { level: string; msg: string });
  return { outcome, results: results.toJSON(), progress, lines };
}

test('restores into an empty cluster in priority order, waiting for the CRD before its resources', async (t) => {
  const c = new FakeCluster();
  c.crdReadyAfterPolls = 3;
  const { outcome, results, progress, lines } = await run(c, {});
  t.deepEqual(results, { errors: {}, warnings: {} });
  t.deepEqual(c.calls, [
    'create customresourcedefinitions widgets.example.com',
    'create namespaces app',
    'create serviceaccounts app/runner',
    'create rolebindings app/rb',
    'create configmaps app/settings',
    'create deployments app/web',
    'create widgets app/w1',
  ]);
  t.is(outcome.totalItems, 7);
  t.is(outcome.itemsRestored, 7);
  t.deepEqual(progress.at(-1), { totalItems: 7, itemsRestored: 7 });
  t.is(progress.length, 8);
  const w1 = c.lookup('example.com', 'widgets', 'app', 'w1');
  t.deepEqual(w1?.['spec'], { size: 3 });
  t.is(((w1?.['metadata'] as JsonObject)['labels'] as JsonObject)[LABELS.restoreName], 'r1');
  t.true(lines.some((l) => l.msg === 'CustomResourceDefinition is established and served'));
  t.is(lines.filter((l) => l.level !== 'info').length, 0);
});

test('namespace mapping puts everything in the target namespace with references adjusted', async (t) => {
  const c = new FakeCluster();
  const { results } = await run(c, { namespaceMapping: { app: 'app2' } });
  t.deepEqual(results, { errors: {}, warnings: {} });
  t.is(c.lookup('', 'namespaces', undefined, 'app'), undefined);
  t.is(((c.lookup('', 'namespaces', undefined, 'app2')?.['metadata'] as JsonObject)['labels'] as JsonObject)['team'], 'a');
  t.truthy(c.lookup('', 'configmaps', 'app2', 'settings'));
  t.truthy(c.lookup('example.com', 'widgets', 'app2', 'w1'));
  const rb = c.lookup('rbac.authorization.k8s.io', 'rolebindings', 'app2', 'rb');
  t.deepEqual(rb?.['subjects'], [{ kind: 'ServiceAccount', name: 'runner', namespace: 'app2' }]);
});

test('a namespace missing from the backup (or filtered out) is created before its contents', async (t) => {
  const c = new FakeCluster();
  const { results } = await run(c, { excludedResources: ['namespaces'] }, [item('configmaps', 'solo', 'c')]);
  t.deepEqual(results.errors, {});
  t.deepEqual(c.calls, ['create namespaces solo', 'create configmaps solo/c']);
});

test('one failing item is an error in the results; the rest is restored', async (t) => {
  const c = new FakeCluster();
  c.failCreate.add('configmaps/settings');
  const { outcome, results } = await run(c, {});
  t.deepEqual(results.errors, { namespaces: { app: ['error restoring configmaps app/settings: admission webhook denied the request'] } });
  t.truthy(c.lookup('apps', 'deployments', 'app', 'web'));
  t.is(outcome.itemsRestored, 7);
});

test('a CRD that never becomes served fails itself and its resources, nothing else', async (t) => {
  const c = new FakeCluster();
  c.crdReadyAfterPolls = 1_000_000;
  const { results } = await run(c, {});
  t.deepEqual(results.errors.cluster?.length, 1);
  t.regex(results.errors.cluster?.[0] ?? '', /CustomResourceDefinition widgets.example.com is not available: timed out/);
  t.regex(results.errors.namespaces?.['app']?.[0] ?? '', /error restoring widgets.example.com app\/w1: the cluster does not serve widgets.example.com at example.com\/v1/);
  t.truthy(c.lookup('apps', 'deployments', 'app', 'web'));
});

test('existing objects: none reports, update makes them match', async (t) => {
  for (const policy of ['none', 'update'] as const) {
    const c = new FakeCluster();
    const ns = (await c.findResource('', 'namespaces', 'v1')) as ApiResource;
    const cm = (await c.findResource('', 'configmaps', 'v1')) as ApiResource;
    c.seed(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { team: 'a' } } });
    c.seed(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'app' }, data: { a: 'edited' } });
    const { results } = await run(c, { existingResourcePolicy: policy }, [item('namespaces', undefined, 'app', { metadata: { labels: { team: 'a' } } }), item('configmaps', 'app', 'settings', { data: { a: '1' } })]);
    const data = c.lookup('', 'configmaps', 'app', 'settings')?.['data'];
    if (policy === 'none') {
      t.deepEqual(data, { a: 'edited' });
      t.deepEqual(results.warnings, { namespaces: { app: ['could not restore, ConfigMap "app/settings" already exists and differs from the backed-up version'] } });
    } else {
      t.deepEqual(data, { a: '1' });
      t.deepEqual(results.warnings, {});
    }
    t.deepEqual(results.errors, {});
  }
});

test('volumes: a Delete-policy PV is skipped and its claim re-provisioned; an existing Retain PV moved namespace is cloned', async (t) => {
  const c = new FakeCluster();
  const pvRes = (await c.findResource('', 'persistentvolumes', 'v1')) as ApiResource;
  c.seed(pvRes, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-keep' }, spec: { persistentVolumeReclaimPolicy: 'Retain' } });
  const items = [
    item('persistentvolumes', undefined, 'pv-del', { spec: { persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'app', name: 'a' } } }),
    item('persistentvolumes', undefined, 'pv-keep', { spec: { persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'app', name: 'b', uid: 'old' } } }),
    item('persistentvolumeclaims', 'app', 'a', { spec: { volumeName: 'pv-del' } }),
    item('persistentvolumeclaims', 'app', 'b', { spec: { volumeName: 'pv-keep' } }),
    item('persistentvolumeclaims', 'app', 'c', { spec: { volumeName: 'pv-gone' } }),
  ];
  const { results } = await run(c, { namespaceMapping: { app: 'app2' } }, items);
  t.deepEqual(results.errors, {});
  t.is(c.lookup('', 'persistentvolumes', undefined, 'pv-del'), undefined);
  t.false('volumeName' in (c.lookup('', 'persistentvolumeclaims', 'app2', 'a')?.['spec'] as JsonObject));
  const clone = [...c.objects.values()].find((o) => String((o['metadata'] as JsonObject)['name']).startsWith('skiff-clone-'));
  t.truthy(clone);
  t.deepEqual((clone?.['spec'] as JsonObject)['claimRef'], { namespace: 'app2', name: 'b' });
  t.is((c.lookup('', 'persistentvolumeclaims', 'app2', 'b')?.['spec'] as JsonObject)['volumeName'], (clone?.['metadata'] as JsonObject)['name']);
  t.false('volumeName' in (c.lookup('', 'persistentvolumeclaims', 'app2', 'c')?.['spec'] as JsonObject), 'a claim whose volume exists nowhere is provisioned again');
});

test('restored pods are reported for pod volume restores', async (t) => {
  const c = new FakeCluster();
  const { outcome } = await run(c, {}, [item('pods', 'app', 'p1', { spec: { nodeName: 'n' } }), item('pods', 'app', 'done', { status: { phase: 'Succeeded' } })]);
  t.deepEqual(
    outcome.restoredPods.map((p) => [p.namespace, p.name, p.sourceNamespace, p.uid !== '']),
    [['app', 'p1', 'app', true]],
  );
});

test('an aborted signal stops the restore with Cancelled', async (t) => {
  const c = new FakeCluster();
  const ac = new AbortController();
  ac.abort();
  const err = await t.throwsAsync(run(c, {}, appItems(), { signal: ac.signal }));
  t.true(isCode(err, 'Cancelled'));
  t.deepEqual(c.calls, []);
});

test('objects without apiVersion use the version the tarball recorded; short names from discovery filter', async (t) => {
  const c = new FakeCluster();
  const bare = { groupResource: 'configmaps', namespace: 'app', name: 'bare', object: { metadata: { name: 'bare', namespace: 'app' }, data: { a: '1' } } };
  const contents = { ...contentsOf([bare, item('secrets', 'app', 's')]), versions: new Map([['configmaps', 'v1']]) };
  const results = new RestoreResults();
  const log = new RunLog(clock, silentLogger());
  await runRestore(contents, { restoreName: 'r', backupName: 'b', spec: { backupName: 'b', includedResources: ['cm'] }, cluster: c, log, results, sleep: noSleep });
  await log.finish();
  t.deepEqual(results.toJSON().errors, {});
  const cm = c.lookup('', 'configmaps', 'app', 'bare');
  t.is(cm?.['apiVersion'], 'v1');
  t.is(cm?.['kind'], 'ConfigMap');
  t.is(c.lookup('', 'secrets', 'app', 's'), undefined);
});
